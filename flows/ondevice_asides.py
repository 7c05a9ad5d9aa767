"""What the on-device brain says to a turn beside the task under way: a request about other
people's bookings, the reference asked for, a moment asked for, the hours or the address asked
at a read-back, a goodbye there.

A part of `OfflineBookings` (flows/ondevice_bookings.py), read before the caller's turn is
taken as an answer to the bot's own question.
"""

from flows.booking_progress import UNFINISHED, WHICH_TASK
from flows.booking_slots import HOLD_ON, parse_slots
from flows.ondevice_answers import SAYS_BYE, QuestionAnswers
from flows.task_words import OTHERS_BOOKINGS, REFERENCE_ASKED
from function_calls import is_affirmative, is_negative
from services.ondevice_llm import DialogueTurn, Match, Reply

TAKE_YOUR_TIME = "Of course, take your time."
NOT_SHARED = (
    "Sorry, I can't share or change anything about other people's bookings, and I can't "
    "change how I work."
)
MAX_HOLD_ON_WORDS = 10


class Asides(QuestionAnswers):
    """Turns beside the task for `OfflineBookings`: it provides `resume` and `_question`."""

    def _aside(self, turn: DialogueTurn, found: Match, intent: str | None) -> Reply | None:
        """The answer to a turn beside the task, or None when the turn is the task's."""
        text, desk = turn.user_text or "", self.progress
        if OTHERS_BOOKINGS.search(text):
            question = self._question(desk.asked) if desk.asked else WHICH_TASK
            return Reply(f"{NOT_SHARED} {question}")
        booking = desk.booking or {}
        if booking.get("reference") and not booking.get("unconfirmed"):
            if REFERENCE_ASKED.search(text):  # shown theirs: "And what's my reference?"
                reference = " ".join(booking["reference"])
                return Reply(f"Your booking reference is {reference}. {self.resume()}".rstrip())
        if desk.task is not None and self._asks_for_a_moment(text):
            return Reply(TAKE_YOUR_TIME)  # "Hold on one sec.": the question still waits
        if desk.awaiting not in ("readback", "consent"):
            return None
        if intent in ("hours", "address") and found.intent is not None:
            if not (is_affirmative(text) or is_negative(text)):
                # "What time do you close on Saturdays?" at the read-back: answered, and the
                # read-back waits (it was read back again unanswered); the gate's read-back is
                # said again with the answer, as its yes must answer it.
                answer = found.intent.respond(turn).text
                if desk.awaiting == "readback":
                    return Reply(answer)
                answer = answer.removesuffix(f" {self.resume()}")
                held, desk.held, desk.awaiting = desk.held, None, None
                return Reply(answer, calls=(held,))
        if intent == "goodbye" and SAYS_BYE.search(text) and not is_affirmative(text):
            # "Cheers, bye." to "Shall I go ahead?": leaving, or Whisper's? Asked.
            desk.awaiting, desk.held = "leaving", None
            return Reply(f"{UNFINISHED[desk.task]} Would you like to end the call?")
        return None

    def _asks_for_a_moment(self, text: str) -> bool:
        """A short turn asking for a moment, with no detail ("Give me a second, let me check
        my diary."): it was read as 1 pm, 1 person or the digits of a number."""
        if HOLD_ON.search(text) is None or len(text.split()) > MAX_HOLD_ON_WORDS:
            return False
        return not parse_slots(text, self.rules.today(), self.rules.phone_region).filled()
