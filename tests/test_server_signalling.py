"""The bot's own server (web/server.py): what each hostile or broken request gets.

In process, over httpx's ASGI transport (no socket), with a bot that only waits:
no pipeline, no audio. One real aiortc offer is made per test that needs one.
"""

import json

import pytest
from pipecat.runner.types import SmallWebRTCRunnerArguments

from tests.server_support import WaitingBot, browser_like_offer, call_server, client, settle


@pytest.fixture
async def bot():
    waiting = WaitingBot()
    yield waiting
    waiting.end_all()


@pytest.fixture
async def server(bot):
    calls = call_server(bot, max_sessions=1)
    yield calls
    bot.end_all()
    await calls.close()


@pytest.fixture
async def http(server):
    async with client(server) as session:
        yield session


@pytest.fixture(scope="module")
def offer_sdp():
    import asyncio

    return asyncio.run(browser_like_offer())


def offer(sdp: str, **extra) -> dict:
    return {"sdp": sdp, "type": "offer", **extra}


async def test_a_real_offer_is_answered_and_starts_one_call(http, bot, offer_sdp):
    response = await http.post("/api/offer", json=offer(offer_sdp))
    assert response.status_code == 200
    answer = response.json()
    assert answer["type"] == "answer" and answer["sdp"].startswith("v=0")
    await settle()
    assert len(bot.sessions) == 1
    assert isinstance(bot.sessions[0], SmallWebRTCRunnerArguments)


@pytest.mark.parametrize(
    "body",
    [b"", b"hello, I am not JSON", b"[1, 2, 3]", b"\xff\xfe", b"null"],
    ids=["empty", "plain text", "a list", "not utf-8", "null"],
)
async def test_a_body_that_is_not_a_json_object_gets_400_and_starts_nothing(
    http, server, bot, body
):
    response = await http.post("/api/offer", content=body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_offer"
    assert bot.sessions == [] and server.gate.active == 0


@pytest.mark.parametrize(
    "sdp",
    ["", "hello", "v=0\r\nthis is not sdp\r\n", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=audio x\r\n"],
    ids=["empty sdp", "plain text sdp", "a line without =", "a broken media line"],
)
async def test_a_malformed_sdp_gets_400_and_starts_nothing(http, server, bot, sdp):
    response = await http.post("/api/offer", json=offer(sdp))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_offer"
    assert bot.sessions == [] and server.gate.active == 0


async def test_an_offer_without_audio_or_ice_credentials_gets_400(http, bot, offer_sdp):
    no_ice = "\r\n".join(line for line in offer_sdp.split("\r\n") if not line.startswith("a=ice-"))
    response = await http.post("/api/offer", json=offer(no_ice))
    assert (response.status_code, bot.sessions) == (400, [])


@pytest.mark.parametrize(
    "body",
    [
        {"sdp": 12, "type": "offer"},
        {"sdp": ["v=0"], "type": "offer"},
        {"type": "offer"},
        {"sdp": "v=0"},
        {"sdp": "v=0", "type": "answer"},
        {"sdp": "v=0", "type": "offer", "pc_id": ["x"]},
        {"sdp": "v=0", "type": "offer", "restart_pc": "yes"},
        {"sdp": "v=0", "type": "offer", "requestData": "text"},
    ],
    ids=[
        "sdp a number",
        "sdp a list",
        "no sdp",
        "no type",
        "an answer",
        "pc_id a list",
        "restart_pc a string",
        "requestData a string",
    ],
)
async def test_wrong_types_or_missing_fields_get_400_naming_the_field(http, bot, body):
    response = await http.post("/api/offer", json=body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("invalid or missing:")
    assert bot.sessions == []


async def test_the_answer_to_a_bad_offer_never_echoes_it(http):
    secret = "a=ice-pwd:SECRETSECRETSECRET"
    response = await http.post("/api/offer", json=offer(f"v=0\r\n{secret}\r\n"))
    assert response.status_code == 400
    assert "SECRET" not in response.text and "Traceback" not in response.text


async def test_past_max_sessions_an_offer_gets_503_busy(http, bot, offer_sdp):
    assert (await http.post("/api/offer", json=offer(offer_sdp))).status_code == 200
    response = await http.post("/api/offer", json=offer(offer_sdp))
    assert response.status_code == 503
    assert response.json()["error"] == "busy"
    await settle()
    assert len(bot.sessions) == 1


async def test_a_line_is_free_again_when_its_call_ends(http, server, offer_sdp):
    async def ends_at_once(runner_args):
        return None

    server.bot = ends_at_once
    assert (await http.post("/api/offer", json=offer(offer_sdp))).status_code == 200
    for task in list(server.calls):
        await task
    assert server.gate.active == 0
    assert (await http.post("/api/offer", json=offer(offer_sdp))).status_code == 200


async def test_a_renegotiation_of_a_call_in_progress_takes_no_new_line(http, server, offer_sdp):
    first = (await http.post("/api/offer", json=offer(offer_sdp))).json()
    again = await http.post("/api/offer", json=offer(offer_sdp, pc_id=first["pc_id"]))
    assert again.status_code == 200
    assert again.json()["pc_id"] == first["pc_id"]
    assert server.gate.active == 1


async def test_a_restarted_peer_connection_keeps_its_line_under_its_new_id(
    http, server, bot, offer_sdp
):
    first = (await http.post("/api/offer", json=offer(offer_sdp))).json()
    body = offer(offer_sdp, pc_id=first["pc_id"], restart_pc=True)
    again = (await http.post("/api/offer", json=body)).json()
    assert again["pc_id"] != first["pc_id"]
    assert server.live_peers == {again["pc_id"]} and server.gate.active == 1
    bot.end_all()
    for task in list(server.calls):
        await task
    assert server.live_peers == set() and server.gate.active == 0


async def test_ice_candidates_for_an_unknown_peer_get_404(http):
    body = {"pc_id": "SmallWebRTCConnection#0-" + "0" * 32, "candidates": []}
    response = await http.patch("/api/offer", json=body)
    assert (response.status_code, response.json()["error"]) == (404, "unknown_peer")


async def test_a_malformed_ice_candidate_gets_400(http, offer_sdp):
    pc_id = (await http.post("/api/offer", json=offer(offer_sdp))).json()["pc_id"]
    body = {
        "pc_id": pc_id,
        "candidates": [{"candidate": "garbage", "sdp_mid": "0", "sdp_mline_index": 0}],
    }
    response = await http.patch("/api/offer", json=body)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_candidates")


async def test_a_body_over_the_cap_gets_413(http, bot):
    response = await http.post("/api/offer", content=b"{" + b" " * 70_000 + b"}")
    assert (response.status_code, response.json()["error"]) == (413, "payload_too_large")
    assert bot.sessions == []


async def test_headers_over_the_cap_get_431(http):
    response = await http.get("/healthz", headers={"X-Padding": "a" * 20_000})
    assert (response.status_code, response.json()["error"]) == (431, "headers_too_large")


async def test_many_small_headers_over_the_cap_get_431(http):
    # 2000 of them: 16 kB of names and values, 24 kB as sent.
    headers = {f"X-H{i}": "v" for i in range(2000)}
    response = await http.get("/healthz", headers=headers)
    assert (response.status_code, response.json()["error"]) == (431, "headers_too_large")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("DELETE", "/api/offer", 405),
        ("GET", "/api/offer", 405),
        ("PUT", "/start", 405),
        ("POST", "/healthz", 405),
        ("POST", "/", 405),
        ("GET", "/admin", 404),
        ("GET", "/sessions/abc/whatever", 404),
        ("POST", "/sessions/abc/api/offer", 400),
        ("PATCH", "/sessions/abc/api/offer", 404),
        ("GET", "/client/", 404),
        ("GET", "/assets/../bot.py", 404),
    ],
)
async def test_a_method_or_route_that_makes_no_sense_gets_a_4xx_json_answer(
    http, method, path, status
):
    response = await http.request(method, path)
    assert response.status_code == status
    assert "error" in response.json()


async def test_a_wrong_method_on_the_offer_route_says_which_are_allowed(http):
    response = await http.delete("/api/offer")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"POST", "PATCH"}


async def test_an_unknown_session_id_gets_404(http, offer_sdp):
    response = await http.post("/sessions/nope/api/offer", json=offer(offer_sdp))
    assert (response.status_code, response.json()["error"]) == (404, "unknown_session")


async def test_a_start_entry_leads_to_a_call_once(http, bot, server, offer_sdp):
    session_id = (await http.post("/start", json={"body": {"x": 1}})).json()["sessionId"]
    response = await http.post(f"/sessions/{session_id}/api/offer", json=offer(offer_sdp))
    assert response.status_code == 200
    await settle()
    assert bot.sessions[0].body == {"x": 1}
    bot.end_all()
    for task in list(server.calls):
        await task
    again = await http.post(f"/sessions/{session_id}/api/offer", json=offer(offer_sdp))
    assert again.status_code == 404  # used up


@pytest.mark.parametrize("body", [b"not json", b"[1]", json.dumps({"body": "text"}).encode()])
async def test_a_malformed_start_gets_400(http, body):
    assert (await http.post("/start", content=body)).status_code == 400


async def test_a_start_for_another_transport_gets_400(http):
    response = await http.post("/start", json={"transport": "daily"})
    assert (response.status_code, response.json()["error"]) == (400, "unsupported_transport")
