"""The bot's own HTTP server: how many calls at once, the drain, and the request limits.

A mixin of `Settings` (web/server.py reads them). Defaults suit one bot process on
2 CPU cores behind a TLS-terminating proxy (docs/deployment.md).
"""

from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator


class ServerSettings(BaseModel):
    """Mixed into `Settings`."""

    # Calls in progress at once (WebRTC, the /ws eval endpoint and Daily alike); the next
    # caller gets 503, which the page shows as "all lines are busy". 4 on 2 cores is
    # Pipecat Cloud's sizing of one session at half a vCPU; with the fully offline stack
    # (Whisper, Piper) on 2 cores, more than 2 at once slows every reply.
    max_sessions: int = Field(4, ge=1, le=1000)
    # After SIGTERM: no new calls (503), calls in progress may finish for this long (s),
    # then the process exits 0. Give the orchestrator's grace period a little more.
    drain_timeout_secs: float = Field(120.0, ge=0, le=86400)
    # A /start entry (a session id handed out before the offer) lapses after this (s).
    start_ttl_secs: float = Field(60.0, gt=0, le=3600)
    # A new call whose peer has not connected within this (s) is ended and its line freed.
    connect_timeout_secs: float = Field(30.0, gt=0, le=600)
    # The largest request body (an SDP offer is 2-10 kB) and request head (line + headers).
    max_body_bytes: int = Field(65536, ge=1024, le=16 * 1024 * 1024)
    max_header_bytes: int = Field(16384, ge=1024, le=1024 * 1024)
    # A request not received in full (head and body) within this (s) is cut off.
    request_timeout_secs: float = Field(5.0, gt=0, le=300)
    # Open HTTP and websocket connections at once; past it, 503.
    max_connections: int = Field(100, ge=1, le=100000)
    # Other origins (scheme://host[:port], comma-separated) whose pages may call the bot;
    # the page's own origin always may. Empty: no other.
    allowed_origins: str = ""

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in (item.strip() for item in value.split(",")):
            if not origin:
                continue
            parts = urlsplit(origin)
            if (
                origin == "*"
                or parts.scheme not in ("http", "https")
                or not parts.hostname
                or parts.path not in ("", "/")
                or parts.query
                or "*" in origin
            ):
                raise ValueError(
                    f"{origin!r} is not an origin; give scheme://host[:port], e.g. "
                    "https://restaurant.example.com (no wildcard)"
                )
        return value

    @property
    def allowed_origin_list(self) -> tuple[str, ...]:
        """The extra origins, each as scheme://host[:port] without a trailing slash."""
        return tuple(
            item.strip().rstrip("/").lower()
            for item in self.allowed_origins.split(",")
            if item.strip()
        )
