"""When the restaurant asks a second Whisper to listen again (flows/listen_again.py), on text."""

from datetime import datetime

import pytest

from flows.booking_rules import BookingRules
from flows.listen_again import BookingSecondListen
from flows.stt_prompts import (
    CHANGES_PROMPT,
    NAME_PROMPT,
    PHONE_PROMPT,
    REQUEST_PROMPT,
    TIME_PROMPT,
)
from settings import Settings


@pytest.fixture
def listen() -> BookingSecondListen:
    rules = BookingRules.from_settings(
        Settings(_env_file=None), clock=lambda: datetime(2030, 1, 2, 10, 0)
    )
    return BookingSecondListen(rules)


def test_a_booking_request_missing_its_time_is_heard_again(listen):
    assert listen.wanted("Reformation for ten on Friday.", REQUEST_PROMPT)


def test_a_whole_booking_request_is_not_heard_again(listen):
    assert not listen.wanted("A table for four on Friday at eight.", REQUEST_PROMPT)


def test_a_question_about_the_restaurant_is_not_heard_again(listen):
    assert not listen.wanted("What time do you open on Sunday?", REQUEST_PROMPT)


def test_a_cancellation_is_not_heard_again(listen):
    assert not listen.wanted("I'd like to cancel my booking on Friday.", REQUEST_PROMPT)


def test_an_answer_without_the_time_asked_for_is_heard_again(listen):
    assert listen.wanted("I look, log. Please.", TIME_PROMPT)


def test_an_answer_with_the_time_asked_for_is_not_heard_again(listen):
    assert not listen.wanted("Seven thirty.", TIME_PROMPT)


def test_words_cut_off_by_a_pause_are_not_heard_again(listen):
    assert not listen.wanted("Could I book a table for four", REQUEST_PROMPT)


def test_a_change_that_names_one_new_detail_is_not_heard_again(listen):
    assert not listen.wanted("Five people, please.", CHANGES_PROMPT)


def test_a_phone_answer_is_never_heard_again(listen):
    assert not listen.wanted("It's zero seven, I'm one. Two nine four.", PHONE_PROMPT)


def test_a_name_is_never_heard_again(listen):
    assert not listen.wanted("It's so bit lossy.", NAME_PROMPT)


def test_a_turn_with_no_prompt_is_never_heard_again(listen):
    assert not listen.wanted("Reformation for ten on Friday.", None)


def test_the_second_transcript_is_kept_when_it_holds_more_of_the_request(listen):
    assert listen.better(
        "We'd like a table for two to high ten nine.",
        "We'd like a table for two tonight at nine.",
        REQUEST_PROMPT,
    )


def test_the_second_transcript_is_not_kept_when_it_holds_no_more(listen):
    assert not listen.better(
        "Can I have a table for one tomorrow.",
        "Can I have a table for one tomorrow, please.",
        REQUEST_PROMPT,
    )
