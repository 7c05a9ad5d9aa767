"""The largest party the bot books agrees with the largest table: by default it is that
table's seats, a larger setting stops start-up, and a larger party is offered a person."""

from datetime import datetime

import pytest

from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from settings import Settings, load_settings_or_exit
from store import ReservationStore
from tests.fakes.offline_call import OfflineCall

NOW = datetime(2030, 1, 2, 10, 0)  # Wednesday; "tomorrow" is Thursday 3 January


def test_the_default_largest_party_is_the_largest_tables_seats():
    assert Settings(_env_file=None).max_party_size == 8
    assert Settings(_env_file=None, restaurant_tables=(2, 4, 10)).max_party_size == 10


def test_a_smaller_largest_party_is_kept():
    assert Settings(_env_file=None, max_party_size=6).max_party_size == 6


def test_a_largest_party_no_table_seats_stops_start_up_with_one_line(monkeypatch, capsys):
    monkeypatch.setenv("MAX_PARTY_SIZE", "12")
    with pytest.raises(SystemExit) as stopped:
        load_settings_or_exit()
    assert stopped.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("configuration error: MAX_PARTY_SIZE: 12 is more than")
    assert "(8, RESTAURANT_TABLES)" in line


@pytest.fixture
def tools(tmp_path):
    settings = Settings(_env_file=None)
    rules = BookingRules.from_settings(settings, clock=lambda: NOW)
    store = ReservationStore.open(
        f"sqlite:///{tmp_path}/r.db", settings.restaurant_tables, rules.seating
    )
    yield BookingTools(store, rules, "Chez Test")
    store.close()


async def test_a_party_of_nine_is_offered_a_person_not_another_day(tools):
    call = OfflineCall(tools)
    offered = await call.say("A table for nine people tomorrow at 7 pm, please.")
    assert "up to 8 people" in offered and "shall I put you through?" in offered
    assert "another day" not in offered


async def test_yes_to_a_person_transfers_a_party_too_large(tools):
    call = OfflineCall(tools)
    await call.say("A table for nine people tomorrow at 7 pm, please.")
    await call.say("Yes please.")
    assert [name for name, _ in call.calls][-1] == "transfer_to_human"
    (note,) = await tools.store.outbox()
    assert note.channel == "staff"
