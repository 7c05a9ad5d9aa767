"""A local server that speaks Deepgram's live transcription websocket (/v1/listen).

The real `deepgram` SDK (and so the real `DeepgramSTTService`) connects to it
through the base URL. Each connection takes the next scripted behaviour: listen
(binary audio in, `Results` JSON out), refuse the handshake with an HTTP status,
or drop the socket after a transcript. Connections, query parameters, audio
bytes and control messages are recorded.

`faults` spoils any connection of a call, counted from 0 (`provider_fakes.faults`):
refuse, 500 and 429 at the handshake; stall (no result for `stall_secs`), drop
(after `after` results), trickle (each result `trickle_secs` late) and malformed
once connected. `timing.final_secs` answers a `Finalize` with the final
(from_finalize) result that long after it, as a healthy Deepgram does.

A conversation (`say`) scripts the caller's utterances one at a time instead, with
a fault at any moment of the call: interim results while the audio comes, the
final with the words once asked to finalize (the end of the turn).

`lines` makes every connection a conversation of its own instead (many calls at once,
bench/load.py): each stretch of voiced audio is the connection's next line.
"""

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from provider_fakes import serve_on_loopback
from provider_fakes.faults import INSTANT, Fault, Faults, Timing

API_KEY = "dg-fake-key"


@dataclass(frozen=True)
class Listen:
    """Accept; after each `bytes_per_transcript` bytes of audio, send an interim then a final result."""

    transcripts: Sequence[str]
    bytes_per_transcript: int = 3200
    drop_after: bool = False
    """Close the socket abnormally once the last transcript is sent."""


@dataclass(frozen=True)
class Reject:
    """Refuse the websocket handshake with this HTTP status."""

    status: int


Behaviour = Listen | Reject


@dataclass
class Utterance:
    """What the caller says next (`FakeDeepgram.say`), and how far the fake got with it."""

    transcript: str
    fault: Fault | None = None
    bytes_per_interim: int = 3200
    heard: int = 0
    interims: int = 0
    started: float | None = None
    done: bool = False


@dataclass
class Connection:
    """One connection attempt the fake received."""

    query: dict[str, str]
    headers: dict[str, str]
    """Lower-cased names."""
    audio_bytes: int = 0
    controls: list[dict[str, Any]] = field(default_factory=list)
    """The JSON control messages (KeepAlive, Finalize, CloseStream)."""


class FakeDeepgram:
    """ws://127.0.0.1:<free port>/v1/listen; use as `async with`."""

    def __init__(
        self,
        behaviours: Sequence[Behaviour] = (),
        *,
        faults: Faults | None = None,
        timing: Timing = INSTANT,
        lines: Sequence[str] = (),
    ):
        """Args:
        behaviours: what each connection does, in turn (`Listen` with no transcripts after).
        faults: spoils connections (see the module).
        timing: `final_secs` delays each answer to a Finalize.
        lines: each connection says these lines in turn, whatever other calls say.
        """
        self._lines = tuple(lines)
        self._behaviours = list(behaviours)
        self.faults = faults or Faults()
        self._timing = timing
        self.connections: list[Connection] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._utterance: Utterance | None = None
        self._handshake_fault: Fault | None = None

    def say(self, transcript: str, fault: Fault | None = None):
        """The caller's next utterance is `transcript`: from now on each connection is a
        conversation. `fault` spoils this one utterance: refuse, 500, 429 (the socket drops
        in the middle of it and the reconnection meets the fault), stall (no result for
        `stall_secs` from its first audio), drop (after `after` interim results), trickle
        (each result `trickle_secs` late), malformed (every result is not JSON)."""
        self._utterance = Utterance(transcript, fault)

    async def __aenter__(self) -> "FakeDeepgram":
        app = web.Application()
        app.router.add_get("/v1/listen", self._listen)
        self._runner, address = await serve_on_loopback(app)
        self.base_url = f"ws://{address}"
        return self

    async def __aexit__(self, *exc_info):
        await self._runner.cleanup()

    async def _listen(self, request: web.Request) -> web.StreamResponse:
        headers = {name.lower(): value for name, value in request.headers.items()}
        connection = Connection(query=dict(request.query), headers=headers)
        self.connections.append(connection)
        if headers.get("authorization") != f"Token {API_KEY}":
            return web.Response(status=401, text="invalid credentials")
        behaviour = self._behaviours.pop(0) if self._behaviours else Listen(())
        fault = self.faults.next()
        if self._handshake_fault is not None:
            fault, self._handshake_fault = self._handshake_fault, None
        if fault is not None and fault.kind == "refuse":
            request.transport.close()
            return web.Response(status=500)
        if fault is not None and fault.kind in ("500", "429"):
            return web.Response(status=int(fault.kind), text=f"fake {fault.kind}")
        if isinstance(behaviour, Reject):
            return web.Response(status=behaviour.status, text="fake rejection")

        ws = web.WebSocketResponse()
        await ws.prepare(request)
        if self._lines:
            return await self._recite(ws, connection)
        if self._utterance is not None:
            return await self._converse(ws, connection)
        pending = list(behaviour.transcripts)
        heard = 0
        sent = 0
        loop = asyncio.get_running_loop()
        # A stall answers nothing until it is over; the socket is still read, so it closes.
        stalled_until = loop.time() + fault.stall_secs if fault and fault.kind == "stall" else 0
        async for message in ws:
            if message.type == WSMsgType.BINARY:
                connection.audio_bytes += len(message.data)
                heard += len(message.data)
                if loop.time() < stalled_until:
                    continue
                if pending and heard >= behaviour.bytes_per_transcript:
                    heard = 0
                    if fault is not None and fault.kind == "trickle":
                        await asyncio.sleep(fault.trickle_secs)
                    elif fault is not None and fault.kind == "malformed":
                        await ws.send_str("{not json")
                    await send_results(ws, pending.pop(0))
                    sent += 1
                    dropped = fault is not None and fault.kind == "drop" and sent >= fault.after
                    if dropped or (not pending and behaviour.drop_after):
                        await ws.close(code=1011, message=b"fake drop")
                        break
            elif message.type == WSMsgType.TEXT:
                control = json.loads(message.data)
                connection.controls.append(control)
                if control.get("type") == "Finalize" and loop.time() >= stalled_until:
                    await asyncio.sleep(self._timing.final_secs)
                    await ws.send_json(results("", is_final=True, from_finalize=True))
                if control.get("type") == "CloseStream":
                    await ws.send_json(metadata(connection))
                    await ws.close()
                    break
        return ws

    async def _converse(self, ws: web.WebSocketResponse, connection: Connection):
        """A conversation's connection: see `say`. Results go out from a task of their own,
        so a trickle never stops the fake from reading; those of an utterance the caller has
        moved on from are dropped."""
        loop = asyncio.get_running_loop()
        outbox: asyncio.Queue[tuple[Utterance | None, str, bool]] = asyncio.Queue()
        sender = asyncio.create_task(self._send_all(ws, outbox))
        try:
            async for message in ws:
                now, said = loop.time(), self._utterance
                fault = said.fault if said is not None and not said.done else None
                stalled = (
                    fault is not None
                    and fault.kind == "stall"
                    and said.started is not None
                    and now < said.started + fault.stall_secs
                )
                if message.type == WSMsgType.BINARY:
                    connection.audio_bytes += len(message.data)
                    if said is None or said.done:
                        continue
                    said.started = now if said.started is None else said.started
                    said.heard += len(message.data)
                    if said.heard < (said.interims + 1) * said.bytes_per_interim or stalled:
                        continue
                    if fault is not None and fault.kind in ("refuse", "500", "429"):
                        # The server goes away cleanly; the client's reconnection meets it.
                        self._handshake_fault, said.fault = fault, None
                        await ws.close(code=1001, message=b"fake restart")
                        break
                    said.interims += 1
                    words = said.transcript.split()
                    outbox.put_nowait((said, " ".join(words[: said.interims]), False))
                    if fault is not None and fault.kind == "drop" and said.interims >= fault.after:
                        await outbox.join()
                        await ws.close(code=1011, message=b"fake drop")
                        break
                elif message.type == WSMsgType.TEXT:
                    control = json.loads(message.data)
                    connection.controls.append(control)
                    if control.get("type") == "Finalize" and not stalled:
                        text = said.transcript if said is not None and not said.done else ""
                        outbox.put_nowait((said, text, True))
                        if said is not None:
                            said.done = True
                    elif control.get("type") == "CloseStream":
                        await ws.send_json(metadata(connection))
                        await ws.close()
                        break
        finally:
            sender.cancel()
        return ws

    async def _recite(self, ws: web.WebSocketResponse, connection: Connection):
        """A connection with lines of its own (`lines`): voiced audio (the caller's silence is
        zeros) is the next line, an interim result per `bytes_per_interim` of it; a Finalize
        answers with the line's final, and the line after it is said next."""
        outbox: asyncio.Queue[tuple[Utterance | None, str, bool]] = asyncio.Queue()
        sender = asyncio.create_task(self._send_all(ws, outbox))
        said, turn = Utterance(self._lines[0]), 0
        try:
            async for message in ws:
                if message.type == WSMsgType.BINARY:
                    connection.audio_bytes += len(message.data)
                    if not said.heard and not any(message.data):
                        continue
                    said.heard += len(message.data)
                    if said.heard >= (said.interims + 1) * said.bytes_per_interim:
                        said.interims += 1
                        words = said.transcript.split()[: said.interims]
                        outbox.put_nowait((None, " ".join(words), False))
                elif message.type == WSMsgType.TEXT:
                    control = json.loads(message.data)
                    connection.controls.append(control)
                    if control.get("type") == "Finalize":
                        outbox.put_nowait((None, said.transcript if said.heard else "", True))
                        if said.heard:
                            turn += 1
                            said = Utterance(self._lines[turn % len(self._lines)])
                    elif control.get("type") == "CloseStream":
                        await ws.send_json(metadata(connection))
                        await ws.close()
                        break
        finally:
            sender.cancel()
        return ws

    async def _send_all(self, ws: web.WebSocketResponse, outbox: asyncio.Queue):
        while True:
            said, text, final = await outbox.get()
            fault = said.fault if said is not None else None
            try:
                if said is not None and said is not self._utterance:
                    continue  # the caller has moved on: a late result of theirs is dropped
                if fault is not None and fault.kind == "trickle":
                    await asyncio.sleep(fault.trickle_secs)
                if final:
                    await asyncio.sleep(self._timing.final_secs)
                if fault is not None and fault.kind == "malformed":
                    await ws.send_str("{not json")
                else:
                    await ws.send_json(results(text, is_final=final, from_finalize=final))
            except ConnectionError:
                return
            finally:
                outbox.task_done()


async def send_results(ws: web.WebSocketResponse, transcript: str):
    """An interim result with the first half of the words, then the final one."""
    words = transcript.split()
    interim = " ".join(words[: max(1, len(words) // 2)])
    await ws.send_json(results(interim, is_final=False))
    await asyncio.sleep(0)
    await ws.send_json(results(transcript, is_final=True))


def results(transcript: str, *, is_final: bool, from_finalize: bool = False) -> dict[str, Any]:
    words = transcript.split()
    return {
        "type": "Results",
        "channel_index": [0, 1],
        "duration": 0.5 * len(words),
        "start": 0.0,
        "is_final": is_final,
        "speech_final": is_final,
        "from_finalize": from_finalize,
        "channel": {
            "alternatives": [
                {
                    "transcript": transcript,
                    "confidence": 0.98,
                    "words": [
                        {
                            "word": word.lower().strip(".,?!"),
                            "punctuated_word": word,
                            "start": 0.5 * index,
                            "end": 0.5 * index + 0.4,
                            "confidence": 0.98,
                        }
                        for index, word in enumerate(words)
                    ],
                }
            ]
        },
        "metadata": {
            "request_id": "fake-request",
            "model_info": {"name": "general-nova-3", "version": "fake", "arch": "nova-3"},
            "model_uuid": "fake-model",
        },
    }


def metadata(connection: Connection) -> dict[str, Any]:
    return {
        "type": "Metadata",
        "transaction_key": "deprecated",
        "request_id": "fake-request",
        "sha256": "0" * 64,
        "created": "2026-01-01T00:00:00.000Z",
        "duration": connection.audio_bytes / 32000,
        "channels": 1,
    }
