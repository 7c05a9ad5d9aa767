"""bench.latency's arithmetic: false turn ends, the ratio to Pipecat's default pipeline,
the cloud path's overhead. No audio, no clock."""

import pytest

from bench.latency_figures import (
    CLOUD_TIMINGS_S,
    Answer,
    cloud_overhead_ms,
    false_turn_end,
    p95,
    ratio_to_baseline,
)

SPOKEN = (10.0, 13.0)
"""The caller's sentence started at 10 s and ended at 13 s."""


def test_a_reply_inside_the_sentence_is_a_false_turn_end():
    assert false_turn_end(SPOKEN, [11.2, 13.9], turn_ends=1)


def test_one_turn_answered_after_the_sentence_is_not_a_false_turn_end():
    assert not false_turn_end(SPOKEN, [13.0, 13.4], turn_ends=1)


def test_a_sentence_taken_as_two_turns_is_a_false_turn_end_even_if_answered_late():
    assert false_turn_end(SPOKEN, [13.2, 13.9], turn_ends=2)


def test_bot_events_before_the_sentence_began_do_not_count():
    assert not false_turn_end(SPOKEN, [9.5], turn_ends=1)


def test_the_ratio_takes_only_turns_both_pipelines_answered_whole():
    ours = [Answer(1.0, True), Answer(0.5, False), Answer(2.0, True), Answer(None, True)]
    baseline = [Answer(2.0, True), Answer(9.0, True), Answer(4.0, True), Answer(3.0, True)]
    result = ratio_to_baseline(ours, baseline)
    assert result["pairs"] == 2
    assert result["ratio"] == pytest.approx(1.5 / 3.0)


def test_no_turn_answered_whole_by_both_gives_no_ratio():
    assert ratio_to_baseline([Answer(1.0, False)], [Answer(1.0, True)])["ratio"] is None


def test_the_cloud_overhead_is_what_the_vad_and_the_services_leave():
    # 0.36 s VAD stop + 0.25 + 0.64 + 0.15 s of services = 1.40 s; first audio at 1.45 s.
    assert cloud_overhead_ms(1.45, 0.36, CLOUD_TIMINGS_S.values()) == pytest.approx(50.0)


def test_p95_of_one_value_is_that_value():
    assert p95([0.8]) == 0.8
    assert p95([]) is None
