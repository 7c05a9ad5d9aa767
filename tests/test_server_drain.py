"""The server under uvicorn on a free local port: SIGTERM's drain and slow senders cut off.

The drain is started as SIGTERM starts it (`handle_exit`), in this process; no real
signal is sent. The bot only waits, so no pipeline or audio runs.
"""

import asyncio
import signal

import httpx
import pytest

from tests.server_support import WaitingBot, browser_like_offer, call_server, free_port
from web.serve import build_server


@pytest.fixture
async def running():
    """(server, calls, bot, base URL) with one call in progress; stopped afterwards."""
    bot = WaitingBot()
    calls = call_server(bot, max_sessions=2, drain_timeout_secs=30, request_timeout_secs=0.5)
    port = free_port()
    server = build_server(calls, "127.0.0.1", port)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base) as http:
        offer = {"sdp": await browser_like_offer(), "type": "offer"}
        assert (await http.post("/api/offer", json=offer)).status_code == 200
    yield server, calls, bot, base, serving
    bot.end_all()
    server.should_exit = True
    await asyncio.wait_for(serving, 30)


async def test_after_sigterm_a_new_call_gets_503_and_readyz_fails(running):
    server, _, _, base, _ = running
    server.handle_exit(signal.SIGTERM, None)
    await asyncio.sleep(0.1)
    async with httpx.AsyncClient(base_url=base) as http:
        offer = await http.post(
            "/api/offer", json={"sdp": await browser_like_offer(), "type": "offer"}
        )
        ready = await http.get("/readyz")
        alive = await http.get("/healthz")
    assert (offer.status_code, offer.json()["error"]) == (503, "draining")
    assert (ready.status_code, ready.json()["reason"]) == (503, "draining")
    assert alive.status_code == 200


async def test_after_sigterm_the_call_in_progress_finishes_then_the_server_stops(running):
    server, calls, bot, _, serving = running
    server.handle_exit(signal.SIGTERM, None)
    await asyncio.sleep(0.3)
    assert not serving.done(), "stopped while a call was in progress"
    bot.end_all()
    await asyncio.wait_for(serving, 30)  # returns normally: bot.py then exits 0
    assert calls.gate.active == 0


async def test_a_call_still_running_at_the_drain_timeout_is_ended(running):
    server, calls, _, _, serving = running
    server.drain_timeout = 0.2
    server.handle_exit(signal.SIGTERM, None)
    await asyncio.wait_for(serving, 30)
    assert calls.gate.active == 0 and not calls.calls


async def test_a_connection_that_sends_nothing_is_closed(running):
    _, _, _, base, _ = running
    reader, writer = await asyncio.open_connection("127.0.0.1", int(base.rsplit(":", 1)[1]))
    assert await asyncio.wait_for(reader.read(), 10) == b""  # closed by the server
    writer.close()


async def test_a_request_head_sent_too_slowly_is_cut_off(running):
    _, _, _, base, _ = running
    reader, writer = await asyncio.open_connection("127.0.0.1", int(base.rsplit(":", 1)[1]))
    writer.write(b"POST /api/offer HTTP/1.1\r\nHost: x\r\n")  # and never the rest
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), 10) == b""
    writer.close()


async def test_a_body_sent_too_slowly_is_cut_off(running):
    _, calls, _, base, _ = running
    reader, writer = await asyncio.open_connection("127.0.0.1", int(base.rsplit(":", 1)[1]))
    writer.write(b"POST /api/offer HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{")
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), 10) == b""
    writer.close()
    assert calls.gate.active == 1  # only the fixture's call
