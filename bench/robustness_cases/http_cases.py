"""HTTP and signalling against the running bot: bad offers, wrong methods and routes, huge
bodies and headers, slow senders, CORS from a foreign origin, /start abuse, health endpoints.

Expected answers are the issue's: an invalid offer gets a 400 and starts nothing, a route or
method that makes no sense a 4xx (never a 200 or a 500), bodies and headers are capped, a sender
too slow to finish is cut off, CORS allows only the page's own origin.
"""

import asyncio

import httpx

from bench.robustness_cases.common import HANG_SECS, Case, Got

FOREIGN = "https://evil.example"
STARTS = "Services: STT"
"""Logged once per call the bot builds (app/worker.py): how the suite sees a call start."""
SETTLE_SECS = 1.5
"""How long after an answer a wrongly started call has to show in the log."""

MALFORMED_SDP = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"


async def request(bot, method: str, path: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(base_url=bot.url, timeout=HANG_SECS) as client:
        return await client.request(method, path, **kwargs)


def status_case(
    name: str,
    method: str,
    path: str,
    want: tuple[int, ...],
    expected: str,
    *,
    starts_nothing: bool = False,
    forbidden: str | None = None,
    **kwargs,
) -> Case:
    """One request whose status must be in `want`; optionally, no call may start and the body
    may not contain `forbidden`."""

    async def run(bot) -> Got:
        before = bot.log_text().count(STARTS)
        response = await request(bot, method, path, **kwargs)
        got = f"{response.status_code} {response.text[:120]!r}"
        ok = response.status_code in want
        if forbidden is not None and forbidden in response.text:
            ok, got = False, f"{got} (contains {forbidden!r})"
        if starts_nothing:
            await asyncio.sleep(SETTLE_SECS)
            started = bot.log_text().count(STARTS) - before
            if started:
                ok, got = False, f"{got}; {started} call(s) started"
        return Got(ok, got, status=response.status_code)

    return Case(name, "http", expected, run, server=True)


def offer(name: str, want: tuple[int, ...], expected: str, **kwargs) -> Case:
    return status_case(name, "POST", "/api/offer", want, expected, starts_nothing=True, **kwargs)


INVALID = "400, nothing started"
CASES = [
    offer(
        "offer: empty body",
        (400,),
        INVALID,
        content=b"",
        headers={"content-type": "application/json"},
    ),
    offer("offer: empty SDP", (400,), INVALID, json={"sdp": "", "type": "offer"}),
    offer("offer: plain text SDP", (400,), INVALID, json={"sdp": "hello bot", "type": "offer"}),
    offer(
        "offer: plain text body",
        (400, 415),
        "400 or 415, nothing started",
        content=b"call me",
        headers={"content-type": "text/plain"},
    ),
    offer("offer: malformed SDP", (400,), INVALID, json={"sdp": MALFORMED_SDP, "type": "offer"}),
    offer("offer: type answer", (400,), INVALID, json={"sdp": MALFORMED_SDP, "type": "answer"}),
    offer("offer: wrong JSON types", (400,), INVALID, json={"sdp": 5, "type": ["offer"]}),
    offer("offer: null SDP", (400,), INVALID, json={"sdp": None, "type": "offer"}),
    offer("offer: JSON array", (400,), INVALID, json=[{"sdp": "x", "type": "offer"}]),
    offer(
        "offer: broken JSON",
        (400,),
        INVALID,
        content=b'{"sdp": ',
        headers={"content-type": "application/json"},
    ),
    offer(
        "offer: deeply nested JSON",
        (400, 413),
        "400 or 413 (no recursion error, no 500)",
        content=b"[" * 100_000 + b"]" * 100_000,
        headers={"content-type": "application/json"},
    ),
    offer(
        "offer: restart of an unknown pc_id",
        (400, 404),
        "400 or 404, nothing started",
        json={"sdp": MALFORMED_SDP, "type": "offer", "pc_id": "nope", "restart_pc": True},
    ),
    status_case(
        "ICE patch for an unknown pc_id",
        "PATCH",
        "/api/offer",
        (400, 404),
        "400 or 404: no such connection",
        json={"pc_id": "nope", "candidates": []},
    ),
    status_case(
        "ICE patch with garbage candidates",
        "PATCH",
        "/api/offer",
        (400, 404, 422),
        "4xx",
        json={"pc_id": "nope", "candidates": [{"candidate": 5}]},
    ),
    status_case("GET /api/offer", "GET", "/api/offer", (405,), "405 Method Not Allowed"),
    status_case("DELETE /api/offer", "DELETE", "/api/offer", (405,), "405 Method Not Allowed"),
    status_case("PUT /", "PUT", "/", (405,), "405 Method Not Allowed"),
    status_case("DELETE /healthz", "DELETE", "/healthz", (405,), "405 Method Not Allowed"),
    status_case("unknown route", "GET", "/wp-admin/setup.php", (404,), "404"),
    status_case(
        "path traversal",
        "GET",
        "/static/../../../../etc/passwd",
        (404, 400),
        "400 or 404, no file",
        forbidden="root:",
    ),
    status_case(
        "encoded path traversal",
        "GET",
        "/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        (400, 403, 404),
        "4xx, no file",
        forbidden="root:",
    ),
    status_case(
        "/start: broken JSON",
        "POST",
        "/start",
        (400,),
        "400",
        content=b"{{{",
        headers={"content-type": "application/json"},
    ),
    status_case(
        "/start: unknown transport",
        "POST",
        "/start",
        (400, 404, 422),
        "4xx: no such transport",
        json={"transport": "carrier-pigeon"},
    ),
    status_case("/start: body not an object", "POST", "/start", (400, 422), "4xx", json=["webrtc"]),
    status_case(
        "offer for an unknown session",
        "POST",
        "/sessions/no-such-session/api/offer",
        (400, 404),
        "404 (or 400: the SDP is checked first)",
        json={"sdp": MALFORMED_SDP, "type": "offer"},
    ),
    status_case("healthz", "GET", "/healthz", (200,), "200"),
    status_case("readyz", "GET", "/readyz", (200,), "200 while a line is free"),
    status_case("the page", "GET", "/", (200,), "200"),
]


async def _start_flood(bot) -> Got:
    """100 /start requests at once: each answered, none with a 5xx (503, all lines busy, aside)."""
    async with httpx.AsyncClient(base_url=bot.url, timeout=HANG_SECS) as client:
        answers = await asyncio.gather(
            *(client.post("/start", json={"transport": "webrtc"}) for _ in range(100)),
            return_exceptions=True,
        )
    codes = [a.status_code if isinstance(a, httpx.Response) else type(a).__name__ for a in answers]
    counts = {str(code): codes.count(code) for code in set(codes)}
    errors = sum(isinstance(code, int) and code >= 500 and code != 503 for code in codes)
    ok = errors == 0 and all(isinstance(c, int) for c in codes)
    worst = max((c for c in codes if isinstance(c, int)), default=None)
    return Got(ok, f"status counts {counts}", status=worst)


async def _session_from_start(bot) -> Got:
    """A /start session's own offer path with a bad SDP: 400, like /api/offer."""
    started = await request(bot, "POST", "/start", json={"transport": "webrtc"})
    try:
        session = started.json().get("sessionId")
    except (ValueError, AttributeError):
        session = None
    if not session:
        return Got(
            started.status_code in (429, 503),
            f"/start {started.status_code}",
            status=started.status_code,
        )
    answer = await request(
        bot, "POST", f"/sessions/{session}/api/offer", json={"sdp": "nonsense", "type": "offer"}
    )
    return Got(
        answer.status_code == 400,
        f"{answer.status_code} {answer.text[:80]!r}",
        status=answer.status_code,
    )


def _cors_preflight(origin: str) -> Case:
    async def run(bot) -> Got:
        headers = {
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        }
        response = await request(bot, "OPTIONS", "/api/offer", headers=headers)
        allowed = response.headers.get("access-control-allow-origin")
        credentials = response.headers.get("access-control-allow-credentials")
        got = f"{response.status_code}, allow-origin {allowed!r}, credentials {credentials!r}"
        ok = allowed not in ("*", origin) and response.status_code < 500
        return Got(ok, got, status=response.status_code)

    return Case(
        f"CORS preflight from {origin}",
        "http",
        "no allow-origin for a foreign origin (a 4xx or no CORS headers)",
        run,
        server=True,
    )


def _offer_from(own: bool) -> Case:
    """A bad offer POSTed with an Origin header: the page's own origin reaches the offer check
    (400); a foreign page's simple POST, which a browser sends without a preflight, is refused
    before anything runs (403, or the same 400), never answered with a call."""

    async def run(bot) -> Got:
        origin = bot.url if own else FOREIGN
        before = bot.log_text().count(STARTS)
        response = await request(
            bot,
            "POST",
            "/api/offer",
            headers={"Origin": origin, "content-type": "text/plain"},
            content=b'{"sdp": "x", "type": "offer"}',
        )
        allowed = response.headers.get("access-control-allow-origin")
        await asyncio.sleep(SETTLE_SECS)
        started = bot.log_text().count(STARTS) - before
        want = (400, 415) if own else (400, 403, 415)
        ok = response.status_code in want and not started and (own or allowed != FOREIGN)
        got = f"{response.status_code}, allow-origin {allowed!r}, {started} call(s) started"
        return Got(ok, got, status=response.status_code)

    if own:
        return Case(
            "bad offer from the page's own origin",
            "http",
            "400 from the offer check (the origin is not refused)",
            run,
            server=True,
        )
    return Case(
        "offer POSTed by a foreign page",
        "http",
        "403 (or 400), no allow-origin, nothing started",
        run,
        server=True,
    )


async def _cors_simple(bot) -> Got:
    response = await request(bot, "GET", "/", headers={"Origin": FOREIGN})
    allowed = response.headers.get("access-control-allow-origin")
    ok = allowed not in ("*", FOREIGN)
    return Got(ok, f"{response.status_code}, allow-origin {allowed!r}", status=response.status_code)


CASES += [
    Case(
        "/start flood (100 at once)",
        "http",
        "every one answered; no 5xx but 503 (busy)",
        _start_flood,
        server=True,
        budget=30,
    ),
    Case("/start then a bad offer on its session", "http", "400", _session_from_start, server=True),
    _cors_preflight(FOREIGN),
    _cors_preflight("null"),
    _offer_from(own=True),
    _offer_from(own=False),
    Case(
        "CORS on a simple GET from a foreign origin",
        "http",
        "no allow-origin for it",
        _cors_simple,
        server=True,
    ),
]
