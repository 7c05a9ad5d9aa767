"""Where one call stands with a booking, and the questions the offline brain asks about it.

The on-device brain (flows/ondevice_bookings.py) asks for a missing detail with
its question, and confirms a detail read from a guess at what was heard ("a
table for free" is 3) with a question about that detail alone ("Was that 3
people?"), not the whole booking.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from flows.booking_arguments import MAX_NOTES_CHARS
from flows.booking_changes import (
    CHANGE_QUESTIONS,
    PEOPLE_SAID,
    TIME_SAID,
    booked_time_said,
    changed_detail,
    day_change,
    made_it,
    party_change,
    said_instead,
    time_change,
    time_without_value,
)
from flows.booking_slots import (
    MAX_PARTY,
    SAID_AS_THE_NAME,
    Slots,
    parse_party_size,
    parse_time,
)
from flows.heard_alike import WEEKDAYS
from flows.phone_heard import PhoneHeard
from flows.speech import people, spoken_date, spoken_phone, spoken_time
from flows.spoken_numbers import with_digits
from flows.task_words import CHANGE_SAID

BARE_NUMBER = re.compile(r"(?<![\d:.])\b(1[0-2]|[1-9])\b(?![:.]\d)")
"""A number that can be an hour or a party size, alone ("Three.", "it should be 8")."""
MAX_CORRECTION_WORDS = 12
"""A longer turn's one number is as likely about something else ("... one of us will be
late, so please keep the table ...")."""

QUESTIONS = {
    "day": "What day would you like to come?",
    "at": "What time would you like the table?",
    "party_size": "For how many people?",
    "name": "What name should I put the booking under?",
    "phone": "And what phone number can we reach you on?",
    "changes": "What would you like to change: the day, the time or the number of people?",
    "booking_day": "What day is the booking for, and what phone number is it under?",
}
BOOKING_DAY_QUESTION = "What day is the booking for?"
"""For a booking whose number the caller gave but whose name could not be heard."""
WHICH_TASK = "Would you like to book a table, or change or cancel a booking you have?"
LEAVE_BEFORE_ANYTHING = "Would you like to end the call, or is there something I can help with?"
"""Said when a goodbye is the caller's first words: Whisper invents farewells in noise."""
UNFINISHED = {
    "book": "Your table is not booked yet.",
    "change": "Your booking is not changed yet.",
    "cancel": "Your booking is not cancelled yet.",
}
"""Said before "Would you like to end the call?" when the caller says goodbye mid-task."""
FIND_QUESTION = "What phone number is the booking under?"
REFERENCE_QUESTION = (
    "What is the booking reference? It is the six-digit number in the text message we sent."
)
WHY_NUMBER = re.compile(
    r"\bwhy (?:do|would|should|does) (?:you|it|that|one) (?:need|want|have)\b", re.IGNORECASE
)
NO_NUMBER = re.compile(
    r"\b(?:don't|do not|can't|cannot|won't|rather not|prefer not to)\b[\w' ]{0,20}?"
    rf"\b(?:remember|recall|know|have|give|say|share)\b|{WHY_NUMBER.pattern}",
    re.IGNORECASE,
)
"""A caller who cannot or will not give the number ("I don't remember which number I used"),
or asks why it is needed ("Why do you need my number?")."""
CALLER_ID = re.compile(
    r"\b(?:(?:the|this|same) (?:number|one) (?:i'm|i am|i'm calling|i am calling) "
    r"(?:calling |ringing |phoning )?(?:from|on|with)|this (?:number|phone)\b|"
    r"(?:you've|you have|you) (?:got|have|already have|can see) my number|caller id)",
    re.IGNORECASE,
)
"""A caller who points at the number they are calling from, which the bot cannot see."""
NO_CALLER_ID = "Sorry, I can't see the number you're calling from."
TIMES_ASKED = re.compile(
    r"\bwhat times?\b(?! is it\b)|\bwhen (?:are you|is it|is there|do you have)\b[\w ]{0,12}"
    r"(?:free|available|space|room)|\bwhat(?:'s| is| do you have) (?:free|available)\b|"
    r"\b(?:latest|last|earliest|first) (?:sitting|seating|booking|reservation|table|time)s?\b|"
    r"\bhow (?:late|early) (?:can|do|could)\b",
    re.IGNORECASE,
)
"""The caller asks which times are free, mid-booking ("What times do you have?", "What's your
latest sitting?", "How late can we come?")."""
NEXT_WEEKDAY = re.compile(rf"\bnext (?:{WEEKDAYS})\b", re.IGNORECASE)
WEEKEND = re.compile(r"\bweekend\b", re.IGNORECASE)
NUMBER_NEEDED = {
    "book": "We need a phone number to send the confirmation by text message. What number can "
    "we reach you on?",
    "change": "I can only find a booking with the phone number it is under, or its reference.",
    "cancel": "I can only find a booking with the phone number it is under, or its reference.",
}
NAME_NOTE = "The name may be misheard: please check its spelling."
NAME_TRIES = 2
"""Names not caught, in a lookup, before the bot asks for the booking's day instead."""
FIND_NAME_QUESTION = "And what name is the booking under?"
NEW_TIME_CUE = re.compile(
    r"\b(?:no|actually|sorry|can (?:we|i|you)|could (?:we|i|you)|how about|what about|later|"
    r"earlier|prefer)\b",
    re.IGNORECASE,
)
"""Besides the words of any change (`CHANGE_SAID`), those with which a caller changes the time
of the table ("Actually, can we do 8?")."""


@dataclass
class BookingProgress:
    """Where the call stands with a booking."""

    task: str | None = None
    """"book", "change" or "cancel"."""
    slots: Slots = field(default_factory=Slots)
    """For a new booking, its details; for a change, the new details."""
    asked: str | None = None
    """The detail the bot asked for last, so a bare answer fills it."""
    awaiting: str | None = None
    """"readback" (yes books), "consent" (yes repeats `held`), "human" (yes transfers),
    "unsure" (yes confirms the detail `asked`), "leaving" (yes ends the call), "correction"
    (a bare number corrects a detail of the booking read back)."""
    checked: tuple | None = None
    """The (day, time, party size) found free."""
    checking: tuple | None = None
    """The (day, time, party size) being checked now: not checked twice at once."""
    booking: dict[str, Any] | None = None
    """The caller's booking, once found (change, cancel)."""
    name_misses: int = 0
    """Answers to "what name is the booking under?" with no name heard in them."""
    weekend: bool = False
    """The caller said the weekend, not which day of it: the day is asked as Saturday or
    Sunday."""
    no_phone: bool = False
    """The caller cannot give the booking's number: its reference is asked for instead (the
    tools look a booking up by one of the two)."""
    booking_day: date | None = None
    """The day the caller says their booking is on ("from Thursday to Friday"): a fact that
    shows it is theirs, and for a change not the day it goes to."""
    month: str | None = None
    """The month the caller named for their visit ("in March"), for a day of the month said
    after it alone ("The 5th.")."""
    held: tuple[str, dict[str, Any]] | None = None
    """The call whose read-back the caller is answering."""
    refusals: int = 0
    """Times the caller said no to a change or cancellation read back."""
    read_back_again: bool = False
    """A change or cancellation was read back a second time after an answer that was neither
    yes nor no; another such answer leaves the booking as it was."""
    taken: tuple[str, str] | None = None
    """The (phone, name) a new booking was refused under: another booking that day is under
    that number, and the caller has not shown it is theirs."""
    read_back_misses: int = 0
    """Answers to a new booking's read-back heard as neither yes, no nor a detail."""
    numbers_before: list[str] = field(default_factory=list)
    """Numbers heard whole and then replaced by another: a booking not found under the newer
    is looked for under these too."""
    phone: PhoneHeard = field(default_factory=PhoneHeard)
    """What was heard of the caller's phone number so far."""
    name_unsure: bool = False
    """The caller corrected the name and the same name was heard again, or another after more
    than one try: the booking, if made, carries `NAME_NOTE` for the staff."""
    name_asks: int = 0
    """Times the bot asked for the name in this task (not counting a question said again after
    an aside)."""
    name_corrections: int = 0
    """Times the caller corrected the name at the read-back."""
    read_back_as: Slots | None = None
    """The new booking as last read back: read back again with only the name corrected, the
    name alone is said."""
    changing: str | None = None
    """The one detail the caller said the change is about ("the number of people")."""
    party_change: int | None = None
    """People the change adds, or below zero removes ("two more people")."""
    time_change: int | None = None
    """Minutes the change moves the booking by, later or below zero earlier ("half an hour
    later")."""
    day_change: int | None = None
    """Days the change moves the booking by ("the day after": 1)."""
    unclear_number: int | None = None
    """A bare number said to "the day, the time or the number of people?" ("Make it 8."):
    8 pm or 8 people, asked."""
    said_next: bool = False
    """The new day was said as "next Friday": a booking already on the coming Friday moves to
    the one after."""

    def take(self, said: Slots):
        """What a turn said, over what was held; a number it replaces is kept in
        `numbers_before`."""
        held = self.slots.phone
        self.slots = self.slots.merged(said)
        if held and held != self.slots.phone and held not in self.numbers_before:
            self.numbers_before.append(held)

    def number_before(self) -> str | None:
        """A number heard earlier in the task, once each, to look the booking up by when the
        number held finds none: a development caller's right number, heard whole, was replaced
        by one heard a digit wrong when said again with the booking's day (3 Dec 2026)."""
        while self.numbers_before:
            if (number := self.numbers_before.pop()) != self.slots.phone:
                return number
        return None

    def table_asked(self) -> Slots:
        """The day, time and party size of a change that found no booking, for the new table
        the caller may book instead: "I'd love my table on Friday for three at 8:30" is
        Whisper's "a table", taken for a change (a development caller, 3 Dec 2026)."""
        if self.task not in (None, "change") or self.booking is not None:
            return Slots()
        said = self.slots
        return Slots(day=said.day or self.booking_day, at=said.at, party_size=said.party_size)

    def read_change(self, said: Slots, text: str) -> tuple[Slots, bool]:
        """What a turn says about the change, and whether it moves the party size or the time
        by an amount ("two more people", where a size said with it, "one person can't come", is
        not the new one; "half an hour later"). A bare answer to the change question is the
        time if the caller named the time ("Eight"), a party size if they named that, and
        asked about if they named neither ("Make it 8": "Is that 8 pm, or 8 people?")."""
        if (number := self.unclear_number) is not None:
            self.unclear_number = None  # "People." or "8 pm." to "8 pm, or 8 people?"
            if said.party_size is None and PEOPLE_SAID.search(text):
                said = replace(said, party_size=number)
            elif said.at is None and TIME_SAID.search(text):
                said = replace(said, at=parse_time(str(number), bare=True))
        if said.day is not None:
            self.said_next = NEXT_WEEKDAY.search(text) is not None
        vague_time = "at" if not said.details() and time_without_value(text) else None
        self.changing = changed_detail(text) or vague_time or self.changing
        if (change := party_change(text)) is not None:
            self.changing, self.party_change = "party_size", change
            return replace(said, party_size=None), True
        if said.day is None and (shift := day_change(text)) is not None:
            self.changing, self.day_change = "day", shift
            return said, True
        if (moved := time_change(text)) is not None and (said.at is None or booked_time_said(text)):
            # "20 minutes late for my 7pm table": the 7 pm is the booking's, moved by 20.
            self.changing, self.time_change = "at", moved
            return replace(said, at=None), True
        if self.booking is not None and self.asked == "changes" and not said.details():
            at, size = parse_time(text, bare=True), parse_party_size(text, bare=True)
            if self.changing == "at":
                return replace(said, at=at), False
            if self.changing != "party_size" and at is not None and size is not None:
                if size == self.booking.get("party_size") or parse_time(str(size), bare=True) != at:
                    return replace(said, at=at), False  # the size it has, or "Half seven"
                if at.strftime("%H:%M") != self.booking.get("time"):
                    self.unclear_number = size
                    return said, False
            return replace(said, party_size=size), False
        return said, False

    def instead(self, said: Slots, text: str) -> Slots:
        """ "It's 8, not 7": the detail that is 7 now (the time or the party size) becomes 8;
        "make it 9", said of a detail given before, changes the one whose value is nearer (9
        after "for 2 at 8" is 9 pm, 3 is 3 people)."""
        if said.details():
            return said
        if self.booking is None and (number := made_it(text)) is not None:
            return replace(said, **self._nearer(number))
        swap = said_instead(text)
        if swap is None:
            return said
        new, old = swap
        if self.slots.at is not None and self.slots.at.hour % 12 == old % 12:
            return replace(said, at=parse_time(str(new), bare=True))
        if self.slots.party_size == old:
            return replace(said, party_size=new)
        return said

    def kept_time(self, said: Slots, text: str) -> Slots:
        """`said` without a time heard in an answer to "what name?" that says nothing of
        changing the one held: Whisper's name ("It's three o'clock" for "It's Freya Lund",
        3 Dec 2026), not a new time; "Actually, make it 8" still changes it."""
        if (
            self.asked != "name"
            or self.slots.at is None
            or said.at in (None, self.slots.at)
            or CHANGE_SAID.search(text)
            or NEW_TIME_CUE.search(text)
        ):
            return said
        return replace(said, at=None)

    def corrected_at_read_back(self, text: str) -> Slots | None:
        """A new booking's details as a turn with no detail of its own corrects them at the
        read-back, or None: people added or removed ("one more person, so three"), the time
        moved ("half an hour later"), or one bare number for the detail it names ("apart from
        the time, it should be 8"), else for the nearer of the time and the party size
        ("Three." after "for 2 at 7"); never from words said as the name ("the name is three
        o'clock")."""
        slots = self.slots
        text = SAID_AS_THE_NAME.sub(" ", text)
        if (instead := self.instead(Slots(), text)).details():
            return slots.merged(instead)  # "can it be 8 rather than 7?"
        if (change := party_change(text)) is not None and slots.party_size is not None:
            return replace(slots, party_size=max(1, min(slots.party_size + change, MAX_PARTY)))
        if (moved := time_change(text)) is not None and slots.at is not None:
            at = datetime.combine(date.min, slots.at) + timedelta(minutes=moved)
            return replace(slots, at=at.time())
        numbers = BARE_NUMBER.findall(with_digits(text))
        if len(numbers) != 1 or len(text.split()) > MAX_CORRECTION_WORDS:
            return None
        number = int(numbers[0])
        if PEOPLE_SAID.search(text):
            return replace(slots, party_size=number)
        if TIME_SAID.search(text) or changed_detail(text) == "at":
            at = parse_time(str(number), bare=True)
            return replace(slots, at=at) if at is not None else None
        nearer = self._nearer(number)
        return replace(slots, **nearer) if nearer else None

    def _nearer(self, number: int) -> dict:
        """Of the time and the party size held, the one a bare `number` most likely replaces."""
        at, size = self.slots.at, self.slots.party_size
        new_at = parse_time(str(number), bare=True)
        if new_at is None or at is None:
            return {"party_size": number} if size is not None else {}
        if size is None or abs(number - (at.hour % 12 or 12)) < abs(number - size):
            return {"at": new_at}
        return {"party_size": number}

    def new_day(self) -> date | None:
        """The day said; "next Friday" a week on when the booking is already on that Friday;
        the booking's own day moved by the days said ("the day after")."""
        day = self.slots.day
        booked = (self.booking or {}).get("date")
        if day is None and self.day_change and booked is not None:
            return date.fromisoformat(booked) + timedelta(days=self.day_change)
        if (
            day is not None
            and self.said_next
            and day.isoformat() == (self.booking or {}).get("date")
        ):
            return day + timedelta(weeks=1)
        return day

    def new_party_size(self) -> int | None:
        """The size said, or the found booking's with the people added or removed."""
        booked = (self.booking or {}).get("party_size")
        if self.slots.party_size or not self.party_change or booked is None:
            return self.slots.party_size
        return max(1, min(booked + self.party_change, MAX_PARTY))

    def new_time(self) -> str | None:
        """The time said, or the found booking's moved by the minutes said, as "HH:MM"."""
        if self.slots.at is not None:
            return self.slots.at.strftime("%H:%M")
        booked = (self.booking or {}).get("time")
        if not self.time_change or booked is None:
            return None
        moved = datetime.strptime(booked, "%H:%M") + timedelta(minutes=self.time_change)
        return moved.strftime("%H:%M")

    def change_question(self) -> str:
        """What to ask for the change: which of two a bare number is, the detail named, else
        which one."""
        if (number := self.unclear_number) is not None:
            at = parse_time(str(number), bare=True)
            return f"Is that {spoken_time(at)}, or {people(number)}?"
        return CHANGE_QUESTIONS.get(self.changing or "", QUESTIONS["changes"])

    def unsure_of(self, names: tuple[str, ...]) -> str | None:
        """The first of `names` filled from a guess, to confirm before it is used."""
        return next((n for n in names if n in self.slots.unsure and getattr(self.slots, n)), None)

    def booking_meant(self, bookings: list[dict[str, Any]]) -> dict[str, Any]:
        """Of the caller's bookings, the one on the day they named ("cancel my booking for
        next Friday"), else the next one. For a change, the day said is the new day."""
        day = self.slots.day
        if self.task == "cancel" and day is not None:
            on_day = [b for b in bookings if b["date"] == day.isoformat()]
            return (on_day or bookings)[0]
        return bookings[0]

    def number_taken(self) -> bool:
        """Whether the tools refused a new table under the phone number held now."""
        return self.taken is not None and self.taken[0] == self.slots.phone

    def names_heard(self) -> int:
        """Names heard for this booking: the first (said unasked, or asked for), one for each
        time it was asked again, one for each correction at the read-back."""
        return max(self.name_asks, 1) + self.name_corrections

    def name_only_corrected(self) -> bool:
        """Whether the booking differs from its last read-back in the name alone."""
        before, now = self.read_back_as, self.slots
        return (
            before is not None
            and before.name != now.name
            and replace(before, name=now.name, unsure=now.unsure) == now
        )

    def slot_arguments(self) -> dict[str, Any]:
        """What `check_availability` takes: the day, time and party size."""
        return {
            "date": self.slots.day.isoformat(),
            "time": self.slots.at.strftime("%H:%M"),
            "party_size": self.slots.party_size,
        }

    def booking_arguments(self) -> dict[str, Any]:
        """What `book_table` takes; a name heard unsure is noted for the staff."""
        notes = self.slots.notes or ""
        if self.name_unsure and len(notes) + len(NAME_NOTE) < MAX_NOTES_CHARS:
            notes = f"{notes} {NAME_NOTE}".strip()
        return {
            **self.slot_arguments(),
            "name": self.slots.name,
            "phone": self.slots.phone,
            "notes": notes,
        }

    def confirmed(self, name: str):
        """The caller said yes to the detail `name`."""
        self.slots = replace(self.slots, unsure=self.slots.unsure - {name})

    def refused(self, name: str):
        """The caller said no to the guessed detail `name`: it is cleared, and a guessed phone
        number is never offered again, however often it is heard the same way."""
        if name == "phone":
            self.phone.refused.add(self.slots.phone)
        self.slots = replace(self.slots, **{name: None}, unsure=self.slots.unsure - {name})


def confirmation(slot: str, slots: Slots, region: str) -> str:
    """A question that confirms one detail alone."""
    if slot == "day":
        return f"Was that {spoken_date(slots.day)}?"
    if slot == "at":
        return f"Was that {spoken_time(slots.at)}?"
    if slot == "party_size":
        return f"Was that {people(slots.party_size)}?"
    if slot == "name":
        return f"Is the booking under the name {slots.name}?"
    return f"Can we reach you on {spoken_phone(slots.phone, region)}?"
