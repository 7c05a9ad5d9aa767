"""Booking, changing and cancelling a table with no LLM: slot filling over the on-device brain.

One `OfflineBookings` lives for one call. It reads each caller turn for the details of a
booking (flows/booking_slots.py), asks for what is missing one question at a time, and calls
the same tools, through the same gate, as a generative LLM would. The gate's read-back is what
the caller confirms for a change or a cancellation; for a new booking the bot reads it back.

Who the caller is (name, phone) comes from the call's conversation state when they said it
earlier in the call, before this booking started: the state extractor has read those turns.
The turn being answered is read here, at once, with the same parser: the extractor reads it
only after the bot has answered.
"""

from copy import deepcopy
from dataclasses import replace
from datetime import date
from typing import Any

from conversation.state import ConversationState
from flows.booking_arguments import MAX_NOTES_CHARS
from flows.booking_changes import time_without_value
from flows.booking_dates import (
    in_month,
    month_said,
    moved_to,
    parse_booked_day,
    parse_date,
    parse_moved_from,
)
from flows.booking_names import completed_name, heard_for_name
from flows.booking_progress import (
    BOOKING_DAY_QUESTION,
    CALLER_ID,
    FIND_NAME_QUESTION,
    FIND_QUESTION,
    LEAVE_BEFORE_ANYTHING,
    NAME_TRIES,
    NO_CALLER_ID,
    NO_NUMBER,
    NUMBER_NEEDED,
    QUESTIONS,
    REFERENCE_QUESTION,
    TIMES_ASKED,
    UNFINISHED,
    WEEKEND,
    WHICH_TASK,
    WHY_NUMBER,
    BookingProgress,
    confirmation,
)
from flows.booking_rules import BookingRules
from flows.booking_slots import Slots, parse_reference, parse_slots, reference_cued
from flows.impossible_dates import date_problem
from flows.ondevice_answers import (
    ANSWERED_INTENTS,
    CANNOT_ANSWER,
    LEAVING,
)
from flows.ondevice_asides import Asides
from flows.ondevice_booking_results import ANYTHING_ELSE, NUMBER_TAKEN, OFFER_A_PERSON
from flows.phone_heard import NOT_CAUGHT
from flows.phone_numbers import unusable_phone
from flows.speech import spoken_date, spoken_phone, spoken_time
from flows.task_words import (
    AVAILABLE,
    CLOSING,
    IT,
    NEW_TABLE_TOO,
    SECOND_TABLE,
    THANKS_ONLY,
    only_yes,
    says_only,
    task_answered,
    task_in,
    task_named,
    verb_heard,
)
from function_calls import is_question
from services.ondevice_llm import DialogueTurn, Match, Reply

WEEKEND_QUESTION = "Would Saturday or Sunday suit you?"
NOTE_TOO_LONG = "That note is too long for our booking system, so I have left it off. "
TASK_INTENTS = {"book": "book", "change": "change", "cancel": "cancel"}
CALLER_SLOTS = ("name", "phone")
"""What a task takes from what the caller said earlier in the call: who they are."""
BOOKING_DETAILS = ("day", "at", "party_size")


MEMORY = (
    "progress",
    "recent",
    "failed_lookups",
    "date_problem",
    "caller_turns",
    "said_before_task",
    "second_table",
)
"""What `OfflineBookings` keeps between turns: saved and put back around a speculative reply."""


class OfflineBookings(Asides):
    """The booking side of the on-device brain, for one call."""

    def __init__(
        self,
        rules: BookingRules,
        state: ConversationState | None = None,
        caller_phone: str | None = None,
    ):
        """
        Args:
            rules: The booking rules and the clock.
            state: The call's conversation state: who the caller said they are.
            caller_phone: The caller's own number (E.164) when the transport gives it: the
                tools take it as proof for a booking under it, so no name is asked.
        """
        self.rules = rules
        self.caller_phone = caller_phone
        self.state = state if state is not None else ConversationState()
        self.progress = BookingProgress()
        self.recent: str | None = None
        """The reference of the booking this call made, changed or found last."""
        self.failed_lookups = 0
        """Lookups of an existing booking that found nothing (or nothing verified)."""
        self.date_problem: str | None = None
        """What is wrong with a date the caller just named ("There is no 31st of February.")."""
        self.caller_turns = 0
        """Caller turns answered so far in this call, the one being answered included."""
        self.said_before_task = ""
        """Details said before the caller named a task ("... on Friday at eight"): a booking
        started next takes them."""
        self.second_table: str | None = None
        """A second table asked for in the same breath as the first ("... and one for
        Saturday at 8 for four"): booked next, once the first is."""

    # -- what a speculative reply may change (services/ondevice_llm.py) -----------

    def save(self) -> object:
        return deepcopy(tuple(getattr(self, name) for name in MEMORY))

    def restore(self, saved: object):
        for name, value in zip(MEMORY, saved, strict=True):
            setattr(self, name, value)

    # -- caller turns -------------------------------------------------------------

    def interpret(self, turn: DialogueTurn, found: Match) -> Reply | None:
        """The answer to a caller turn, or None to leave it to the intent it matched; never
        one that says and calls nothing, unless a check already under way answers it."""
        self.caller_turns += 1
        reply = self._interpret(turn, found)
        silent = reply is not None and not reply.text.strip() and not reply.calls
        if silent and self.progress.checking is None:
            asked = self.progress.asked
            question = self._question(asked) if asked else "How can I help?"
            return Reply(f"Sorry, I did not catch that. {question}")
        return reply

    def _interpret(self, turn: DialogueTurn, found: Match) -> Reply | None:
        text = turn.user_text or ""
        desk = self.progress
        intent = found.intent.name if found.intent else None
        if intent in ("change", "cancel") and not verb_heard(text, found.example or intent):
            intent = None
        intent = task_named(text, intent, desk.task)
        if intent == "keep":  # "Don't cancel it after all"
            self.progress = BookingProgress()
            return Reply(f"All right, I won't cancel it. {ANYTHING_ELSE}")

        if (aside := self._aside(turn, found, intent)) is not None:
            return aside
        if desk.awaiting == "leaving":
            if (reply := self._answer_to_leaving(text, intent)) is not None:
                return reply
        if desk.task == "cancel" and desk.awaiting == "consent":
            if intent == "change" or task_in(text) == "change":
                return self.start("change", text)  # "Actually, can we move it to Saturday?"
        if desk.awaiting in ("readback", "consent", "human", "unsure", "correction"):
            if (reply := self._answer_to_question(text)) is not None:
                return reply

        if desk.awaiting in ("readback", "consent") and intent not in ANSWERED_INTENTS:
            said = parse_slots(text, self.rules.today(), self.rules.phone_region)
            if is_question(text) and not said.filled():
                # "Is there a dress code?" at the read-back: no answer offline, and the
                # read-back waits (it got the greeting, or the read-back with no word on it).
                return Reply(f"{CANNOT_ANSWER} {self.resume()}")
        if intent in TASK_INTENTS and TASK_INTENTS[intent] != desk.task:
            return self.start(TASK_INTENTS[intent], text)
        if desk.task is None and WHICH_TASK in (turn.last_bot_text or ""):
            if (task := task_answered(text)) is not None:
                return self.start(task, text)  # "Change." to "... or change or cancel ...?"
        if desk.task is None:
            said = parse_slots(text, self.rules.today(), self.rules.phone_region)
            when = sum(v is not None for v in (said.day, said.at))
            if said.party_size or when >= 2 or (when and AVAILABLE.search(text)):
                return self.start("book", text)
            details = said.filled().keys() - {"notes"}  # "a vegan menu?" is no booking
            if intent in (None, "greeting") and details:
                # Details with no task heard ("... my number is 07911 ..."): the task is asked
                # for, not "I can only help with ..."; a booking started next takes them.
                self.said_before_task = text
                return Reply(f"Thank you. {WHICH_TASK}")
            if intent == "goodbye" and self.caller_turns == 1:  # may be Whisper's: asked
                desk.awaiting = "leaving"
                return Reply(LEAVE_BEFORE_ANYTHING)
            if (
                intent is None
                and not details
                and self.caller_turns > 1
                and says_only(CLOSING, text)
            ):
                return LEAVING  # "No thanks." to "Is there anything else I can help with?"
            if (
                intent in (None, "greeting")
                and self.caller_turns > 1
                and says_only(THANKS_ONLY, text)
            ):
                if ANYTHING_ELSE in (turn.last_bot_text or ""):
                    return LEAVING  # "Lovely, thank you." to "Is there anything else ...?"
                return Reply(f"You're welcome. {ANYTHING_ELSE}")
            if intent is None and not details and only_yes(text):
                return Reply(f"Of course. {WHICH_TASK}")  # "Yes." to "How can I help?"
            return None
        if intent in ("hours", "address", "human"):
            return None  # answered by that intent; the booking waits where it was

        waited = False
        if desk.asked == "phone":
            # A caller who pauses mid-number is heard as two turns: join them.
            text, waited = desk.phone.joined(text, self.rules.phone_region)
        changing = desk.changing
        heard = self._listen(text)
        kind_heard = desk.changing not in (None, changing) or desk.unclear_number is not None
        if not heard and kind_heard and desk.asked == "changes":
            # "In the evening." to "What would you like to change?": the time, not its value;
            # "Eight.": 8 pm or 8 people, asked.
            return Reply(self._question(desk.asked))
        if not heard and desk.asked == "changes" and desk.booking is not None:
            if (reply := self._answer_to_changes(text, intent)) is not None:
                return reply
        if intent == "goodbye" and not heard:
            # Mid-task, a goodbye may be Whisper's ("See you next time" from noise): asked;
            # one with the digits of a number is an answer ("See you in seven one one ...").
            if not unusable_phone(text, self.rules.phone_region, bare=desk.asked == "phone"):
                desk.awaiting = "leaving"
                return Reply(f"{UNFINISHED[desk.task]} Would you like to end the call?")
        if intent == "greeting" and not heard and (question := self.resume()):
            # "Hello?" mid-task (or a misheard name, "I'm here to fail", taken for "hi there"):
            # the question under way, not the call's opening again.
            return Reply(f"Yes, I'm here. {question}")
        if intent in ("greeting", "repeat") and not heard:
            return None  # "Hello?" before a task, "Sorry, what?": answered by that intent
        # A reference given for the number the caller does not have; six digits said for a
        # number are a number heard short, said back.
        reference_said = (desk.no_phone or reference_cued(text)) and (desk.booking or {}).get(
            "unconfirmed", False
        )
        if desk.asked == "phone" and desk.slots.phone is None and not reference_said:
            if (number := desk.phone.repeated(text, self.rules.phone_region)) is not None:
                desk.slots = replace(desk.slots, phone=number)
                return self._next()
            again = desk.phone.answer(text, self.rules.phone_region, waited)
            if again is not None and desk.phone.gave_up:
                desk.awaiting = "human"
                return Reply(f"{again} {OFFER_A_PERSON}")
            if again is not None:
                return Reply(again)
        if desk.asked == "phone" and not heard and CALLER_ID.search(text):
            return Reply(f"{NO_CALLER_ID} {self._question('phone')}")  # "Use this number."
        if desk.asked == "phone" and desk.slots.phone is None and NO_NUMBER.search(text):
            # "I don't remember which number I used": why it is needed, not the same question;
            # a booking the caller has is found by its reference instead, if they have it.
            if desk.task != "book" and not desk.no_phone and WHY_NUMBER.search(text):
                # "Why do you need that?": the reason, and the question again.
                return Reply(f"{NUMBER_NEEDED[desk.task]} {self._question('phone')}")
            if desk.task != "book" and not desk.no_phone:
                desk.no_phone = True
                return self._ask("phone", "No problem. ")
            if desk.task != "book":
                desk.awaiting = "human"
                return Reply(f"{NUMBER_NEEDED[desk.task]} {OFFER_A_PERSON}")
            if not heard:
                return Reply(NUMBER_NEEDED["book"])
        if not heard and desk.asked == "name" and desk.task != "book" and desk.slots.phone:
            desk.name_misses += 1
            if desk.name_misses >= NAME_TRIES and self._day_fact() is None:
                # A name Whisper cannot spell is not asked for ever: the day is a fact too.
                desk.asked = "booking_day"  # the number is in hand: the day alone
                return Reply(f"Sorry, I did not catch that. {self._question('booking_day')}")
        if (
            not heard
            and desk.asked == "name"
            and desk.task == "book"
            and desk.name_asks >= NAME_TRIES
        ):
            if (guess := heard_for_name(text)) is not None:
                # Not asked for ever (development callers, 3 Dec 2026): the words, noted.
                desk.slots, desk.name_unsure = replace(desk.slots, name=guess), True
                return self._next()
        if not heard and desk.asked and TASK_INTENTS.get(intent or "") == desk.task:
            return Reply(f"Of course. {self._question(desk.asked)}")  # "I want to book."
        if not heard and desk.asked:
            missed = desk.phone.not_caught(text, self.rules.phone_region)
            if missed == NOT_CAUGHT and desk.asked == "day" and WEEKEND.search(text):
                return Reply(WEEKEND_QUESTION)  # "The weekend."
            vague = desk.asked == "at" and time_without_value(text)
            if missed == NOT_CAUGHT and (TIMES_ASKED.search(text) or vague):
                missed = self._seating_times()  # "What times do you have?", "Whenever."
            elif missed == NOT_CAUGHT and text.rstrip().endswith("?"):
                missed = CANNOT_ANSWER  # "Do you have parking?": heard, but not offline's to answer
            return self._ask(desk.asked, f"{missed} ")
        if not heard and desk.task == "book" and desk.awaiting == "readback":
            return self._read_back_not_caught()
        return self._next()

    def start(self, task: str, text: str) -> Reply:
        was = self.progress
        self.progress = desk = BookingProgress(task=task, slots=self._caller_from_state(task))
        if task == "book":
            desk.slots = desk.slots.merged(was.table_asked())
        before, self.said_before_task = self.said_before_task, ""
        if task == "book" and before:
            self._listen(before)
        elif before:
            # "Vogel, 07911 254346, one less please on Friday." then "Change it.": one request.
            text = f"{before} {text}"
        self.second_table = None  # a task started anew drops one asked for before
        if task == "book" and (split := self._second_table(text)) is not None:
            text, second, caller = split
            self.second_table = second
            desk.slots = desk.slots.merged(Slots(name=caller.name, phone=caller.phone))
            desk.phone.heard(second, self.rules.phone_region, bare=False)  # digits said back
        if task != "book" and (found := NEW_TABLE_TOO.search(text)) is not None and found.start():
            # "Change Friday's booking to four, and then book another table for Saturday at 7":
            # the change first, with what is said before the new table; the table after it.
            text, self.second_table = text[: found.start()], text[found.start() :]
        self._listen(text)
        if task != "book" and desk.slots.phone is None and NO_NUMBER.search(text):
            desk.no_phone = True  # "... but I don't know which number I booked with."
        if task != "book" and desk.booking is None and self.recent and IT.search(text):
            # "Actually, cancel it": the booking this call has just made or found.
            desk.booking = {"reference": self.recent, "unconfirmed": True, "ours": True}
        return self._next()

    def _second_table(self, text: str) -> tuple[str, str, Slots] | None:
        """The request split where a second table starts, when each part names a day or a
        time, with what the second part says (the caller's name and number may come at the
        end of either)."""
        if (found := SECOND_TABLE.search(text)) is None or not found.start():
            return None
        first, second = text[: found.start()], text[found.start() :]
        today, region = self.rules.today(), self.rules.phone_region
        heard = [parse_slots(part, today, region) for part in (first, second)]
        if not all(said.day or said.at for said in heard):
            return None
        return first, second, heard[1]

    def _caller_from_state(self, task: str) -> Slots:
        """The caller's name and phone, if they gave them earlier in the call or in the task
        this one replaces: not asked again (a new booking reads them back before it is made).
        For a new booking, one read with low confidence is taken too, and confirmed alone."""
        was = self.progress.slots
        known = {n: v for n in CALLER_SLOTS if (v := getattr(was, n)) and n not in was.unsure}
        known |= self.state.trusted(CALLER_SLOTS)
        unsure = set()
        if task != "book" and "phone" not in known and self.caller_phone:
            known["phone"] = self.caller_phone
        if task == "book":
            unsure = {n for n in CALLER_SLOTS if n not in known and self.state.value(n)}
            known |= {n: self.state.value(n) for n in unsure}
        return Slots(name=known.get("name"), phone=known.get("phone"), unsure=frozenset(unsure))

    def _listen(self, text: str) -> bool:
        """Take every detail the caller said; whether they said any."""
        desk = self.progress
        asked = desk.asked
        if desk.task != "book" and asked not in ("phone", "name"):
            asked = None
        said = parse_slots(text, self.rules.today(), self.rules.phone_region, asked)
        said = replace(said, day=in_month(said.day, text, desk.month, self.rules.today()))
        desk.month = month_said(text) or desk.month
        said = desk.kept_time(desk.instead(desk.phone.unrefused(said), text), text)
        said = replace(said, name=completed_name(desk.slots.name, said.name, text))
        self.date_problem = date_problem(text, self.rules.today(), self.rules.horizon_days)
        if self.date_problem is not None:
            # No such day, or none we book: never the day the parser made of it.
            said = replace(said, day=None)
            desk.slots = replace(desk.slots, day=None)
        if not (desk.task in ("change", "cancel") and reference_cued(text)):
            desk.phone.heard(text, self.rules.phone_region, bare=asked == "phone")
        booking_day = desk.asked == "booking_day" and said.day is not None
        if desk.task in ("change", "cancel"):
            reference = parse_reference(text) if said.phone is None else None
            if desk.booking is None and reference is not None:
                desk.booking = {"reference": reference, "unconfirmed": True}
            if (to := moved_to(text)) is not None and desk.task == "change":
                # "From Friday 7pm to Saturday 8pm": the time and size after "to" are the new.
                later = parse_slots(to, self.rules.today(), self.rules.phone_region)
                said = replace(
                    said, at=later.at or said.at, party_size=later.party_size or said.party_size
                )
            if desk.booking is None and (moved_from := parse_moved_from(text, self.rules.today())):
                desk.booking_day = moved_from
            elif desk.task == "change" and desk.booking is None:
                if held := parse_booked_day(text, self.rules.today()):
                    # "My booking for Friday ... to Thursday": Friday is the booking's day.
                    desk.booking_day, rest = held
                    said = replace(said, day=parse_date(rest, self.rules.today()))
            if booking_day:
                desk.booking_day = said.day
                if desk.task == "change":
                    said = replace(said, day=None)  # the day it is on, not the day it goes to
        said, resized = desk.read_change(said, text) if desk.task == "change" else (said, False)
        found = said.filled()
        desk.take(said)
        desk.weekend |= desk.slots.day is None and WEEKEND.search(text) is not None
        return (
            bool(found)
            or resized
            or booking_day
            or self.date_problem is not None
            or (desk.booking or {}).get("unconfirmed", False)
        )

    # -- what to do next -----------------------------------------------------------

    def _next(self, prefix: str = "") -> Reply:
        desk = self.progress
        if self.date_problem is not None:
            problem, self.date_problem = self.date_problem, None
            desk.asked = "day"
            return Reply(f"{prefix}{problem}")
        if desk.task == "book":
            return self._next_for_booking(prefix)
        return self._next_for_existing(prefix)

    def _next_for_booking(self, prefix: str) -> Reply:
        desk, slots = self.progress, self.progress.slots
        for slot in BOOKING_DETAILS:
            if getattr(slots, slot) is None:
                return self._ask(slot, prefix)
        if (unsure := desk.unsure_of(BOOKING_DETAILS)) is not None:
            return self._confirm(unsure, prefix)
        wanted = (slots.day, slots.at, slots.party_size)
        if desk.checked != wanted:
            if desk.checking == wanted:
                return Reply(prefix)  # its result answers, with what this turn added
            desk.checking = wanted
            return Reply(prefix, calls=(("check_availability", desk.slot_arguments()),))
        for slot in ("name", "phone"):
            if getattr(slots, slot) is None:
                return self._ask(slot, prefix)
        if (unsure := desk.unsure_of(("name", "phone"))) is not None:
            return self._confirm(unsure, prefix)
        if desk.number_taken() and desk.taken[1] != slots.name:
            # The other booking's name, after the tools refused the number: the table was read
            # back and agreed; the tools read back the booking it replaces, or refuse again.
            return Reply(prefix, calls=(("book_table", desk.booking_arguments()),))
        if desk.taken == (slots.phone, slots.name):
            # The same number and name again, after the tools refused them: not read back
            # and refused over and over; the other booking's name shows it is the caller's.
            desk.slots, desk.asked = replace(slots, name=None), "name"
            return Reply(f"{prefix}{NUMBER_TAKEN}")
        if slots.notes and len(" ".join(slots.notes.split())) > MAX_NOTES_CHARS:
            # The tools would refuse it: drop it now, say so, and never read it back.
            desk.slots = slots = replace(slots, notes=None)
            prefix = f"{prefix}{NOTE_TOO_LONG}"
        desk.awaiting, desk.asked, desk.read_back_misses = "readback", None, 0
        if desk.name_only_corrected():
            desk.read_back_as = slots
            return self._name_read_back(prefix)
        desk.read_back_as = slots
        return Reply(f"{prefix}{self._read_back()}")

    def _next_for_existing(self, prefix: str) -> Reply:
        desk, slots = self.progress, self.progress.slots
        if desk.booking is None:
            if slots.phone is None:
                opener = "Thank you. " if desk.asked == "phone" else "Of course. "
                return self._ask("phone", f"{prefix}{opener}")
            if slots.name is None and self._name_needed(slots.phone):
                return self._ask("name", prefix)
            return Reply(prefix, calls=(("find_booking", self._find_arguments()),))
        if desk.booking.get("unconfirmed"):
            proof = slots.name or slots.phone or self._day_fact() or slots.day
            if not desk.booking.get("ours") and not proof:
                return self._ask("name", prefix)  # a reference alone proves nothing
            reference = desk.booking["reference"]
            arguments = {"reference": reference, **self._find_arguments()}
            return Reply(prefix, calls=(("find_booking", arguments),))
        reference = desk.booking["reference"]
        if desk.task == "cancel":
            return Reply(prefix, calls=(("cancel_booking", {"reference": reference}),))
        day = desk.new_day()
        changes = {
            key: value
            for key, value in (
                ("date", day.isoformat() if day else None),
                ("time", desk.new_time()),
                ("party_size", desk.new_party_size()),
            )
            # "We booked for Friday": the day the booking already has is no change.
            if value is not None and value != desk.booking.get(key)
        }
        if not changes:
            return self._ask("changes", prefix)
        return Reply(prefix, calls=(("change_booking", {"reference": reference, **changes}),))

    def _seating_times(self) -> str:
        """When the restaurant seats guests on the day said, or that it depends on the day."""
        day, seating = self.progress.slots.day, self.rules.seating
        if day is None:
            return "That depends on the day."
        return (
            f"On {spoken_date(day)} we seat guests from {spoken_time(seating.opens)} until "
            f"{spoken_time(seating.last_seating_on(day))}."
        )

    def _ask(self, slot: str, prefix: str = "") -> Reply:
        self.progress.asked = slot
        self.progress.name_asks += slot == "name"
        return Reply(f"{prefix}{self._question(slot)}")

    def _confirm(self, slot: str, prefix: str = "") -> Reply:
        """Ask about one detail read from a guess, not the whole booking."""
        desk = self.progress
        desk.asked, desk.awaiting = slot, "unsure"
        return Reply(f"{prefix}{confirmation(slot, desk.slots, self.rules.phone_region)}")

    def resume(self) -> str:
        """The question the task under way waits on, said again after an answer about something
        else ("We are open from noon to ten. What name should I put the booking under?")."""
        desk = self.progress
        if desk.task is None or desk.checking is not None:
            return ""
        if desk.awaiting in ("readback", "consent"):
            return "Shall I go ahead?"
        if desk.awaiting == "unsure" and desk.asked:
            return self._question(desk.asked)
        if desk.awaiting == "human":
            return OFFER_A_PERSON
        return self._question(desk.asked) if desk.awaiting is None and desk.asked else ""

    def _question(self, slot: str) -> str:
        desk = self.progress
        held = getattr(desk.slots, slot, None)
        if desk.awaiting == "unsure" and slot == desk.asked and held is not None:
            return confirmation(slot, desk.slots, self.rules.phone_region)  # "Was that 3 people?"
        if slot == "phone" and desk.phone.unusable:
            return desk.phone.ask_again_heard()
        if slot == "phone" and desk.task != "book":
            return REFERENCE_QUESTION if desk.no_phone else FIND_QUESTION
        if slot == "name" and desk.task != "book":
            return FIND_NAME_QUESTION
        if slot == "name" and desk.number_taken():
            return NUMBER_TAKEN  # the name of the booking the refused number has that day
        if slot == "booking_day" and desk.name_misses >= NAME_TRIES and desk.slots.phone:
            return BOOKING_DAY_QUESTION
        if slot == "changes":
            return desk.change_question()
        if slot == "day" and desk.weekend and desk.task == "book":
            return WEEKEND_QUESTION  # "A table for two this weekend at 7"
        return QUESTIONS[slot]

    # -- arguments -----------------------------------------------------------------

    def _name_needed(self, phone: str) -> bool:
        """A lookup by phone needs the name too (flows/caller_verification.py), unless the phone
        is the caller's own line, the call made or found the booking, or its day was said."""
        return phone != self.caller_phone and self.recent is None and self._day_fact() is None

    def _day_fact(self) -> date | None:
        """The day the caller says their booking is on; for a change, a day said without
        "from" may be the day it goes to, so only `booking_day` counts."""
        desk = self.progress
        if desk.booking_day is not None or desk.task == "change":
            return desk.booking_day
        return desk.slots.day

    def _find_arguments(self) -> dict[str, Any]:
        slots = self.progress.slots
        day = self._day_fact() or slots.day  # a change's new day matches no booking: harmless
        day = day.isoformat() if day else None
        facts = (("phone", slots.phone), ("name", slots.name), ("date", day))
        return {key: value for key, value in facts if value}

    def _handoff(self, why: str) -> dict[str, Any]:
        phone = self.progress.slots.phone
        return {"reason": f"offline booking help ({why})", **({"phone": phone} if phone else {})}

    def human(self) -> Reply:
        return Reply("", calls=(("transfer_to_human", self._handoff("asked for a person")),))

    def _spoken_phone(self, e164: str) -> str:
        return spoken_phone(e164, self.rules.phone_region)
