"""The bot's own server: origins, health and readiness, /start expiry, the /ws line, logs."""

import pytest
from loguru import logger
from pydantic import ValidationError
from starlette.testclient import TestClient, WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from conversation.logs import install_log_privacy
from settings import Settings, describe_errors
from tests.server_support import WaitingBot, browser_like_offer, call_server, client, settle
from web.server import create_app
from web.sessions import PendingStarts, SessionGate

EVIL = "https://evil.example"


@pytest.fixture
async def server():
    bot = WaitingBot()
    calls = call_server(bot, max_sessions=1)
    yield calls
    bot.end_all()
    await calls.close()


@pytest.fixture
async def http(server):
    async with client(server) as session:
        yield session


# --- CORS and origins -------------------------------------------------------------------


async def test_a_page_of_another_origin_gets_no_cors_grant(http):
    response = await http.options(
        "/api/offer",
        headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers
    assert (response.status_code, response.json()["error"]) == (403, "origin_not_allowed")


async def test_a_post_from_another_origin_is_refused_with_403(http, server):
    response = await http.post("/api/offer", content=b"{}", headers={"Origin": EVIL})
    assert (response.status_code, response.json()["error"]) == (403, "origin_not_allowed")


async def test_a_post_from_the_pages_own_origin_passes(http):
    response = await http.post("/start", json={}, headers={"Origin": "http://localhost:7860"})
    assert response.status_code == 200


async def test_an_allowed_origin_gets_cors_without_credentials_or_wildcard():
    calls = call_server(allowed_origins="https://restaurant.example")
    async with client(calls) as http:
        response = await http.options(
            "/api/offer",
            headers={
                "Origin": "https://restaurant.example",
                "Access-Control-Request-Method": "POST",
            },
        )
    assert response.headers["access-control-allow-origin"] == "https://restaurant.example"
    assert "access-control-allow-credentials" not in response.headers
    await calls.close()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAX_SESSIONS", "0"),
        ("MAX_SESSIONS", "many"),
        ("DRAIN_TIMEOUT_SECS", "-1"),
        ("ALLOWED_ORIGINS", "*"),
        ("ALLOWED_ORIGINS", "https://*.example.com"),
    ],
)
def test_a_bad_server_setting_stops_start_up_naming_it(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None)
    lines = describe_errors(error.value)
    assert len(lines) == 1 and lines[0].startswith(f"{name}:")


# --- health and readiness ---------------------------------------------------------------


async def test_healthz_says_alive(http):
    response = await http.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"alive": True})


async def test_readyz_is_ready_with_a_free_line_and_a_store(http):
    response = await http.get("/readyz")
    assert (response.status_code, response.json()["reason"]) == (200, "ready")


async def test_readyz_fails_when_the_store_does_not_answer():
    calls = call_server(ready=lambda: False)
    async with client(calls) as http:
        response = await http.get("/readyz")
    assert (response.status_code, response.json()["reason"]) == (503, "store_unreachable")


async def test_readyz_fails_when_every_line_is_taken(http, server):
    server.gate.try_take()
    response = await http.get("/readyz")
    assert (response.status_code, response.json()["reason"]) == (503, "full")


async def test_readyz_fails_while_draining(http, server):
    await server.gate.drained(timeout=0)
    response = await http.get("/readyz")
    assert (response.status_code, response.json()["reason"]) == (503, "draining")


async def test_while_draining_an_offer_gets_503_draining(http, server):
    await server.gate.drained(timeout=0)
    offer = {"sdp": await browser_like_offer(), "type": "offer"}
    response = await http.post("/api/offer", json=offer)
    assert (response.status_code, response.json()["error"]) == (503, "draining")


def test_the_real_store_check_answers(tmp_path):
    from app.serving import store_reachable
    from settings import Settings

    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/r.db")
    assert store_reachable(settings)() is True


# --- /start entries ---------------------------------------------------------------------


def test_a_start_entry_expires_after_its_ttl():
    now = [0.0]
    starts = PendingStarts(ttl_secs=60, capacity=4, clock=lambda: now[0])
    session_id = starts.add({"a": 1})
    now[0] = 61.0
    assert starts.take(session_id) == (False, None)
    assert len(starts) == 0


def test_a_start_entry_within_its_ttl_is_found_once():
    now = [0.0]
    starts = PendingStarts(ttl_secs=60, capacity=4, clock=lambda: now[0])
    session_id = starts.add({"a": 1})
    now[0] = 59.0
    assert starts.take(session_id) == (True, {"a": 1})
    assert starts.take(session_id) == (False, None)


async def test_start_entries_are_capped_then_busy(http, server):
    for _ in range(len(server.starts) + server.starts._capacity):
        server.starts.add({})
    response = await http.post("/start", json={})
    assert (response.status_code, response.json()["error"]) == (503, "busy")


# --- the /ws eval endpoint counts ---------------------------------------------------------


def test_a_ws_call_past_max_sessions_is_denied_with_503():
    calls = call_server(max_sessions=1)
    calls.gate.try_take()  # one call in progress
    with TestClient(create_app(calls)) as http:
        with pytest.raises(WebSocketDenialResponse) as denied:
            with http.websocket_connect("/ws"):
                pass
    assert denied.value.status_code == 503
    assert denied.value.json()["error"] == "busy"


def test_a_ws_call_in_progress_takes_a_line():
    bot = WaitingBot()
    calls = call_server(bot, max_sessions=1)
    with TestClient(create_app(calls)) as http:
        with http.websocket_connect("/ws"):
            response = http.post("/start", json={})
            assert (response.status_code, response.json()["error"]) == (503, "busy")
            bot.end_all()


def test_a_ws_client_that_sends_nothing_is_cut_off_and_its_line_freed():
    async def reads_first_message(runner_args):
        await runner_args.websocket.receive_text()  # as Pipecat's stream parser does

    calls = call_server(reads_first_message, connect_timeout_secs=0.2)
    with TestClient(create_app(calls)) as http:
        with http.websocket_connect("/ws") as ws:
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
    assert closed.value.code == 1008
    assert calls.gate.active == 0


def test_a_ws_from_another_origin_is_refused():
    calls = call_server()
    with TestClient(create_app(calls)) as http:
        with pytest.raises(WebSocketDisconnect) as refused:
            with http.websocket_connect("/ws", headers={"Origin": EVIL}) as ws:
                ws.receive_text()
    assert refused.value.code == 4003
    assert calls.gate.active == 0


# --- the runner path (Daily) counts too -----------------------------------------------------


async def test_under_pipecat_runner_a_session_past_max_sessions_is_not_run(monkeypatch):
    import app.serving as serving

    monkeypatch.setattr(serving, "_runner_gate", SessionGate(1))
    async with serving.runner_line(None) as first:
        async with serving.runner_line(None) as second:
            assert (first, second) == (True, False)
    async with serving.runner_line(None) as again:
        assert again is True


# --- logs ---------------------------------------------------------------------------------


async def test_no_pc_id_reaches_the_logs(http, server):
    install_log_privacy()
    lines: list[str] = []
    sink = logger.add(lines.append, level="TRACE", format="{message}")
    try:
        response = await http.post(
            "/api/offer", json={"sdp": await browser_like_offer(), "type": "offer"}
        )
        pc_id = response.json()["pc_id"]
        await http.patch("/api/offer", json={"pc_id": pc_id, "candidates": []})
        await settle()
        await server.close()
    finally:
        logger.remove(sink)
    assert lines, "nothing was logged"
    assert not [line for line in lines if pc_id in line]
