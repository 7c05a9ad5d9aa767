"""Every log line goes through the redactor, so no line, however hostile, may make it slow.

The one timing bound in the suite, because it is the requirement itself: a 10 kB
line of any shape is redacted well within 50 ms (best of five runs, so a busy
machine does not fail it), and a hard 2 s timer catches a catastrophic backtrack
without hanging the run. A timer signal, not a thread: the regex engine holds the
GIL for a whole match, so a thread could not time it out, but it does check for
signals as it goes.
"""

import logging
import signal
import time

import pytest

from conversation.logs import redact_line
from conversation.redaction import EMAIL, NAME, Redactor

LINE = 10_000
BUDGET_S = 0.050
HARD_TIMEOUT_S = 2.0


def _line(unit: str, prefix: str = "") -> str:
    return (prefix + unit * (LINE // len(unit) + 1))[:LINE]


HOSTILE = {
    "a@ then xdot": _line("xdot", "a@"),
    "a at then x dot": _line("x dot ", "a at "),
    "glued at and dot": _line("xatxdot", "a at "),
    "dot words": _line("dot "),
    "glued dots": _line("dot"),
    "dotted letters": _line("a."),
    "hyphenated letters": _line("a-"),
    "digits and spaces": _line("1 "),
    "digits and commas": _line("1,"),
    "bracketed digits": _line("(1) "),
    "one long number": _line("1"),
    "digit words": _line("one "),
    "words after my name is": _line("anna ", "my name is "),
    "capitalised words after my name is": _line("Anna ", "my name is "),
    "name cues": _line("my name is "),
    "single letters": _line("a b "),
    "street-like": _line("12 abc abc "),
    "a live-at cue then one word": _line("a", "i live at "),
}


def _within_hard_timeout(redact, line: str) -> str:
    def give_up(signum, frame):
        raise TimeoutError(f"redaction still running after {HARD_TIMEOUT_S} s")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, HARD_TIMEOUT_S)
    try:
        return redact(line)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("line", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_10_kb_line_is_redacted_in_under_50_ms(line):
    redactor = Redactor("GB")
    _within_hard_timeout(redactor.redact_log, line)
    durations = []
    for _ in range(5):
        started = time.perf_counter()
        redactor.redact_log(line)
        durations.append(time.perf_counter() - started)
    assert min(durations) < BUDGET_S, f"best of 5: {min(durations) * 1000:.1f} ms"


@pytest.mark.parametrize(
    "said",
    [
        "write to anna.kowalski@example.co.uk now",
        "sarah at example dot com please",
        "it is j dot smith underscore two at mail dot co dot uk",
        "You can email me at sera.johnsonatexample.com",
    ],
)
def test_the_bounded_email_patterns_still_find_real_addresses(said):
    redacted = Redactor("GB").redact(said)
    assert EMAIL in redacted
    assert "example" not in redacted and "mail dot" not in redacted


def test_a_name_after_a_cue_is_still_redacted_at_the_end_of_a_long_line():
    line = "x " * 4_000 + "my name is Anna Kowalski"
    redacted = Redactor("GB").redact_log(line)
    assert redacted.endswith(f"my name is {NAME}")


NETWORK_HOSTILE = {
    "dotted digits": _line("1.1.1.1."),
    "colon groups": _line("1:"),
    "hex colon groups": _line("ab:"),
    "many addresses": _line("fe80::1 203.0.113.9 "),
    "ice attributes": _line("a=ice-ufrag:"),
    "peer-connection-like ids": _line("ab#1-"),
}


@pytest.mark.parametrize("line", NETWORK_HOSTILE.values(), ids=NETWORK_HOSTILE.keys())
def test_a_hostile_10_kb_line_passes_the_whole_log_redaction_in_under_50_ms(line):
    _within_hard_timeout(lambda text: redact_line(text, logging.INFO), line)
    durations = []
    for _ in range(5):
        started = time.perf_counter()
        redact_line(line, logging.INFO)
        durations.append(time.perf_counter() - started)
    assert min(durations) < BUDGET_S, f"best of 5: {min(durations) * 1000:.1f} ms"
