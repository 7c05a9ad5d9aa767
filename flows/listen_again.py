"""When the restaurant wants a second Whisper to listen again, and which words it keeps.

services/whisper_second_listen.py lets a larger Whisper listen again to a turn. It costs
about twice the first model's time, so only a turn whose words plainly lack what the caller
was asked gets it:
- after the greeting (or anything the bot asked no question for), a booking request (its
  words, a party size, or two of its details) that lacks its day, time or party size
  ("Reformation for ten on Friday"); a question about the restaurant with one detail ("Are
  you open on Sunday?"), a change or a cancellation is left alone;
- after a question for one detail ("What time would you like the table?"), an answer with
  none of what was asked.

Only whole sentences are judged: the VAD cuts a turn at its pauses and Whisper transcribes
each piece, and a piece ("Could I book a table for four") lacks what the next one says. A
phone number, said in groups, comes in pieces too, so it is never judged: in whole calls,
listening again to each piece split turns in two (a piece's words came later than the turn
end waits for).

The second transcript is kept only when it holds more of what was asked (a detail read from
a sound-alike counts half, as in flows/heard_best.py).
"""

import re

from flows.booking_rules import BookingRules
from flows.booking_slots import Slots, parse_slots
from flows.heard_best import worth
from flows.stt_prompts import PROMPT_ASKS, REQUEST_PROMPT
from flows.task_words import TASK_WORDS

BOOKING_TALK = re.compile(
    r"\b(?:table|book|booking|reserv\w*|people|party|for (?:\d{1,2}|one|two|three|four|five|six"
    r"|seven|eight|nine|ten|eleven|twelve))\b",
    re.IGNORECASE,
)
"""Words of a booking request, misheard as it may be ("Reformation for ten on Friday")."""
SENTENCE_END = re.compile(r"[.?!]\s*$")
"""Whisper ends a whole sentence with a stop; words cut off by a pause are only part of one."""
BARE_ANSWERS = ("at", "party_size")
"""Details asked alone that `parse_slots` reads from a bare answer ("seven thirty", "four")."""


class BookingSecondListen:
    """`services.whisper_second_listen.SecondListen` for a restaurant taking bookings."""

    def __init__(self, rules: BookingRules):
        """
        Args:
            rules: Today's date and the phone region, as the booking reader uses them.
        """
        self._rules = rules

    def wanted(self, text: str, prompt: str | None) -> bool:
        asks = PROMPT_ASKS.get(prompt or "", ())
        if not asks or not SENTENCE_END.search(text):
            return False
        heard = self._slots(text, asks)
        if prompt == REQUEST_PROMPT:
            if any(p.search(text) for _, p in TASK_WORDS):
                return False
            filled = worth(heard, asks)
            booking = BOOKING_TALK.search(text) or heard.party_size is not None or filled >= 2
            return bool(booking) and filled < len(asks)
        return worth(heard, asks) == 0

    def better(self, first: str, second: str, prompt: str | None) -> bool:
        asks = PROMPT_ASKS.get(prompt or "", ())
        return worth(self._slots(second, asks), asks) > worth(self._slots(first, asks), asks)

    def _slots(self, text: str, asks: tuple[str, ...]) -> Slots:
        alone = asks[0] if len(asks) == 1 and asks[0] in BARE_ANSWERS else None
        return parse_slots(text, self._rules.today(), self._rules.phone_region, asked=alone)
