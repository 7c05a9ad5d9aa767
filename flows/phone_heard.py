"""What the bot heard of a caller's phone number, and what it says when that is no number.

A caller who pauses in the middle of a number ("oh seven nine one one, ...")
is heard as two turns: the first ends mid-number, and the bot waits for the
rest, once. Any other turn whose digits make no valid number is answered at
once with what was heard, so the caller is never met with silence: "I heard
0 7 1 2 3 — could you say the whole number again, digit by digit?"
"""

import re
from dataclasses import dataclass

from flows.booking_slots import parse_phone, unusable_phone

MAX_PHONE_DIGITS = 13
"""From this many digits, no longer the start of a number: ask again, whatever the pause."""
STILL_SAYING = re.compile(r"(?:[,\-\u2013\u2014\u2026]|\.\.\.|\b(?:and|double|triple|then))\s*$")
"""How a turn cut off mid-number ends: a comma, a dash, an ellipsis, a joining word."""


@dataclass
class PhoneHeard:
    """The phone number being said in one booking."""

    partial: str = ""
    """The start of a number the caller paused in."""
    unusable: str = ""
    """Digits the caller said as their number that make no valid number."""

    def joined(self, text: str, region: str) -> tuple[str, bool]:
        """The turn to read for a phone number: the paused start joined with this turn,
        unless this turn alone holds a valid number (the caller said it all again);
        and whether a paused start was waiting."""
        partial, self.partial = self.partial, ""
        if not partial or parse_phone(text, region, bare=True) is not None:
            return text, bool(partial)
        return f"{partial} {text}", True

    def heard(self, text: str, region: str, bare: bool) -> None:
        """Remember digits said as a phone number that make no valid number."""
        digits = unusable_phone(text, region, bare=bare)
        if digits or parse_phone(text, region, bare=bare) is not None:
            self.unusable = digits

    def answer(self, text: str, region: str, waited: bool) -> str | None:
        """After a turn answering "what number?" that gave no valid number: "" to wait for
        the rest of the number, the question again with what was heard, or None if no
        digits were said at all."""
        digits = unusable_phone(text, region, bare=True)
        if not digits:
            return None
        self.unusable = digits
        if not waited and len(digits) < MAX_PHONE_DIGITS and STILL_SAYING.search(text.strip()):
            self.partial = text
            return ""
        return self.ask_again()

    def ask_again(self) -> str:
        return f"I heard {said_back(self.unusable)} — could you say the whole number again, digit by digit?"


def said_back(digits: str) -> str:
    """Digits as the bot says them back, one by one: "0 7 1 2 3"."""
    plus = "plus " if digits.startswith("+") else ""
    return plus + " ".join(digits.lstrip("+"))
