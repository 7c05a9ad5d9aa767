"""Runs the bot's server under uvicorn with its limits, and drains on SIGTERM.

SIGTERM: new calls get 503 (`draining`) and /readyz fails at once; calls in
progress may go on for DRAIN_TIMEOUT_SECS; then the server stops, ends what is
left, and the process exits 0. SIGINT (Ctrl-C) stops at once; a second SIGTERM
too. Uvicorn would re-raise the signal after its shutdown (exit -15); this
server does not, so an orchestrator sees a clean exit.
"""

import asyncio
import signal
import sys
import threading
from collections.abc import Generator
from contextlib import contextmanager
from types import FrameType

import uvicorn
from loguru import logger

from web.http_limits import DeadlineH11Protocol
from web.server import CallServer, create_app

# Seconds uvicorn waits for open connections after the drain (a /ws call still running).
GRACEFUL_CLOSE_SECS = 5
# The largest websocket message (the eval harness sends 40 ms audio frames and text lines).
WS_MAX_MESSAGE_BYTES = 1024 * 1024


class DrainingServer(uvicorn.Server):
    """Uvicorn's server with a drain on SIGTERM and no re-raised signal at exit."""

    def __init__(self, config: uvicorn.Config, calls: CallServer, drain_timeout: float):
        """Args:
        config: uvicorn's configuration.
        calls: the calls to drain.
        drain_timeout: how long calls in progress may go on after SIGTERM (s).
        """
        super().__init__(config)
        self.calls = calls
        self.drain_timeout = drain_timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drain: asyncio.Task | None = None

    async def startup(self, sockets=None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().startup(sockets)

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig == signal.SIGTERM and self._drain is None and self._loop is not None:
            self._loop.call_soon_threadsafe(self.start_drain)
            return
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True

    def start_drain(self) -> None:
        """Stop taking calls; stop the server once the calls end or the time is up."""
        if self._drain is None:
            self._drain = asyncio.create_task(self._drain_then_exit())

    async def _drain_then_exit(self) -> None:
        gate = self.calls.gate
        logger.info(
            f"Draining: no new calls; {gate.active} in progress may go on for up to "
            f"{self.drain_timeout:g} s"
        )
        if await gate.drained(self.drain_timeout):
            logger.info("Drained: no call in progress; stopping")
        else:
            logger.warning(f"Drain timeout: ending {gate.active} call(s) still in progress")
        self.should_exit = True


def build_server(calls: CallServer, host: str, port: int) -> DrainingServer:
    """The uvicorn server for `calls`, with the settings' limits."""
    settings = calls.settings
    protocol = type(
        "LimitedH11Protocol",
        (DeadlineH11Protocol,),
        {"request_timeout": settings.request_timeout_secs},
    )
    config = uvicorn.Config(
        create_app(calls),
        host=host,
        port=port,
        http=protocol,
        h11_max_incomplete_event_size=settings.max_header_bytes,
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=GRACEFUL_CLOSE_SECS,
        ws_max_size=WS_MAX_MESSAGE_BYTES,
        server_header=False,
    )
    return DrainingServer(config, calls, settings.drain_timeout_secs)


def serve(calls: CallServer, host: str, port: int, verbose: int = 0) -> None:
    """Serve until stopped (see the module docstring); returns normally, for exit 0."""
    logger.remove()
    logger.add(sys.stderr, level="TRACE" if verbose else "DEBUG")
    print()
    print("🚀 Bot ready!")
    print(f"   → Open: http://{host}:{port}")
    print(f"   → Calls at once: {calls.settings.max_sessions} (MAX_SESSIONS)")
    print()
    build_server(calls, host, port).run()
