"""A failover from the booking flow's LLM to the on-device engine hands the call over.

Claude fails every turn; the on-device engine at the end of the chain takes the
call with the session's state and books through the same gate, although the
context (the flow's) advertises none of its tools.
"""

from datetime import datetime

from conversation.state import ConversationState
from flows.booking_rules import BookingRules
from flows.booking_session import BookingSession
from flows.booking_tools import BookingTools
from flows.restaurant import Restaurant
from function_calls import Breakers
from provider_fakes.anthropic_server import API_KEY, FakeAnthropic, Status
from services.llm import create_llm
from services.llm_failover import LLMFailover
from settings import Settings
from store import ReservationStore
from tests.fakes.conversation import converse, turns

NOW = datetime(2030, 1, 2, 10, 0)


async def test_the_ondevice_engine_takes_over_a_booking_call_from_a_failed_claude(tmp_path):
    async with FakeAnthropic(lambda body: Status(500, "api_error")) as claude:
        settings = Settings(
            _env_file=None,
            anthropic_api_key=API_KEY,
            anthropic_base_url=claude.base_url,
            anthropic_max_retries=0,
            failover_probe_secs=60,
        )
        rules = BookingRules.from_settings(settings, clock=lambda: NOW)
        store = ReservationStore.open(f"sqlite:///{tmp_path}/r.db", (2, 4, 6), rules.seating)
        try:
            tools = BookingTools(store, rules, "Chez Test", timeout_secs=1.0)
            session = BookingSession(
                settings,
                Restaurant.from_settings(settings),
                tools,
                tools.gate("call-1", Breakers()),
                ConversationState(),
            )
            assert session.uses_flow
            llm = create_llm(settings, system_instruction="A test.", dialogue=session.dialogue())
            assert isinstance(llm, LLMFailover)
            session.prepare_handover(llm)
            call = await converse(
                llm,
                [],
                turns(
                    "Hi, I'd like to book a table for four tomorrow at half past seven.",
                    "My name is Anna Smith.",
                    "It's 07911 123456.",
                    "Yes please.",
                ),
            )
            bookings = await store.bookings()
        finally:
            store.close()

    assert [(s.from_service, s.to_service) for s in llm.switches] == [("anthropic", "ondevice")]
    (booking,) = bookings
    assert (booking.name, booking.party_size) == ("Anna Smith", 4)
    assert "Your table is booked." in call.spoken
