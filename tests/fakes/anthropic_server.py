"""A local server that speaks the Anthropic Messages API, streaming included.

The real `anthropic` SDK (and so the real `AnthropicLLMService`) talks to it
through its base URL. Each request takes the next scripted reply: streamed
text, a tool call, an HTTP error, an error event in the stream, or a stall.
Every request body is recorded, so a test can see what the service sent.
"""

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

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

    def __init__(self, replies: Sequence[Reply]):
        self._replies = list(replies)
        self.requests: list[Request] = []
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> "FakeAnthropic":
        app = web.Application()
        app.router.add_post("/v1/messages", self._messages)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
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
        if not self._replies:
            return error_response(400, "invalid_request_error", "the fake has no reply left")
        reply = self._replies.pop(0)
        if isinstance(reply, Status):
            return error_response(reply.status, reply.error_type, headers=reply.headers)
        if isinstance(reply, Stall) and reply.text is None:
            await self._closing.wait()
            return web.Response(status=503)

        stream = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await stream.prepare(request)
        await send(stream, "message_start", message_start(body["model"]))
        await send(stream, "ping", {"type": "ping"})
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


def error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": error_type, "message": message}}


def error_response(
    status: int, error_type: str, message: str | None = None, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        error_body(error_type, message or f"fake {error_type}"), status=status, headers=headers
    )


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
