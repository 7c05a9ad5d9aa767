"""A local server that speaks OpenAI's streaming Chat Completions API (vLLM, Ollama, llama.cpp).

The real `openai` SDK (and so the real `OpenAILLMService`) talks to it through
its base URL (`<base_url>` ends in /v1). Replies are the Anthropic fake's
`Text` and `ToolUse`, from a list or a function of the request body; `faults`
spoils any request (`provider_fakes.faults`). Every request body is recorded.
"""

import asyncio
import json
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from provider_fakes import serve_on_loopback
from provider_fakes.anthropic_server import Text, ToolUse
from provider_fakes.faults import INSTANT, Fault, Faults, Timing

Reply = Text | ToolUse


class FakeOpenAI:
    """POST /v1/chat/completions on 127.0.0.1 at a free port; use as `async with`."""

    def __init__(
        self,
        replies: Sequence[Reply] | Callable[[dict[str, Any]], Reply],
        *,
        faults: Faults | None = None,
        timing: Timing = INSTANT,
    ):
        self._replies = replies if callable(replies) else list(replies)
        self.faults = faults or Faults()
        self._timing = timing
        self.requests: list[dict[str, Any]] = []
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> "FakeOpenAI":
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner, address = await serve_on_loopback(app)
        self.base_url = f"http://{address}/v1"
        return self

    async def __aexit__(self, *exc_info):
        self._closing.set()
        await self._runner.cleanup()

    async def _wait(self, secs: float):
        try:
            await asyncio.wait_for(self._closing.wait(), secs)
        except TimeoutError:
            pass

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        fault = self.faults.next()
        if callable(self._replies):
            reply = self._replies(body)
        elif self._replies:
            reply = self._replies.pop(0)
        else:
            return web.json_response({"error": {"message": "no reply left"}}, status=400)
        if fault is not None and fault.kind == "refuse":
            request.transport.close()
            return web.Response(status=500)
        if fault is not None and fault.kind in ("500", "429"):
            return web.json_response(
                {"error": {"message": f"fake {fault.kind}", "type": "server_error"}},
                status=int(fault.kind),
            )
        if fault is not None and fault.kind == "stall":
            await self._wait(fault.stall_secs)
        if not body.get("stream") and isinstance(reply, Text):
            return web.json_response(_whole(body.get("model", "local"), "".join(reply.chunks)))
        stream = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await stream.prepare(request)
        if fault is not None and fault.kind == "malformed":
            await stream.write(b"data: {not json\n\n")
            return stream
        await self._wait(self._timing.first_token_secs)
        pause = fault.trickle_secs if fault is not None and fault.kind == "trickle" else 0.0
        chunks = list(_chunks(body.get("model", "local"), reply))
        for index, chunk in enumerate(chunks):
            if fault is not None and fault.kind == "drop" and index > fault.after:
                request.transport.close()
                return stream
            if pause and index:
                await asyncio.sleep(pause)
            await stream.write(f"data: {json.dumps(chunk)}\n\n".encode())
        await stream.write(b"data: [DONE]\n\n")
        return stream


def _whole(model: str, text: str) -> dict[str, Any]:
    """A non-streamed answer (what `run_inference` asks for)."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
    }


def _chunks(model: str, reply: Reply):
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    yield chunk({"role": "assistant", "content": ""})
    if isinstance(reply, Text):
        for piece in reply.chunks:
            yield chunk({"content": piece})
        yield chunk({}, "stop")
        return
    if reply.preamble:
        yield chunk({"content": reply.preamble})
    call = {"index": 0, "id": reply.tool_use_id, "type": "function"}
    yield chunk({"tool_calls": [{**call, "function": {"name": reply.name, "arguments": ""}}]})
    yield chunk(
        {"tool_calls": [{"index": 0, "function": {"arguments": json.dumps(reply.arguments)}}]}
    )
    yield chunk({}, "tool_calls")


__all__ = ["FakeOpenAI", "Fault", "Text", "ToolUse"]
