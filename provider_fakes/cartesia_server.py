"""A local server that speaks Cartesia's TTS websocket (/tts/websocket).

The real `CartesiaTTSService` connects to it through its URL. The client sends
JSON generation requests (`transcript`, `context_id`, `continue`,
`output_format`); the fake answers each with base64 PCM `chunk` messages and
`timestamps`, and with `done` once a request says `continue: false`. Each
connection takes the next scripted behaviour: speak, refuse the handshake, answer
with an `error`, stall, or drop the socket after the first answer. Every request is
recorded.

`faults` spoils any reply (a new `context_id`) of a call, counted from 0
(`provider_fakes.faults`), and `timing` delays each reply's first audio as a healthy
Cartesia does.
"""

import asyncio
import base64
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from provider_fakes import serve_on_loopback
from provider_fakes.faults import INSTANT, Fault, Faults, Timing

API_KEY = "ca-fake-key"
WORD_SECS = 0.05
"""Audio the fake returns per word of transcript."""


@dataclass(frozen=True)
class Speak:
    """Answer every request with audio; `drop_after_done` closes the socket after the first `done`."""

    drop_after_done: bool = False


@dataclass(frozen=True)
class Reject:
    """Refuse the websocket handshake with this HTTP status."""

    status: int


@dataclass(frozen=True)
class Fail:
    """Answer the first context with Cartesia's `error` message, then speak."""

    message: str = "voice not found"


@dataclass(frozen=True)
class Stall:
    """Accept requests and never answer them."""


Behaviour = Speak | Reject | Fail | Stall


@dataclass
class Connection:
    """One connection attempt the fake received."""

    query: dict[str, str]
    headers: dict[str, str]
    """Lower-cased names."""
    requests: list[dict[str, Any]] = field(default_factory=list)


class FakeCartesia:
    """ws://127.0.0.1:<free port>/tts/websocket; use as `async with`."""

    def __init__(
        self,
        behaviours: Sequence[Behaviour] = (),
        *,
        faults: Faults | None = None,
        timing: Timing = INSTANT,
    ):
        self._behaviours = list(behaviours)
        self.faults = faults or Faults()
        self._timing = timing
        self._contexts: dict[str, Fault | None] = {}
        self._spoken: set[str] = set()
        self._words: dict[str, int] = {}
        self._cancelled: set[str] = set()
        self.connections: list[Connection] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> "FakeCartesia":
        app = web.Application()
        app.router.add_get("/tts/websocket", self._tts)
        self._runner, address = await serve_on_loopback(app)
        self.url = f"ws://{address}/tts/websocket"
        return self

    async def __aexit__(self, *exc_info):
        await self._runner.cleanup()

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every generation request, over all connections."""
        return [request for connection in self.connections for request in connection.requests]

    async def _tts(self, request: web.Request) -> web.StreamResponse:
        headers = {name.lower(): value for name, value in request.headers.items()}
        connection = Connection(query=dict(request.query), headers=headers)
        self.connections.append(connection)
        if headers.get("x-api-key") != API_KEY:
            return web.Response(status=401, text="invalid API key")
        behaviour = self._behaviours.pop(0) if self._behaviours else Speak()
        if isinstance(behaviour, Reject):
            return web.Response(status=behaviour.status, text="fake rejection")

        ws = web.WebSocketResponse()
        await ws.prepare(request)
        # Answers go out from a task of their own, so a stalled or trickling answer
        # never stops the fake from reading (and from hearing the client close).
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        sender = asyncio.create_task(self._answer_all(ws, queue, behaviour))
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                generation = message.json()
                connection.requests.append(generation)
                if generation.get("cancel"):
                    # A reply still trickling out stops, as Cartesia's does.
                    self._cancelled.add(generation.get("context_id"))
                    continue
                if isinstance(behaviour, Stall):
                    continue
                queue.put_nowait(generation)
        finally:
            sender.cancel()
        return ws

    async def _answer_all(
        self, ws: web.WebSocketResponse, queue: asyncio.Queue, behaviour: Behaviour
    ):
        failed: list[str] = []
        while True:
            generation = await queue.get()
            if not await self._answer(ws, generation, behaviour, failed):
                return

    async def _answer(
        self,
        ws: web.WebSocketResponse,
        generation: dict[str, Any],
        behaviour: Behaviour,
        failed: list[str],
    ) -> bool:
        """Answer one generation request; False once the socket is closed."""
        context_id = generation["context_id"]
        if isinstance(behaviour, Fail) and (not failed or failed[0] == context_id):
            failed[:] = [context_id]
            await ws.send_json(error(context_id, behaviour.message))
            return True
        fault = self._fault_for(context_id)
        if fault is not None and fault.kind == "malformed":
            await ws.send_str("{not json")
            return True
        if fault is not None and fault.kind in ("500", "429"):
            await ws.send_json(error(context_id, f"fake {fault.kind}", int(fault.kind)))
            return True
        if fault is not None and fault.kind == "refuse":
            await ws.close(code=1011, message=b"fake refusal")
            return False
        if generation["transcript"]:
            first = context_id not in self._spoken
            self._spoken.add(context_id)
            if first and fault is not None and fault.kind == "stall" and fault.stall_after:
                # A stall mid-reply: the first words, then nothing for `stall_secs`.
                await asyncio.sleep(self._timing.first_audio_secs)
                head = {
                    **generation,
                    "transcript": " ".join(generation["transcript"].split()[: fault.stall_after]),
                }
                await send_speech(ws, head, offset=self._said(head))
                await asyncio.sleep(fault.stall_secs)
                rest = " ".join(generation["transcript"].split()[fault.stall_after :])
                generation = {**generation, "transcript": rest}
            elif first and fault is not None and fault.kind == "stall":
                await asyncio.sleep(fault.stall_secs)
            elif first and self._timing.first_audio_secs:
                await asyncio.sleep(self._timing.first_audio_secs)
            if fault is not None and fault.kind == "drop":
                await send_speech(ws, generation, limit=fault.after, offset=self._said(generation))
                await ws.close(code=1011, message=b"fake drop")
                return False
            pause = fault.trickle_secs if fault is not None and fault.kind == "trickle" else 0
            await send_speech(
                ws,
                generation,
                pause=pause,
                offset=self._said(generation),
                cancelled=lambda: context_id in self._cancelled,
            )
        if not generation["continue"]:
            await ws.send_json(
                {"type": "done", "done": True, "status_code": 200, "context_id": context_id}
            )
            if isinstance(behaviour, Speak) and behaviour.drop_after_done:
                await ws.close(code=1011, message=b"fake drop")
                return False
        return True

    def _said(self, generation: dict[str, Any]) -> int:
        """Words its context said before `generation`, whose words are then counted."""
        context_id = generation["context_id"]
        before = self._words.get(context_id, 0)
        self._words[context_id] = before + len(generation["transcript"].split())
        return before

    def _fault_for(self, context_id: str) -> Fault | None:
        """A reply's fault, drawn when its first request arrives."""
        if context_id not in self._contexts:
            self._contexts[context_id] = self.faults.next()
        return self._contexts[context_id]


async def send_speech(
    ws: web.WebSocketResponse,
    generation: dict[str, Any],
    limit: int | None = None,
    pause: float = 0.0,
    offset: int = 0,
    cancelled: Callable[[], bool] = lambda: False,
):
    """One `chunk` per word (a tone, so it is not silence), each followed by its word's
    `timestamps`, as Cartesia interleaves them.

    `limit`: send only that many words (a drop); `pause`: seconds before each chunk;
    `offset`: words the context already said (its timestamps run on from them);
    `cancelled`: whether the client cancelled the context (the rest is not sent)."""
    context_id = generation["context_id"]
    sample_rate = generation["output_format"]["sample_rate"]
    words = generation["transcript"].split()
    for index, word in enumerate(words):
        if limit is not None and index >= limit:
            return
        if pause:
            await asyncio.sleep(pause)
        if cancelled():
            return
        await ws.send_json(
            {
                "type": "chunk",
                "data": base64.b64encode(tone(sample_rate, WORD_SECS)).decode(),
                "done": False,
                "status_code": 206,
                "step_time": 1.0,
                "context_id": context_id,
            }
        )
        if generation.get("add_timestamps"):
            start = (offset + index) * WORD_SECS
            await ws.send_json(
                {
                    "type": "timestamps",
                    "done": False,
                    "status_code": 206,
                    "context_id": context_id,
                    "word_timestamps": {
                        "words": [word],
                        "start": [start],
                        "end": [start + WORD_SECS],
                    },
                }
            )


def error(context_id: str, message: str, status: int = 400) -> dict[str, Any]:
    return {
        "type": "error",
        "done": True,
        "status_code": status,
        "context_id": context_id,
        "error": message,
    }


def tone(sample_rate: int, seconds: float) -> bytes:
    """16-bit little-endian mono PCM of a 440 Hz tone."""
    count = int(sample_rate * seconds)
    return b"".join(
        int(8000 * math.sin(2 * math.pi * 440 * n / sample_rate)).to_bytes(2, "little", signed=True)
        for n in range(count)
    )
