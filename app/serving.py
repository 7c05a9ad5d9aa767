"""How `python bot.py` serves callers: the bot's own server, or Pipecat's runner for Daily.

WebRTC (the page) and the /ws eval endpoint run on the bot's own server
(web/server.py: limits, MAX_SESSIONS, drain, health). `-t daily`, `-d` and the
runner's other transports still run on Pipecat's development runner; there the
same MAX_SESSIONS holds (a call past it gets 503 before any room is made, and a
session the runner starts anyway is not run), and request bodies are capped, but
there is no drain and no /healthz or /readyz.
"""

import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from loguru import logger
from pipecat.runner.types import RunnerArguments

from app.resources import booking_tools
from settings import Settings
from web.command_line import parse_server_args
from web.http_limits import BodyLimit, send_error
from web.server import REFUSALS, CallServer
from web.sessions import SessionGate

Bot = Callable[[RunnerArguments], Awaitable[None]]

# Set only when Pipecat's runner serves: then each session takes its line in `bot()`.
_runner_gate: SessionGate | None = None
# The runner's routes that start a call (POST, or Daily's GET /daily).
_RUNNER_CALL_ROUTES = ("/start", "/daily", "/daily-dialin-webhook", "/api/offer", "/ws")


def store_reachable(settings: Settings) -> Callable[[], bool]:
    """For /readyz: whether the reservation store answers now."""

    def check() -> bool:
        return booking_tools(settings).store.reachable()

    return check


def serve_own(bot: Bot, settings: Settings, argv: list[str]) -> None:
    """Run the bot's own server (WebRTC page and /ws) until SIGTERM's drain or Ctrl-C."""
    from web.serve import serve

    args = parse_server_args(argv, settings.pipecat_ice_servers)
    if args.allowed_origins:
        extra = ",".join((*settings.allowed_origin_list, *args.allowed_origins))
        settings = settings.model_copy(update={"allowed_origins": extra})
    calls = CallServer(
        bot,
        settings,
        ice_servers=args.ice_servers,
        esp32=args.esp32,
        host=args.host,
        runner_body=args.runner_body,
        cli_args=args.namespace,
        ready=store_reachable(settings),
    )
    serve(calls, args.host, args.port, args.verbose)


@asynccontextmanager
async def runner_line(runner_args: RunnerArguments) -> AsyncIterator[bool]:
    """Under Pipecat's runner: a line for this session (False: all busy). Elsewhere: True."""
    if _runner_gate is None:
        yield True
        return
    line = _runner_gate.try_take()
    if line is None:
        logger.warning("All lines are busy (MAX_SESSIONS): this session is not run")
        yield False
        return
    try:
        yield True
    finally:
        line.release()


def serve_with_pipecat_runner(settings: Settings) -> None:
    """Pipecat's development runner, for Daily and its other transports, with our cap."""
    global _runner_gate
    from pipecat.runner.run import app as runner_app
    from pipecat.runner.run import main

    _runner_gate = SessionGate(settings.max_sessions)
    _add_runner_limits(runner_app, _runner_gate, settings)
    main()


def _add_runner_limits(app: FastAPI, gate: SessionGate, settings: Settings) -> None:
    """503 on the runner's call-starting routes when every line is taken; bodies capped."""

    class Cap:
        def __init__(self, inner):
            self.app = inner

        async def __call__(self, scope, receive, send):
            path = scope.get("path", "")
            starting = scope["type"] in ("http", "websocket") and (
                path in _RUNNER_CALL_ROUTES or path.endswith("/api/offer")
            )
            if starting and scope.get("method", "GET") != "PATCH" and (reason := gate.refusal()):
                if scope["type"] == "websocket":
                    await receive()
                    await send({"type": "websocket.close", "code": 1013})
                else:
                    await send_error(send, 503, reason, REFUSALS[reason])
                return
            await self.app(scope, receive, send)

    app.add_middleware(
        BodyLimit, max_bytes=settings.max_body_bytes, max_header_bytes=settings.max_header_bytes
    )
    app.add_middleware(Cap)
    print(
        "Serving with Pipecat's development runner (-t/-d): no drain, no /readyz", file=sys.stderr
    )
