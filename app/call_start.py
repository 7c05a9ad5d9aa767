"""When a call begins: once, at the first sign that the caller is there.

The caller's page (an RTVI client) says so with client-ready. A phone caller arriving by Daily
dial-in, or anyone in a Daily room without an RTVI client (Daily Prebuilt), says nothing of the
kind: for them the Daily transport's first participant joining the room is the sign. Whichever
comes first starts the call; the other does nothing.
"""

from collections.abc import Awaitable, Callable

from pipecat.pipeline.worker import PipelineWorker
from pipecat.transports.base_transport import BaseTransport
from pipecat.transports.daily.transport import DailyTransport


def start_when_caller_arrives(
    worker: PipelineWorker, transport: BaseTransport, start: Callable[[], Awaitable[None]]
) -> None:
    """Run `start` (the bot's first words) once: on RTVI client-ready, or, in a Daily room,
    when the first participant joins."""
    started = False

    async def start_once():
        nonlocal started
        if not started:
            started = True
            await start()

    @worker.rtvi.event_handler("on_client_ready")
    async def on_client_ready(rtvi):
        await start_once()

    if isinstance(transport, DailyTransport):

        @transport.event_handler("on_first_participant_joined")
        async def on_first_participant_joined(transport, participant):
            await start_once()
