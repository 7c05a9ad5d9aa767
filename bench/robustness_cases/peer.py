"""A real WebRTC caller with aiortc: silence on the microphone and an RTVI data channel, as the
page's Pipecat client makes one (offer to /api/offer, `client-ready`, then messages)."""

import asyncio
import contextlib
import json
import time
from typing import Any

import httpx

from bench.robustness_cases.common import HANG_SECS

RTVI = "rtvi-ai"


class OfferRefused(Exception):
    """The bot answered the offer with an HTTP error."""

    def __init__(self, status: int, text: str):
        super().__init__(f"{status} {text[:100]}")
        self.status = status
        self.text = text


class Peer:
    """One call over WebRTC: `async with Peer(url) as peer:` connects and waits for bot-ready."""

    def __init__(self, url: str, ready: bool = True):
        self.url = url
        self.ready = ready
        self.messages: list[dict] = []
        self.raw: list[Any] = []
        self.pc_id: str | None = None
        self._new = asyncio.Event()
        self._ids = 0

    async def __aenter__(self) -> "Peer":
        from aiortc import RTCPeerConnection, RTCSessionDescription
        from aiortc.mediastreams import AudioStreamTrack

        self.pc = RTCPeerConnection()
        try:
            self.pc.addTrack(AudioStreamTrack())  # silence, as a muted microphone sends
            self.channel = self.pc.createDataChannel("chat", ordered=True)
            opened = asyncio.Event()
            self.channel.on("open", opened.set)
            self.channel.on("message", self._received)
            await self.pc.setLocalDescription(await self.pc.createOffer())
            offer = {"sdp": self.pc.localDescription.sdp, "type": "offer"}
            async with httpx.AsyncClient(timeout=HANG_SECS) as client:
                response = await client.post(f"{self.url}/api/offer", json=offer)
            if response.status_code != 200:
                raise OfferRefused(response.status_code, response.text)
            answer = response.json()
            self.pc_id = answer.get("pc_id")
            await self.pc.setRemoteDescription(
                RTCSessionDescription(sdp=answer["sdp"], type=answer["type"])
            )
            await asyncio.wait_for(opened.wait(), HANG_SECS)
            if self.ready:
                self.send_rtvi("client-ready", {"version": "1.0.0", "about": {"library": "robust"}})
                await self.wait_for("bot-ready")
                with contextlib.suppress(TimeoutError):  # the greeting, before any turn
                    await self.wait_for("bot-llm-stopped", secs=25.0)
        except BaseException:
            await self.pc.close()
            raise
        return self

    async def __aexit__(self, *exc):
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.pc.close(), 5)

    def _received(self, message):
        self.raw.append(message)
        with contextlib.suppress(ValueError, TypeError):
            decoded = json.loads(message)
            if isinstance(decoded, dict):
                self.messages.append(decoded)
        self._new.set()

    def send(self, message: str | bytes) -> None:
        self.channel.send(message)

    def send_rtvi(self, kind: str, data: Any = None) -> str:
        self._ids += 1
        message = {"label": RTVI, "type": kind, "id": f"m{self._ids}"}
        if data is not None:
            message["data"] = data
        self.send(json.dumps(message))
        return message["id"]

    def send_text(self, text: Any) -> str:
        return self.send_rtvi("send-text", {"content": text, "options": {"audio_response": False}})

    async def wait_for(self, kind: str, since: int = 0, secs: float = HANG_SECS) -> dict:
        """The first RTVI message of `kind` after the first `since` messages."""
        deadline = time.monotonic() + secs
        while True:
            for message in self.messages[since:]:
                if message.get("type") == kind:
                    return message
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind} within {secs:.0f} s")
            self._new.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new.wait(), left)

    async def reply_to(self, text: Any, secs: float = HANG_SECS) -> str:
        """Send `text` as a caller turn; the bot's reply text (bot-llm-text up to bot-llm-stopped)."""
        since = len(self.messages)
        self.send_text(text)
        await self.wait_for("bot-llm-stopped", since, secs)
        return self.text_since(since)

    def text_since(self, since: int) -> str:
        parts = [
            str((m.get("data") or {}).get("text", ""))
            for m in self.messages[since:]
            if m.get("type") == "bot-llm-text"
        ]
        return "".join(parts).strip()

    def kinds_since(self, since: int) -> list[str]:
        return [str(m.get("type")) for m in self.messages[since:]]
