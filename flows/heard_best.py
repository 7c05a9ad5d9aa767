"""Which of Whisper's hypotheses the restaurant keeps: the best, unless a close runner-up
says more of a booking.

Whisper's beam keeps several transcripts of a turn (services/whisper_hypotheses.py). When
the best misheard a detail that a runner-up scored nearly as well has right ("a table for
free" / "a table for three", "to high ten" / "tonight"), the runner-up fills the booking
and the best only gets a question. The runner-up is kept only when its score is within
`margin` of the best's, it fills more of day, time and party size than the best (a detail
read from a sound-alike counts half, flows/heard_alike.py), and it keeps every detail the
best filled with the same value: a runner-up never changes what was heard, it only adds.
"""

from collections.abc import Sequence

from flows.booking_rules import BookingRules
from flows.booking_slots import Slots, parse_slots

BOOKING_DETAILS = ("day", "at", "party_size")


class BookingHypothesisChooser:
    """`services.whisper_hypotheses.Chooser` for a restaurant taking bookings."""

    def __init__(self, rules: BookingRules, margin: float = 0.15):
        """
        Args:
            rules: Today's date and the phone region, as the booking reader uses them.
            margin: How far below the best's score (mean log-probability of a token) a
                runner-up may be and still be taken.
        """
        self._rules = rules
        self._margin = margin

    def describe(self) -> str:
        return f"a runner-up within {self._margin} of the best's score that adds a booking detail"

    def slots(self, text: str) -> Slots:
        return parse_slots(text, self._rules.today(), self._rules.phone_region)

    def __call__(self, hypotheses: Sequence[tuple[str, float]]) -> int:
        if len(hypotheses) < 2:
            return 0
        top_text, top_score = hypotheses[0]
        top = self.slots(top_text)
        best, best_worth = 0, worth(top)
        for index, (text, score) in enumerate(hypotheses[1:], start=1):
            if top_score - score > self._margin or text.strip() == top_text.strip():
                continue
            heard = self.slots(text)
            if worth(heard) > best_worth and keeps(heard, top):
                best, best_worth = index, worth(heard)
        return best


def worth(slots: Slots, details: Sequence[str] = BOOKING_DETAILS) -> float:
    """Booking details filled (of `details`): one each, half for one read from a sound-alike."""
    return sum(
        0.5 if detail in slots.unsure else 1.0
        for detail in details
        if getattr(slots, detail) is not None
    )


def keeps(heard: Slots, top: Slots) -> bool:
    """Whether `heard` has every detail `top` has, with the same value."""
    return all(
        getattr(top, detail) is None or getattr(heard, detail) == getattr(top, detail)
        for detail in (*BOOKING_DETAILS, "phone")
    )
