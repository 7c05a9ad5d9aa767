"""What the bot heard of a caller's phone number, and what it says when that is no number.

A caller who pauses in the middle of a number ("oh seven nine one one, ...", or
"07845." with no more than the start of one) is heard as two turns: the first ends
mid-number, and the bot says only "Go on, I'm listening." (never nothing) and joins the
two, once. Any other turn whose
digits make no valid number is answered at once with what was heard: "I heard
0 7 1 2 3 — could you say the whole number again, digit by digit?"

Whisper tiny.en now and then merges a repeated digit ("six six" -> "6"), and
does so again when the whole number is said again. So after a second whole
number that is no number (the first may be in the caller's first words), the bot asks for it in two parts, which it joins (a
caller who says the whole number again instead is asked once more for the first
part, not told "and the rest"); when the parts make no number either, it says so
and offers a member of staff rather than asking the same thing for ever.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import date

import phonenumbers

from flows.booking_dates import parse_date
from flows.booking_slots import Slots, parse_party_size, parse_time
from flows.phone_numbers import parse_phone, possible_phone, unusable_phone
from function_calls import is_affirmative

MAX_PHONE_DIGITS = 13
"""From this many digits, no longer the start of a number: ask again, whatever the pause."""
STILL_SAYING = re.compile(r"(?:[,\-\u2013\u2014\u2026]|\.\.\.|\b(?:and|double|triple|then))\s*$")
"""How a turn cut off mid-number ends: a comma, a dash, an ellipsis, a joining word."""
GO_ON = "Go on, I'm listening."
FIRST_PART = "Let's take it in two parts. What are the first five digits?"
REST = "Thank you. And the rest of the number?"
FIRST_PART_AGAIN = "Just the first five digits, please."
NOT_CAUGHT = "Sorry, I did not catch that."
MAX_FIRST_PART_DIGITS = 6
"""More digits than this, asked for the first part: the caller said the whole number again."""
WHOLE_TRIES = 2
"""Whole numbers heard as no number before the bot asks for it in two parts."""


@dataclass
class PhoneHeard:
    """The phone number being said in one booking."""

    partial: str = ""
    """The start of a number the caller paused in."""
    unusable: str = ""
    """Digits the caller said as their number that make no valid number."""
    failures: int = 0
    """Answers to "what number?" that made no valid number."""
    in_parts: bool = False
    """The bot asked for the number in two parts; the first is in `partial` once said."""
    gave_up: bool = False
    """This turn's parts made no valid number either: the bot offers a person instead."""
    read_back: str = ""
    """The digits the bot last said back, asking for the number again."""
    refused: set[str] = field(default_factory=set)
    """Numbers guessed from what was heard that the caller said are not theirs."""

    def joined(self, text: str, region: str) -> tuple[str, bool]:
        """The turn to read for a phone number: the paused start joined with this turn,
        unless this turn alone holds a valid number (the caller said it all again);
        and whether a paused start was waiting."""
        partial, self.partial = self.partial, ""
        if not partial or parse_phone(text, region, bare=True) is not None:
            return text, bool(partial)
        return f"{partial} {text}", True

    def unrefused(self, said: Slots) -> Slots:
        """`said` less a guessed number the caller already refused."""
        if said.phone in self.refused and "phone" in said.unsure:
            return replace(said, phone=None, unsure=said.unsure - {"phone"})
        return said

    def heard(self, text: str, region: str, bare: bool) -> None:
        """Remember digits said as a phone number that make no valid number."""
        digits = unusable_phone(text, region, bare=bare)
        if _details_not_a_number(text, digits):
            return
        if digits or parse_phone(text, region, bare=bare) is not None:
            self.unusable = digits

    def answer(self, text: str, region: str, waited: bool) -> str | None:
        """After a turn answering "what number?" that gave no valid number: what to say (a
        short "go on" when it stopped mid-number, the question again with what was heard,
        or, after two tries, a request for it in two parts), or None if no digits were
        said at all, or only those of a party size or a time said with them."""
        digits = unusable_phone(text, region, bare=True)
        if not digits:
            return None
        if not self.in_parts and _details_not_a_number(text, digits):
            return None
        self.unusable, self.gave_up = digits, False  # a new try, after a person was offered too
        if self.in_parts and not waited and len(digits) > MAX_FIRST_PART_DIGITS:
            # Not a first part to join to the rest, but the whole number heard short again.
            self.failures += 1
            if self.failures > WHOLE_TRIES + 1:
                return self._give_up(digits)
            return f"I heard {said_back(digits)}. {FIRST_PART_AGAIN}"
        if self.in_parts and not waited and _booking_details(text):
            # "No, it's three people at seven thirty": digits, but no part of a number.
            return FIRST_PART_AGAIN
        if self.in_parts and not waited:
            self.partial = text  # the first part, joined to the next turn
            return REST
        cut_off = STILL_SAYING.search(text.strip()) or _a_start(digits, region)
        if not waited and len(digits) < MAX_PHONE_DIGITS and cut_off:
            self.partial = text
            return GO_ON
        if self.in_parts:
            return self._give_up(digits)
        self.failures += 1
        if self.failures >= WHOLE_TRIES:
            self.in_parts, self.read_back = True, digits
            return f"I heard {said_back(digits)}. {FIRST_PART}"
        return self.ask_again()

    def repeated(self, text: str, region: str) -> str | None:
        """A number said again the same way (or said to be right) after the bot read it back,
        with a mobile's length though phonenumbers does not call it valid (a range newer than
        its metadata): the caller's, as E.164. Digits merged by Whisper make it too short."""
        digits = unusable_phone(text, region, bare=True)
        if not digits and self.read_back and is_affirmative(text):
            digits = self.read_back  # "Yes." to "I heard 0 7 9 1 1 ... — could you say ...?"
        if not digits or digits != self.read_back:
            return None
        return possible_phone(digits, region)

    def not_caught(self, text: str, region: str) -> str:
        """The start of the reply to a turn the bot took nothing from: the digits of a number
        it cannot use, when the caller said one (they know what to say again), or a plain
        "did not catch that"."""
        digits = unusable_phone(text, region, bare=False)
        if len(digits) > MAX_FIRST_PART_DIGITS:
            return f"I heard {said_back(digits)}, which is not a phone number I can use."
        return NOT_CAUGHT

    def _give_up(self, digits: str) -> str:
        self.in_parts, self.gave_up = False, True
        return f"I heard {said_back(digits)}, which is not a phone number I can use."

    def ask_again_heard(self) -> str:
        """The question again for digits said outside an answer to "what number?" (most often
        in the caller's first words): that counts as a try, so one more miss asks for the
        number in two parts. A development caller whose opening and two answers were all
        heard short ran out of turns in the middle of its parts (3 Dec 2026)."""
        if self.unusable != self.read_back:
            self.failures += 1
        return self.ask_again()

    def ask_again(self) -> str:
        self.read_back = self.unusable
        return f"I heard {said_back(self.unusable)} — could you say the whole number again, digit by digit?"


MIN_START_DIGITS = 4
"""Fewer digits than this are no start of a number ("0" alone, "07")."""


def _a_start(digits: str, region: str) -> bool:
    """Whether `digits` are the first part of a number, said with a pause after it ("07845."
    then "202976."): the region's national prefix and no more digits than a first group
    (`MAX_FIRST_PART_DIGITS`). More is a number heard short, said back: waiting for the rest of
    "0 7 9 1 8 9 1 4 4" lost two held-out cancellations their turns (3 Dec 2026)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefix = metadata.national_prefix if metadata is not None else None
    if not prefix or not digits.startswith(prefix):
        return False
    return MIN_START_DIGITS <= len(digits) <= MAX_FIRST_PART_DIGITS


def _details_not_a_number(text: str, digits: str) -> bool:
    """Whether a turn's few digits are those of a party size or a time said with them ("No,
    it's for four people at seven"): a correction, not a number."""
    return 0 < len(digits) <= MAX_FIRST_PART_DIGITS and _booking_details(text)


def _booking_details(text: str) -> bool:
    """Whether a turn names a party size, a time of day or a day ("it's the one on Friday"),
    which a phone number never does."""
    return any(
        found is not None
        for found in (parse_party_size(text), parse_time(text), parse_date(text, date.today()))
    )


def said_back(digits: str) -> str:
    """Digits as the bot says them back, one by one: "0 7 1 2 3"."""
    plus = "plus " if digits.startswith("+") else ""
    return plus + " ".join(digits.lstrip("+"))
