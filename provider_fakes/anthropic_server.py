"""A local server that speaks the Anthropic Messages API, streaming included.

The real `anthropic` SDK (and so the real `AnthropicLLMService`) talks to it
through its base URL. Each request takes the next scripted reply: streamed
text, a tool call, an HTTP error, an error event in the stream, or a stall.
Every request body is recorded, so a test can see what the service sent.

`replies` may also be a function of the request body (a benchmark answers by
the conversation so far), `faults` puts a `provider_fakes.faults.Fault` on any request,
and `timing` delays the first token as a healthy Claude does.
"""

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from provider_fakes import serve_on_loopback
from provider_fakes.faults import INSTANT, Fault, Faults, Timing

API_KEY = "sk-ant-fake-key"


@dataclass(frozen=True)
class Text:
    """A streamed text answer, one `text_delta` per chunk."""

    chunks: Sequence[str]


@dataclass(frozen=True)
class ToolUse:
    """A streamed tool call; its input JSON arrives as `input_json_delta` pieces."""

    name: str
    arguments: dict[str, Any]
    tool_use_id: str = "toolu_fake_01"
    pieces: int = 3
    """How many `input_json_delta` events the input JSON is split into."""
    preamble: str | None = None
    """Text said before the call, in its own content block."""


@dataclass(frozen=True)
class Status:
    """An HTTP error with Anthropic's error body, e.g. 500, 529 or 429."""

    status: int
    error_type: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StreamError:
    """A stream that starts, then carries an `error` event (e.g. overloaded mid-answer)."""

    error_type: str = "overloaded_error"


@dataclass(frozen=True)
class Stall:
    """Sends nothing more, ever: before the headers, or mid-stream after `text`."""

    text: str | None = None
    """None: stall before any byte. A string: stream it, then stall."""


Reply = Text | ToolUse | Status | StreamError | Stall


@dataclass(frozen=True)
class Request:
    """One request the fake received."""

    body: dict[str, Any]
    headers: dict[str, str]
    """Lower-cased names."""
    received_at: float
    """`time.monotonic()` when it arrived."""


class FakeAnthropic:
    """POST /v1/messages on 127.0.0.1 at a free port; use as `async with`."""

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
        self.requests: list[Request] = []
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> "FakeAnthropic":
        app = web.Application()
        app.router.add_post("/v1/messages", self._messages)
        self._runner, address = await serve_on_loopback(app)
        self.base_url = f"http://{address}"
        return self

    async def __aexit__(self, *exc_info):
        self._closing.set()
        await self._runner.cleanup()

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        headers = {name.lower(): value for name, value in request.headers.items()}
        self.requests.append(Request(body, headers, time.monotonic()))
        if request.headers.get("x-api-key") != API_KEY:
            return error_response(401, "authentication_error")
        fault = self.faults.next()
        if callable(self._replies):
            reply = self._replies(body)
        elif self._replies:
            reply = self._replies.pop(0)
        elif fault is not None:
            reply = Text(["(no reply scripted)"])
        else:
            return error_response(400, "invalid_request_error", "the fake has no reply left")
        if fault is not None:
            return await self._fault(request, body, reply, fault)
        if isinstance(reply, Status):
            return error_response(reply.status, reply.error_type, headers=reply.headers)
        if not body.get("stream") and isinstance(reply, Text):
            return web.json_response(whole_message(body["model"], "".join(reply.chunks)))
        if isinstance(reply, Stall) and reply.text is None:
            await self._closing.wait()
            return web.Response(status=503)

        stream = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await stream.prepare(request)
        await send(stream, "message_start", message_start(body["model"]))
        await send(stream, "ping", {"type": "ping"})
        await self._first_token_wait()
        if isinstance(reply, Text):
            await send_text_block(stream, 0, reply.chunks)
            await send_message_end(stream, "end_turn")
        elif isinstance(reply, ToolUse):
            await send_tool_use(stream, reply)
        elif isinstance(reply, StreamError):
            await send_text_block(stream, 0, ["Let me"], stop=False)
            await send(stream, "error", error_body(reply.error_type, "Overloaded"))
        elif isinstance(reply, Stall):
            await send_text_block(stream, 0, [reply.text], stop=False)
            await self._closing.wait()
        return stream

    async def _first_token_wait(self):
        if self._timing.first_token_secs:
            try:
                await asyncio.wait_for(self._closing.wait(), self._timing.first_token_secs)
            except TimeoutError:
                pass

    async def _fault(
        self, request: web.Request, body: dict[str, Any], reply: Reply, fault: Fault
    ) -> web.StreamResponse:
        """`reply` as `fault` spoils it."""
        if fault.kind == "refuse":
            request.transport.close()
            return web.Response(status=500)
        if fault.kind in ("500", "429"):
            error_type = "api_error" if fault.kind == "500" else "rate_limit_error"
            return error_response(int(fault.kind), error_type)
        if fault.kind == "stall" and fault.stall_after and isinstance(reply, Text):
            return await self._stall_mid_answer(request, body, reply, fault)
        if fault.kind == "stall":
            try:
                await asyncio.wait_for(self._closing.wait(), fault.stall_secs)
            except TimeoutError:
                pass
            if self._closing.is_set():
                return web.Response(status=503)
            return await self._stream(request, body, reply, pause=0.0)
        if fault.kind == "malformed":
            stream = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await stream.prepare(request)
            await stream.write(b"event: message_start\ndata: {not json\n\n")
            return stream
        if fault.kind == "trickle":
            return await self._stream(request, body, reply, pause=fault.trickle_secs)
        # drop: the first `after` tokens, then the connection goes.
        stream = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await stream.prepare(request)
        await send(stream, "message_start", message_start(body["model"]))
        await self._first_token_wait()
        words = " ".join(reply_text(reply)).split(" ")
        await send_text_block(stream, 0, [w + " " for w in words[: fault.after]], stop=False)
        request.transport.close()
        return stream

    async def _stall_mid_answer(
        self, request: web.Request, body: dict[str, Any], reply: Text, fault: Fault
    ) -> web.StreamResponse:
        """The first `stall_after` words, then nothing for `stall_secs`, then the rest."""
        stream = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await stream.prepare(request)
        await send(stream, "message_start", message_start(body["model"]))
        await self._first_token_wait()
        words = [w + " " for w in " ".join(reply_text(reply)).split()]
        await send_text_block(stream, 0, words[: fault.stall_after], stop=False)
        try:
            await asyncio.wait_for(self._closing.wait(), fault.stall_secs)
        except TimeoutError:
            pass
        if self._closing.is_set():
            return stream
        for word in words[fault.stall_after :]:
            delta = {"type": "text_delta", "text": word}
            await send(
                stream,
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": delta},
            )
        await send(stream, "content_block_stop", {"type": "content_block_stop", "index": 0})
        await send_message_end(stream, "end_turn")
        return stream

    async def _stream(
        self, request: web.Request, body: dict[str, Any], reply: Reply, pause: float
    ) -> web.StreamResponse:
        """A healthy answer (text or tool call), `pause` seconds between events."""
        stream = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await stream.prepare(request)
        slow = _Paced(stream, pause)
        await send(slow, "message_start", message_start(body["model"]))
        await self._first_token_wait()
        if isinstance(reply, ToolUse):
            await send_tool_use(slow, reply)
        else:
            await send_text_block(slow, 0, reply_text(reply))
            await send_message_end(slow, "end_turn")
        return stream


class _Paced:
    """A stream whose writes each wait `pause` seconds first (a trickle)."""

    def __init__(self, stream: web.StreamResponse, pause: float):
        self._stream = stream
        self._pause = pause

    async def write(self, data: bytes):
        if self._pause:
            await asyncio.sleep(self._pause)
        await self._stream.write(data)


def reply_text(reply: Reply) -> list[str]:
    """The text chunks of a reply (empty for anything but text)."""
    return list(reply.chunks) if isinstance(reply, Text) else [""]


def error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": error_type, "message": message}}


def error_response(
    status: int, error_type: str, message: str | None = None, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        error_body(error_type, message or f"fake {error_type}"), status=status, headers=headers
    )


def whole_message(model: str, text: str) -> dict[str, Any]:
    """A non-streamed answer (what `run_inference` asks for)."""
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 25, "output_tokens": 3},
    }


def message_start(model: str) -> dict[str, Any]:
    return {
        "type": "message_start",
        "message": {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 25, "output_tokens": 1},
        },
    }


async def send(stream: web.StreamResponse, event: str, data: dict[str, Any]):
    await stream.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())


async def send_text_block(
    stream: web.StreamResponse, index: int, chunks: Sequence[str], stop: bool = True
):
    await send(
        stream,
        "content_block_start",
        {
            "type": "content_block_start",
            "index": index,
            "content_block": {"type": "text", "text": ""},
        },
    )
    for chunk in chunks:
        await send(
            stream,
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "text_delta", "text": chunk},
            },
        )
    if stop:
        await send(stream, "content_block_stop", {"type": "content_block_stop", "index": index})


async def send_tool_use(stream: web.StreamResponse, reply: ToolUse):
    index = 0
    if reply.preamble:
        await send_text_block(stream, index, [reply.preamble])
        index += 1
    await send(
        stream,
        "content_block_start",
        {
            "type": "content_block_start",
            "index": index,
            "content_block": {
                "type": "tool_use",
                "id": reply.tool_use_id,
                "name": reply.name,
                "input": {},
            },
        },
    )
    text = json.dumps(reply.arguments)
    size = -(-len(text) // reply.pieces)
    for start in range(0, len(text), size):
        await send(
            stream,
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "input_json_delta", "partial_json": text[start : start + size]},
            },
        )
    await send(stream, "content_block_stop", {"type": "content_block_stop", "index": index})
    await send_message_end(stream, "tool_use")


async def send_message_end(stream: web.StreamResponse, stop_reason: str):
    await send(
        stream,
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": 12},
        },
    )
    await send(stream, "message_stop", {"type": "message_stop"})
