"""What the server tests share: a real aiortc offer, a bot that only waits, an ASGI client."""

import asyncio
import socket

import httpx
from aiortc import RTCPeerConnection

from settings import Settings
from web.server import CallServer, create_app


async def browser_like_offer() -> str:
    """An SDP offer for audio and a data channel, as a browser makes one (aiortc here)."""
    peer = RTCPeerConnection()
    try:
        peer.addTransceiver("audio", direction="sendrecv")
        peer.createDataChannel("chat")
        await peer.setLocalDescription(await peer.createOffer())
        return peer.localDescription.sdp
    finally:
        await peer.close()


async def settle() -> None:
    """Let tasks just created (a call's bot) take their first step."""
    for _ in range(3):
        await asyncio.sleep(0)


class WaitingBot:
    """A stand-in for bot.py's `bot()`: each session runs until `end_all()`."""

    def __init__(self):
        self.sessions = []
        self._end = asyncio.Event()

    async def __call__(self, runner_args):
        self.sessions.append(runner_args)
        await self._end.wait()

    def end_all(self):
        self._end.set()


def server_settings(**overrides) -> Settings:
    return Settings(_env_file=None, **overrides)


def call_server(bot=None, ready=None, **overrides) -> CallServer:
    return CallServer(bot or WaitingBot(), server_settings(**overrides), ready=ready)


def client(server: CallServer) -> httpx.AsyncClient:
    """An HTTP client straight into the app (no socket), as if from the page's own origin."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(server)), base_url="http://localhost:7860"
    )


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
