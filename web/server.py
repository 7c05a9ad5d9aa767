"""The bot's own HTTP server: the caller's page, WebRTC signalling, the eval websocket, health.

It replaces Pipecat's development runner for `make run` (which set no limits) and
reuses its SmallWebRTC request handler. What it answers, and why, is in
docs/security.md; every refusal is JSON `{"error": <code>, "detail": <text>}`:

- POST /api/offer: a WebRTC offer starts a call; 400 `invalid_offer` for anything
  that is not an audio offer (nothing is started), 503 `busy`/`draining`.
- PATCH /api/offer: ICE candidates for a call in progress; 400, 404 `unknown_peer`.
- POST /start, then POST|PATCH /sessions/{id}/api/offer: Pipecat's client flow; an
  entry unused for START_TTL_SECS lapses (404 `unknown_session`).
- WS /ws: Pipecat's eval harness (and telephony media streams); a call like any other.
- GET /healthz, /readyz, /status.

`bot` is the entry point Pipecat calls for each session (bot.py's `bot()`); the
server knows nothing about what it does.
"""

import argparse
import asyncio
import uuid
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, WebSocket
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from loguru import logger
from pipecat.runner.types import (
    RunnerArguments,
    SmallWebRTCRunnerArguments,
    WebSocketRunnerArguments,
)
from pipecat.transports.smallwebrtc.connection import IceServer, SmallWebRTCConnection
from pipecat.transports.smallwebrtc.request_handler import (
    IceCandidate,
    SmallWebRTCPatchRequest,
    SmallWebRTCRequest,
    SmallWebRTCRequestHandler,
)
from starlette.exceptions import HTTPException as StarletteHTTPException

from settings import Settings
from web.http_limits import BodyLimit, OriginCheck
from web.offers import InvalidRequest, Offer, parse_offer, parse_patch
from web.page import mount_page
from web.sessions import Line, PendingStarts, SessionGate

Bot = Callable[[RunnerArguments], Awaitable[None]]
ReadyCheck = Callable[[], bool]

REFUSALS = {
    "busy": "all lines are busy; try again in a moment",
    "draining": "the bot is shutting down; try again in a moment",
}
ERRORS = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
# A `/start` entry per line is enough for a caller who fetched one and then had to retry.
STARTS_PER_LINE = 4
STORE_CHECK_SECS = 2.0


def error(status: int, code: str, detail: str, headers: dict | None = None) -> JSONResponse:
    """The JSON body every refusal has."""
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


def refused(reason: str) -> JSONResponse:
    """503 for a call the gate will not take now."""
    return error(503, reason, REFUSALS[reason])


class CallServer:
    """The calls in progress, their lines, and the routes that start them."""

    def __init__(
        self,
        bot: Bot,
        settings: Settings,
        ice_servers: list[dict] | None = None,
        esp32: bool = False,
        host: str = "localhost",
        runner_body: Any = None,
        cli_args: argparse.Namespace | None = None,
        ready: ReadyCheck | None = None,
    ):
        """Args:
        bot: Pipecat's per-session entry point.
        settings: the limits (MAX_SESSIONS and the rest).
        ice_servers: STUN/TURN servers, as Pipecat's runner parses them.
        esp32: Pipecat's SDP munging for ESP32 clients.
        host: the host the server listens on (used by the ESP32 munging).
        runner_body: the body each /ws session gets (the eval's `--runner-body`).
        cli_args: handed to the bot as `runner_args.cli_args`.
        ready: whether the store answers (for /readyz); None: always.
        """
        self.bot = bot
        self.settings = settings
        self.ice_servers = ice_servers or []
        self.runner_body = runner_body
        self.cli_args = cli_args
        self.ready = ready or (lambda: True)
        self.gate = SessionGate(settings.max_sessions)
        self.starts = PendingStarts(
            settings.start_ttl_secs, settings.max_sessions * STARTS_PER_LINE
        )
        self.handler = SmallWebRTCRequestHandler(
            ice_servers=[IceServer(**server) for server in self.ice_servers] or None,
            esp32_mode=esp32,
            host=host,
        )
        self.calls: set[asyncio.Task] = set()
        self.live_peers: set[str] = set()
        self.live_sessions: set[str] = set()

    # --- calls -------------------------------------------------------------------------

    def spawn(
        self, session: Awaitable[None], line: Line, on_end: Callable[[], None]
    ) -> asyncio.Task:
        """Run one call's bot; its line is given back however it ends."""

        async def call():
            try:
                await session
            except asyncio.CancelledError:
                raise
            except Exception as failure:
                logger.error(f"A call ended with {type(failure).__name__}")
            finally:
                line.release()
                on_end()

        task = asyncio.create_task(call())
        self.calls.add(task)
        task.add_done_callback(self.calls.discard)
        return task

    def start_webrtc_call(
        self, connection: SmallWebRTCConnection, line: Line, body: Any, session_id: str
    ) -> asyncio.Task:
        """The bot for a new peer connection, ended if the peer never connects."""
        connected = asyncio.Event()

        @connection.event_handler("connected")
        async def on_connected(_connection):
            connected.set()

        peer = connection.pc_id
        runner_args = SmallWebRTCRunnerArguments(
            webrtc_connection=connection, body=body, session_id=session_id
        )
        runner_args.cli_args = self.cli_args
        self.live_sessions.add(session_id)

        def on_end():
            # A renegotiation with restart_pc gives the connection a new id.
            self.live_peers.difference_update({peer, connection.pc_id})
            self.live_sessions.discard(session_id)

        task = self.spawn(self.bot(runner_args), line, on_end)

        async def watch():
            try:
                await asyncio.wait_for(connected.wait(), self.settings.connect_timeout_secs)
            except TimeoutError:
                logger.warning("A caller's connection did not come up in time: call ended")
                task.cancel()
                await connection.disconnect()

        watcher = asyncio.create_task(watch())
        task.add_done_callback(lambda _: watcher.cancel())
        return task

    def start_websocket_call(
        self, websocket: WebSocket, runner_args: WebSocketRunnerArguments, line: Line
    ) -> asyncio.Task:
        """The bot for a /ws connection, ended if the client sends nothing in time (Pipecat
        waits for its first message, which says what the stream is, without a limit)."""
        spoke = asyncio.Event()
        receive = websocket.receive

        async def receive_noting():
            message = await receive()
            spoke.set()
            return message

        websocket.receive = receive_noting
        task = self.spawn(self.bot(runner_args), line, lambda: None)

        async def watch():
            try:
                await asyncio.wait_for(spoke.wait(), self.settings.connect_timeout_secs)
            except TimeoutError:
                logger.warning("A websocket client sent nothing in time: call ended")
                task.cancel()
                await websocket.close(code=1008)

        watcher = asyncio.create_task(watch())
        task.add_done_callback(lambda _: watcher.cancel())
        return task

    async def answer_offer(self, offer: Offer, body: Any, session_id: str) -> JSONResponse | dict:
        """The SDP answer: renegotiation of a call in progress, or a new call on a free line."""
        request = SmallWebRTCRequest(
            sdp=offer.sdp,
            type=offer.type,
            pc_id=offer.pc_id if offer.pc_id in self.live_peers else None,
            restart_pc=offer.restart_pc,
            request_data=body,
        )
        if request.pc_id is not None:  # the same call: no new line
            try:
                answer = await self.handler.handle_web_request(request, self._no_new_call)
            except Exception as failure:
                logger.warning(f"A renegotiation was refused: {type(failure).__name__}")
                return error(400, "invalid_offer", "the offer could not be answered")
            if answer["pc_id"] != request.pc_id:  # restart_pc: the same call, a new id
                self.live_peers.discard(request.pc_id)
                self.live_peers.add(answer["pc_id"])
            return answer
        line = self.gate.try_take()
        if line is None:
            return refused(self.gate.refusal() or "busy")
        started: list[asyncio.Task] = []

        async def on_connection(connection: SmallWebRTCConnection):
            started.append(self.start_webrtc_call(connection, line, body, session_id))

        try:
            answer = await self.handler.handle_web_request(request, on_connection)
        except Exception as failure:
            logger.warning(f"An offer was refused: {type(failure).__name__}")
            for task in started:
                task.cancel()
            line.release()
            return error(400, "invalid_offer", "the offer could not be answered")
        self.live_peers.add(answer["pc_id"])
        return answer

    @staticmethod
    async def _no_new_call(connection: SmallWebRTCConnection) -> None:
        raise RuntimeError("a renegotiation never starts a call")

    async def close(self) -> None:
        """End every call still running (after the drain, or on Ctrl-C)."""
        for task in list(self.calls):
            task.cancel()
        if self.calls:
            await asyncio.wait(list(self.calls), timeout=5)
        await self.handler.close()

    # --- readiness ---------------------------------------------------------------------

    async def readiness(self) -> tuple[bool, str]:
        """(ready, reason): not draining, a line free, and the store answering."""
        if reason := self.gate.refusal():
            return False, "draining" if reason == "draining" else "full"
        try:
            reachable = await asyncio.wait_for(asyncio.to_thread(self.ready), STORE_CHECK_SECS)
        except Exception:
            reachable = False
        return (True, "ready") if reachable else (False, "store_unreachable")


def create_app(server: CallServer) -> FastAPI:
    """The FastAPI app: the page, signalling, /ws, health; limits and CORS around it."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        await server.close()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    settings = server.settings
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_body_bytes, max_header_bytes=settings.max_header_bytes
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origin_list),
        allow_credentials=False,
        allow_methods=["GET", "POST", "PATCH"],
        allow_headers=["Content-Type"],
    )
    # Outermost: another origin's preflight gets the same JSON 403 as its POST.
    app.add_middleware(OriginCheck, allowed=settings.allowed_origin_list)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        code = ERRORS.get(exc.status_code, f"http_{exc.status_code}")
        detail = exc.detail if isinstance(exc.detail, str) else code
        return error(exc.status_code, code, detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, _exc: RequestValidationError):
        return error(400, "bad_request", "the request is not valid")

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception):
        logger.error(f"Request failed: {type(exc).__name__}")
        return error(500, "internal", "something went wrong on our side")

    mount_page(app)

    # One route per path for POST and PATCH, so a 405 lists both in `Allow`.
    @app.api_route("/api/offer", methods=["POST", "PATCH"])
    async def offer(request: Request):
        if request.method == "PATCH":
            return await _patch(await request.body())
        try:
            parsed = parse_offer(await request.body())
        except InvalidRequest as problem:
            return error(400, "invalid_offer", str(problem))
        return await server.answer_offer(parsed, parsed.request_data, str(uuid.uuid4()))

    async def _patch(body: bytes):
        try:
            patch = parse_patch(body)
        except InvalidRequest as problem:
            return error(400, "invalid_candidates", str(problem))
        if patch.pc_id not in server.live_peers:
            return error(404, "unknown_peer", "no call in progress has this peer connection")
        request = SmallWebRTCPatchRequest(
            pc_id=patch.pc_id,
            candidates=[IceCandidate(**item.model_dump()) for item in patch.candidates],
        )
        try:
            await server.handler.handle_patch_request(request)
        except Exception as failure:
            logger.warning(f"ICE candidates were refused: {type(failure).__name__}")
            return error(400, "invalid_candidates", "the candidates could not be added")
        return {"status": "success"}

    @app.post("/start")
    async def start(request: Request):
        raw = await request.body()
        try:
            data = parse_start(raw)
        except InvalidRequest as problem:
            return error(400, "bad_request", str(problem))
        if data.get("transport", "webrtc") != "webrtc":
            return error(400, "unsupported_transport", "this server takes WebRTC calls only")
        if reason := server.gate.refusal():
            return refused(reason)
        session_id = server.starts.add(data.get("body") or {})
        if session_id is None:
            return refused("busy")
        result: dict[str, Any] = {"sessionId": session_id}
        if server.ice_servers:
            result["iceConfig"] = {"iceServers": server.ice_servers}
        return result

    @app.api_route("/sessions/{session_id}/api/offer", methods=["POST", "PATCH"])
    async def session_offer(session_id: str, request: Request):
        if request.method == "PATCH":
            if session_id not in server.live_sessions:
                return error(404, "unknown_session", "no such session, or it has expired")
            return await _patch(await request.body())
        try:
            parsed = parse_offer(await request.body())
        except InvalidRequest as problem:
            return error(400, "invalid_offer", str(problem))
        if parsed.pc_id in server.live_peers and session_id in server.live_sessions:
            return await server.answer_offer(parsed, parsed.request_data, session_id)
        found, body = server.starts.take(session_id)
        if not found:
            return error(404, "unknown_session", "no such session, or it has expired")
        return await server.answer_offer(parsed, parsed.request_data or body, session_id)

    @app.websocket("/ws")
    async def media_stream(websocket: WebSocket):
        line = server.gate.try_take()
        if line is None:
            reason = server.gate.refusal() or "busy"
            await websocket.send_denial_response(refused(reason))
            return
        await websocket.accept()
        runner_args = WebSocketRunnerArguments(
            websocket=websocket, session_id=str(uuid.uuid4()), body=server.runner_body
        )
        runner_args.cli_args = server.cli_args
        call = server.start_websocket_call(websocket, runner_args, line)
        try:
            await asyncio.shield(call)
        except asyncio.CancelledError:
            if asyncio.current_task().cancelling():
                raise  # the server is stopping; close() ends the call

    @app.get("/healthz")
    async def healthz():
        return {"alive": True}

    @app.get("/readyz")
    async def readyz():
        ok, reason = await server.readiness()
        body = {
            "ready": ok,
            "reason": reason,
            "calls": server.gate.active,
            "max_sessions": server.gate.max_sessions,
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/status")
    async def status():
        return {"status": "ready", "transports": ["webrtc"]}

    return app


def parse_start(raw: bytes) -> dict:
    """A /start body: empty, or a JSON object whose `body`, if any, is an object."""
    import json

    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise InvalidRequest("the body is not JSON") from None
    if not isinstance(data, dict):
        raise InvalidRequest("the body is not a JSON object")
    if not isinstance(data.get("body", {}), dict | None) or not isinstance(
        data.get("transport", "webrtc"), str
    ):
        raise InvalidRequest("invalid: body or transport")
    return data
