"""The on-device brain's tests' clock and store: a Wednesday morning, tables of 2, 4 and 6.

A plugin of tests/conftest.py: its `rules` and `store` fixtures serve every test file
that does not define its own."""

from datetime import datetime

import pytest

from flows.booking_rules import BookingRules
from settings import Settings
from store import ReservationStore

NOW = datetime(2030, 1, 2, 10, 0)  # Wednesday; "tomorrow" is Thursday 3 January


@pytest.fixture
def rules():
    return BookingRules.from_settings(Settings(_env_file=None), clock=lambda: NOW)


@pytest.fixture
def store(tmp_path, rules):
    opened = ReservationStore.open(f"sqlite:///{tmp_path}/r.db", (2, 4, 6), rules.seating)
    yield opened
    opened.close()
