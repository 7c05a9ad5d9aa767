"""The restaurant's choice among Whisper's hypotheses (flows/heard_best.py), on text."""

from datetime import datetime

import pytest

from flows.booking_rules import BookingRules
from flows.heard_best import BookingHypothesisChooser
from settings import Settings


@pytest.fixture
def choose() -> BookingHypothesisChooser:
    rules = BookingRules.from_settings(
        Settings(_env_file=None), clock=lambda: datetime(2030, 1, 2, 10, 0)
    )
    return BookingHypothesisChooser(rules, margin=0.15)


def test_a_close_runner_up_that_adds_the_day_is_taken(choose):
    hypotheses = [
        ("We'd like a table for two to high ten nine.", -0.50),
        ("We'd like a table for two tonight at nine.", -0.55),
    ]
    assert choose(hypotheses) == 1


def test_a_runner_up_far_below_the_best_is_not_taken(choose):
    hypotheses = [
        ("We'd like a table for two to high ten nine.", -0.50),
        ("We'd like a table for two tonight at nine.", -0.90),
    ]
    assert choose(hypotheses) == 0


def test_a_runner_up_that_changes_a_detail_the_best_heard_is_not_taken(choose):
    hypotheses = [
        ("A table for two on Friday.", -0.50),
        ("A table for four on Friday at eight.", -0.52),
    ]
    assert choose(hypotheses) == 0


def test_a_runner_up_that_adds_nothing_is_not_taken(choose):
    hypotheses = [
        ("A table for two tomorrow at eight.", -0.50),
        ("A table for two, tomorrow at eight.", -0.51),
    ]
    assert choose(hypotheses) == 0


def test_a_sure_detail_beats_the_same_detail_from_a_sound_alike(choose):
    hypotheses = [
        ("A table for free tomorrow at eight.", -0.50),
        ("A table for three tomorrow at eight.", -0.52),
    ]
    assert choose(hypotheses) == 1


def test_the_runner_up_that_fills_most_is_taken(choose):
    hypotheses = [
        ("A table for two.", -0.50),
        ("A table for two on Friday.", -0.51),
        ("A table for two on Friday at eight.", -0.53),
    ]
    assert choose(hypotheses) == 2


def test_one_hypothesis_is_kept(choose):
    assert choose([("Hello.", -0.3)]) == 0
