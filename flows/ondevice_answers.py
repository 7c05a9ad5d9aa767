"""What the on-device brain does with the answers to its own questions: the read-back, the
gate's "Shall I go ahead?", a detail confirmed alone, a person offered, "Would you like to
end the call?" and "What would you like to change?".

A part of `OfflineBookings` (flows/ondevice_bookings.py), which reads every other caller
turn; flows/ondevice_booking_results.py reads the tools' results.
"""

import re
from dataclasses import replace

from flows.booking_changes import changed_detail
from flows.booking_dates import parse_date
from flows.booking_progress import BookingProgress
from flows.booking_slots import Slots, parse_name, parse_slots
from flows.ondevice_booking_results import ANYTHING_ELSE, OFFER_A_PERSON, BookingResults
from flows.phone_heard import NOT_CAUGHT
from flows.phone_numbers import unusable_phone
from flows.speech import people, spoken_date, spoken_time
from flows.task_words import CHANGE_SAID
from function_calls import is_affirmative, is_negative, is_question
from services.ondevice_llm import Reply

LEAVING = Reply("", calls=(("end_call", {}),))
"""The caller confirmed they are leaving mid-task: the dialogue says its goodbye."""
SAYS_BYE = re.compile(r"\b(?:(?:good ?)?bye|ta-?ra|cheerio)\b", re.IGNORECASE)
LEAVE_IT = re.compile(
    r"\b(?:leave it|keep it|as it is|no changes?|nothing|never ?mind|forget it|that's all|"
    r"that is all|it's fine|that's fine)\b",
    re.IGNORECASE,
)
"""Words that keep a booking as it is, said to "What would you like to change?"."""
NAME_NOTED = "Shall I book it under that name, with a note for our staff to check the spelling?"
CANNOT_ANSWER = "Sorry, I can't answer that while I'm offline."
READ_BACK_DETAILS = (
    (
        "party_size",
        re.compile(r"\b(?:number of (?:people|guests)|how many|people|guests|party)\b", re.I),
    ),
    ("name", re.compile(r"\bname\b", re.I)),
    ("phone", re.compile(r"\b(?:phone|mobile|number)\b(?! of)", re.I)),
    ("at", re.compile(r"\btime\b", re.I)),
    ("day", re.compile(r"\b(?:day|date)\b", re.I)),
)
"""Words naming one detail of a booking read back ("No, the name's wrong.", "The time.")."""
READ_BACK_TRIES = 2
"""Answers to a read-back heard as nothing, each asked again with the question alone, before
a person is offered."""
ANSWERED_INTENTS = ("hours", "address", "human", "repeat", "menu", "goodbye")
"""Intents that answer a question themselves, mid-task too."""


class QuestionAnswers(BookingResults):
    """Answers to the bot's questions for `OfflineBookings`: it provides `_listen`, `_next`,
    `_ask`, `_question` and `_handoff`."""

    def _answer_to_question(self, text: str) -> Reply | None:
        desk = self.progress
        yes, no = is_affirmative(text), is_negative(text)
        if desk.awaiting == "human":
            desk.awaiting = None
            before = desk.slots
            if (yes or no) and desk.task is not None and self._listen(text):
                # "No, it's for five people", "Ok, what about 6 people then?": the task goes
                # on with them ("Yes please, there are 12 of us" is a yes).
                fits = (desk.slots.party_size or 0) <= self.rules.max_party_size
                if no or (desk.slots != before and fits):
                    return self._next()
            if yes:
                return Reply("", calls=(("transfer_to_human", self._handoff("offered")),))
            if no:
                self.progress = BookingProgress()
                return Reply(f"All right. {ANYTHING_ELSE}")
            return None
        if desk.awaiting == "unsure":
            return self._answer_to_confirmation(text, yes, no)
        if desk.awaiting == "readback":
            said = parse_slots(text, self.rules.today(), self.rules.phone_region)
            note = said.notes
            if yes and note and note not in (desk.slots.notes or ""):
                # "Yes please, and can you put a note that it's my wife's birthday?": booked
                # without it until 3 Dec 2026; now read back again with it.
                desk.awaiting = None
                held = desk.slots.notes
                desk.slots = replace(desk.slots, notes=f"{held}; {note}" if held else note)
                return self._next()
            if yes:
                desk.awaiting = None
                return Reply("", calls=(("book_table", desk.booking_arguments()),))
            if (corrected := self._corrected(text, said)) is not None:
                # "One more person, so three.", "Apart from the time, it should be 8.": the
                # booking with it, read back again (it was booked as read until 3 Dec 2026).
                desk.awaiting, desk.slots = None, corrected
                return self._next()
            if no:
                desk.awaiting = None
                if desk.slots.name and parse_name(text) == desk.slots.name:
                    return self._name_heard_again()
                before = desk.slots
                if self._listen(text) and desk.slots != before:
                    return self._next()  # not the same booking read back again
                if unusable_phone(text, self.rules.phone_region):
                    # "No, my number is ..." heard a digit short: that number, asked again.
                    desk.slots = replace(desk.slots, phone=None)
                    return self._ask("phone")
                if (slot := changed_detail(text, READ_BACK_DETAILS)) is not None:
                    return self._ask_again(slot)
                desk.asked, desk.awaiting = None, "correction"
                return Reply("No problem. What would you like to change?")
            return None
        if desk.awaiting == "correction":
            desk.awaiting = None
            said = parse_slots(text, self.rules.today(), self.rules.phone_region)
            if (corrected := self._corrected(text, said)) is not None:
                desk.slots = corrected  # "Three." to "What would you like to change?"
                return self._next()
            if not said.filled() and (slot := changed_detail(text, READ_BACK_DETAILS)) is not None:
                return self._ask_again(slot)  # "The name."
            return None
        if desk.awaiting == "consent":
            held, desk.held, desk.awaiting = desk.held, None, None
            if yes:
                return Reply("", calls=(held,))
            if desk.task == "cancel" and desk.booking is not None:
                day = parse_date(text, self.rules.today())
                if day is not None and day.isoformat() == desk.booking.get("date"):
                    # "Oh sorry, it's Friday, not tomorrow." of the Friday booking read back:
                    # the gate reads it back again.
                    return Reply("", calls=(held,))
            desk.refusals += no
            before, heard = desk.slots, desk.task in ("book", "change") and self._listen(text)
            if heard and desk.slots != before:
                return self._next()  # "No, make it five": the details said instead, read back
            refused_again = desk.task == "change" and heard and desk.refusals > 1
            if refused_again and (only := self._only_said(text)) is not None:
                desk.slots = only  # "No. Five people." again, five read back: the rest was wrong
                return self._next()
            if desk.task == "change" and (heard or CHANGE_SAID.search(text)):  # or the same again
                return self._ask("changes", "" if heard else "Sorry, I did not catch that. ")
            if not no and not desk.read_back_again:
                # Neither yes nor no ("Oh sorry, it's under Vogel.", a word Whisper made of
                # noise): the gate reads it back again, once, rather than the call undoing it;
                # a question ("is there a fee?") is said to be one it cannot answer.
                desk.read_back_again = True
                said = CANNOT_ANSWER if is_question(text) else ""
                return Reply(said, calls=(held,))
            return self._left_as_it_was()
        return None

    def _only_said(self, text: str) -> Slots | None:
        """The change with only the details this turn says, when a second "no" says again what
        was read back and the read-back changed more: "on the eight" in a garbled first
        sentence moved a development caller's booking to the 8th, and "No. Five people." said
        twice kept it there. A first such "no" asks what to change."""
        said = parse_slots(text, self.rules.today(), self.rules.phone_region)
        unsaid = {k: None for k in ("day", "at", "party_size") if getattr(said, k) is None}
        only = replace(self.progress.slots, **unsaid)
        return only if only != self.progress.slots and only.details() else None

    def _ask_again(self, slot: str) -> Reply:
        """The one detail the caller said was read back wrong, with no new value heard for it
        ("No, the name's wrong.", "The name."): asked for again, not the same read-back (it
        was, until 3 Dec 2026)."""
        desk = self.progress
        desk.slots, desk.awaiting = replace(desk.slots, **{slot: None}), None
        return self._ask(slot, "Sorry about that. ")

    def _read_back_not_caught(self) -> Reply:
        """An answer to "Shall I book it?" heard as nothing: the question alone, not the whole
        read-back again (it was read six times over to a caller whose "yes" Whisper wrote as
        "U.S."); then a person."""
        desk = self.progress
        desk.read_back_misses += 1
        if desk.read_back_misses > READ_BACK_TRIES:
            desk.awaiting = "human"
            return Reply(f"Sorry, I still did not catch that. {OFFER_A_PERSON}")
        return Reply(f"{NOT_CAUGHT} Shall I book it? Please say yes or no.")

    def _corrected(self, text: str, said: Slots) -> Slots | None:
        """The new booking's details as a turn (`said`, as parsed) with none of its own
        corrects them (see `BookingProgress.corrected_at_read_back`), or None."""
        if said.details() or said.notes:  # "One of us has a nut allergy" is a note
            return None
        return self.progress.corrected_at_read_back(text)

    def _answer_to_changes(self, text: str, intent: str | None) -> Reply | None:
        """No details in answer to "What would you like to change?" (or, for a caller who asked
        about the booking, "Would you like to change the day, the time or the number of
        people?"): no, "leave it", or a goodbye keep the booking (a "bye" after asking about
        the booking ends the call); yes asks what to change."""
        desk = self.progress
        if intent == "goodbye" and SAYS_BYE.search(text):
            # "Great, thanks, bye." told the booking stands, or "OK, bye then." to what to
            # change: the booking stays as it is and the caller leaves.
            self.progress = BookingProgress()
            return LEAVING
        if is_negative(text) or intent == "goodbye" or LEAVE_IT.search(text):
            return self._left_as_it_was()
        if is_affirmative(text) and desk.changing == "check":
            desk.changing = None
            return self._ask("changes")
        return None

    def _left_as_it_was(self) -> Reply:
        self.progress = BookingProgress()
        return Reply(f"All right, I have left your booking as it was. {ANYTHING_ELSE}")

    def _name_heard_again(self) -> Reply:
        """A name correction heard as the name read back (Whisper's, each time): not read back
        again, but booked noted for the staff if the caller agrees; refused again, a person."""
        desk = self.progress
        if desk.name_unsure:
            desk.awaiting = "human"
            return Reply(f"Sorry, I cannot make out the name. {OFFER_A_PERSON}")
        desk.name_unsure, desk.awaiting = True, "readback"
        return Reply(f"Sorry, I keep hearing {desk.slots.name}. {NAME_NOTED}")

    def _read_back(self) -> str:
        """A new booking read back whole before it is made; a name that may be Whisper's
        spelling is offered with the note for the staff."""
        slots = self.progress.slots
        notes = f", with the note: {slots.notes}" if slots.notes else ""
        table = (
            f"So that's a table for {people(slots.party_size)}, on {spoken_date(slots.day)} at "
            f"{spoken_time(slots.at)}"
        )
        phone = f"phone {self._spoken_phone(slots.phone)}{notes}"
        if self.progress.name_unsure:
            heard = f"I may have your name wrong: I heard {slots.name}."
            return f"{table}, {phone}. {heard} {NAME_NOTED}"
        return f"{table}, under the name {slots.name}, {phone}. Shall I book it?"

    def _name_read_back(self, prefix: str) -> Reply:
        """The name alone, after the caller corrected it at the read-back: the rest was agreed.
        The third name heard (asked twice, or corrected twice) may still be Whisper's spelling:
        booked with a note for the staff if the caller agrees (a name never caught right
        blocked the booking; a development caller corrected it five times, 3 Dec 2026)."""
        desk = self.progress
        desk.name_corrections += 1
        if desk.names_heard() > 2:
            desk.name_unsure = True
            heard = f"Sorry, I may still have the name wrong: I heard {desk.slots.name}."
            return Reply(f"{prefix}{heard} {NAME_NOTED}")
        return Reply(
            f"{prefix}Thank you. So that's under the name {desk.slots.name}. Shall I book it?"
        )

    def _answer_to_leaving(self, text: str, intent: str | None) -> Reply | None:
        """The caller's answer to "Would you like to end the call?" mid-task: yes, or the
        goodbye again, ends it; no goes back to the question; details carry on the task."""
        desk = self.progress
        desk.awaiting = None
        if parse_slots(text, self.rules.today(), self.rules.phone_region, desk.asked).filled():
            return None  # details: the task goes on
        if intent == "goodbye" or is_affirmative(text):
            self.progress = BookingProgress()
            return LEAVING
        if is_negative(text) and desk.asked is None:  # no task yet: "How can I help?"
            return self._next("No problem. ") if desk.task else Reply("No problem. How can I help?")
        if is_negative(text):
            return Reply(f"No problem. {self._question(desk.asked)}")
        return None

    def _answer_to_confirmation(self, text: str, yes: bool, no: bool) -> Reply | None:
        """The caller's answer to "Was that 3 people?": yes, no, or another value."""
        desk = self.progress
        slot = desk.asked
        before = getattr(desk.slots, slot)
        if self._listen(text) and getattr(desk.slots, slot) != before:
            desk.awaiting = None
            return self._next()  # "No, four": the new value, confirmed if it too was a guess
        if yes:
            desk.awaiting = None
            desk.confirmed(slot)
            return self._next()
        if no:
            desk.awaiting = None
            desk.refused(slot)
            return self._ask(slot, "Sorry about that. ")
        return None  # "What time do you close?": answered, and the question still waits
