"""Request limits uvicorn does not set by itself: body size, the caller's origin, slow senders.

- `BodyLimit` refuses request headers over MAX_HEADER_BYTES (431; h11 caps a
  head only while it is incomplete) and reads a request's body up to
  MAX_BODY_BYTES (413 past it) before the route sees it, so no route reads an
  unbounded body.
- `OriginCheck` refuses a state-changing request or a websocket from a page of
  another origin (403), whatever CORS a browser applies to the answer.
- `DeadlineH11Protocol` closes a connection whose request (head and body) has
  not arrived in full within REQUEST_TIMEOUT_SECS of its first byte, or of the
  connection opening: uvicorn only times out idle keep-alive connections, so a
  sender dribbling one header byte at a time would otherwise hold it forever.
  Request heads are capped by h11 (`h11_max_incomplete_event_size`).
"""

import asyncio
import json
from urllib.parse import urlsplit

import h11
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

SAFE_METHODS = ("GET", "HEAD")


async def send_error(send: Send, status: int, error: str, detail: str) -> None:
    """A JSON error answer `{"error": ..., "detail": ...}` straight from ASGI."""
    body = json.dumps({"error": error, "detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse headers over `max_header_bytes` (431) and a body over `max_bytes` (413)."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_header_bytes: int):
        """Args:
        app: the application behind.
        max_bytes: the largest body accepted.
        max_header_bytes: the most header bytes accepted, counted as sent.
        """
        self.app = app
        self.max_bytes = max_bytes
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        # As on the wire, "name: value\r\n": else many tiny headers pass (2000 are 24 kB).
        size = sum(len(name) + len(value) + 4 for name, value in scope["headers"])
        if size > self.max_header_bytes:
            if scope["type"] == "websocket":
                await receive()
                await send({"type": "websocket.close", "code": 1009})
            else:
                await send_error(
                    send, 431, "headers_too_large", f"at most {self.max_header_bytes} bytes"
                )
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await send_error(send, 413, "payload_too_large", f"at most {self.max_bytes} bytes")
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_error(send, 413, "payload_too_large", f"at most {self.max_bytes} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # blocks until the client goes, as the real one would

        await self.app(scope, replay, send)


def same_origin(origin: str, host: str | None) -> bool:
    """Whether the `Origin` header names the host the request was sent to (any scheme: a
    TLS-terminating proxy forwards https pages' requests over http)."""
    parts = urlsplit(origin)
    if not parts.hostname or host is None:
        return False
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = parts.port or default
    asked = urlsplit(f"//{host}")
    asked_port = asked.port or default
    return parts.hostname == asked.hostname and port == asked_port


class OriginCheck:
    """403 for a request other than GET/HEAD (a CORS preflight too), or a websocket, whose
    `Origin` is neither the page's own nor one of `allowed`; requests without an `Origin`
    (curl, the eval harness) pass."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]):
        """Args:
        app: the application behind.
        allowed: other origins allowed, as scheme://host[:port].
        """
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = dict(scope["headers"])
            origin = headers.get(b"origin")
            checked = scope["type"] == "websocket" or scope["method"] not in SAFE_METHODS
            if origin is not None and checked:
                text = origin.decode("latin-1").lower().rstrip("/")
                host = headers.get(b"host")
                allowed = text in self.allowed or same_origin(
                    text, host.decode("latin-1").lower() if host else None
                )
                if not allowed:
                    if scope["type"] == "websocket":
                        await receive()  # websocket.connect
                        await send({"type": "websocket.close", "code": 4003})
                    else:
                        await send_error(send, 403, "origin_not_allowed", "cross-origin request")
                    return
        await self.app(scope, receive, send)


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol that also cuts off a request not received in time."""

    request_timeout: float = 5.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._arm()

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.get_protocol() is not self or self.conn.their_state in (
            h11.DONE,
            h11.MUST_CLOSE,
            h11.CLOSED,
            h11.ERROR,
            h11.SWITCHED_PROTOCOL,
        ):
            self._disarm()  # received in full, or upgraded to a websocket
        else:
            self._arm()  # a request under way, perhaps the next on a kept-alive connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.get_protocol() is not self or self.transport.is_closing():
            return
        if self.conn.their_state is h11.IDLE and self.cycle is None:
            self.logger.info("Closed a connection that sent no request in time")
        else:
            self.logger.info("Closed a connection whose request did not arrive in time")
        self.transport.close()
