"""The bot's first words come once, at the first sign of the caller (app/call_start.py): RTVI
client-ready from the page, or, in a Daily room, the first participant joining (a phone caller
by dial-in has no RTVI client)."""

import asyncio

from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineWorker
from pipecat.transports.daily.transport import DailyParams, DailyTransport

from app.call_start import start_when_caller_arrives


class Starts:
    def __init__(self):
        self.count = 0

    async def __call__(self):
        self.count += 1


async def settle():
    for _ in range(10):  # event handlers run in tasks of their own
        await asyncio.sleep(0)


def daily_room() -> DailyTransport:
    return DailyTransport("https://example.daily.co/room", None, "bot", DailyParams())


async def test_a_phone_caller_joining_the_daily_room_starts_the_call():
    worker, transport, start = PipelineWorker(Pipeline([])), daily_room(), Starts()
    start_when_caller_arrives(worker, transport, start)

    await transport._call_event_handler("on_first_participant_joined", {"id": "caller"})
    await settle()

    assert start.count == 1


async def test_a_page_in_a_daily_room_starts_the_call_once_not_twice():
    worker, transport, start = PipelineWorker(Pipeline([])), daily_room(), Starts()
    start_when_caller_arrives(worker, transport, start)

    await transport._call_event_handler("on_first_participant_joined", {"id": "caller"})
    await worker.rtvi.set_client_ready()
    await settle()

    assert start.count == 1


async def test_elsewhere_only_client_ready_starts_the_call():
    worker, start = PipelineWorker(Pipeline([])), Starts()
    start_when_caller_arrives(worker, object(), start)

    await worker.rtvi.set_client_ready()
    await settle()

    assert start.count == 1
