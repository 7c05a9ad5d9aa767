"""The restaurant's side of the conversation state: which slots a call has, how the
on-device parser reads them from a caller turn, and how a model's reading is checked.

The generic extractor (processors/state_extractor.py) knows no domain; it asks
this reader. Offline, `read` is the whole extraction: the on-device brain's own
intents (flows/ondevice_dialogue.py) and slot parser (flows/booking_slots.py).
With a cloud model, `ground` keeps only what the caller's own words support.
"""

import re
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from conversation.extraction import Reading
from conversation.state import ConversationState
from flows.booking_rules import BookingRules
from flows.booking_slots import (
    parse_date,
    parse_name,
    parse_party_size,
    parse_reference,
    parse_slots,
    parse_time,
)
from flows.ondevice_dialogue import restaurant_dialogue
from flows.phone_numbers import parse_phone
from flows.restaurant import Restaurant
from flows.spoken_numbers import with_digits

SLOTS = {
    "day": "the date of the booking, as YYYY-MM-DD",
    "at": "the time of the booking, as 24-hour HH:MM",
    "party_size": "how many people, as a whole number",
    "name": "the name the booking is under",
    "phone": "the caller's phone number",
    "notes": "allergies, an occasion or a seating wish, in the caller's words",
    "reference": "a six-digit booking reference",
}
INTENTS = ("greeting", "hours", "address", "repeat", "goodbye", "book", "change", "cancel", "human")
BOOKING_TASKS = {"book", "change", "cancel"}
INTENT_SENTENCES = {
    "hours": "The caller asked about opening hours.",
    "address": "The caller asked where the restaurant is.",
    "book": "The caller wants to book a table.",
    "change": "The caller wants to change a booking.",
    "cancel": "The caller wants to cancel a booking.",
    "human": "The caller asked for a person.",
    "goodbye": "The caller said goodbye.",
}
QUIET_INTENTS = {"repeat", "greeting"}
"""Intents that leave the caller's current goal as it was."""
EXPLICIT, BARE, CORRECTED = 0.9, 0.75, 0.8
"""Confidence of a slot read by a pattern, as a bare answer to a question, or from a correction."""
HEARD_ALIKE = 0.6
"""Confidence of a slot read from words that sound like it ("a table for free", "at 850"):
below TRUSTED, so it is confirmed before it is used."""
MODEL_UNCHECKED = 0.6
"""Highest confidence for a model's value the parser could not read back."""
GROUNDED = 90
"""How closely (rapidfuzz partial ratio) the model's evidence must match the caller's words."""
QUESTION_SLOTS = [
    (r"\bwhat day\b|\bwhich day\b|\bwhat date\b|\bwhen would you like\b", "day"),
    (r"\bwhat time\b|\bwhich time\b|\bwhat hour\b", "at"),
    (r"\bhow many\b", "party_size"),
    (r"\bwhat name\b|\byour name\b|\bname for the booking\b|\bunder what name\b", "name"),
    (r"\bphone\b|\bnumber can we\b|\breach you\b|\bcontact number\b|\bwhole number\b", "phone"),
    (r"\breference\b", "reference"),
    # The offline brain confirming one detail: "Was that 3 people?", "Was that 8:50 pm?"
    (r"^was that \d+ (?:people|person)\b", "party_size"),
    (r"^was that \d{1,2}(?::\d{2})? [ap]m\b", "at"),
    (r"^was that (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", "day"),
]
CORRECTION = re.compile(
    r"\b(?:actually|make it|make that|change (?:it|that) to|instead|rather|sorry,? i meant|no,)\b",
    re.IGNORECASE,
)
DATE_WORDS = re.compile(
    r"\b(?:today|tonight|tomorrow|week|weekend|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|\d{1,2}(?:st|nd|rd|th))\b",
    re.IGNORECASE,
)


class RestaurantSlotReader:
    """Reads a caller turn into intent and slots for the restaurant's booking flow."""

    slot_descriptions = SLOTS
    intents = INTENTS

    def __init__(self, restaurant: Restaurant, rules: BookingRules):
        self._rules = rules
        self._dialogue = restaurant_dialogue(restaurant, rules)

    def asked_slot(self, bot_text: str) -> str | None:
        """The slot the bot's last question asks for, if it asks for one."""
        questions = [s for s in re.split(r"(?<=[.!?])\s+", bot_text) if s.endswith("?")]
        for question in reversed(questions):
            for pattern, slot in QUESTION_SLOTS:
                if re.search(pattern, question, re.IGNORECASE):
                    return slot
        return None

    def read(self, text: str, asked: str | None, state: ConversationState) -> Reading:
        """Intent and slots in one caller turn; only what the words say."""
        found = self._dialogue.match(text)
        intent = found.intent.name if found.intent else None
        today = self._rules.today()
        said = parse_slots(text, today, self._rules.phone_region, asked=asked)
        slots: dict[str, tuple[str, float]] = {}
        for name, value in said.filled().items():
            confidence = BARE if name == asked and not self._explicit(name, text) else EXPLICIT
            if name in said.unsure:
                confidence = HEARD_ALIKE
            slots[name] = (_text(value), confidence)
        if asked == "reference" and (reference := parse_reference(text)) is not None:
            slots["reference"] = (reference, BARE)
        if CORRECTION.search(text):
            slots.update(self._correction(text, slots, state))
        task = intent if intent in BOOKING_TASKS else state.intent
        booking_slots = {"day", "at", "party_size"} & slots.keys()
        if task not in BOOKING_TASKS and asked is None and len(booking_slots) < 2:
            # "Are you open on Sunday?" names a day but books nothing.
            slots = {k: v for k, v in slots.items() if k in ("name", "phone")}
        if intent is None and len(booking_slots) >= 2 and state.intent not in BOOKING_TASKS:
            intent = "book"
        return Reading(intent=intent, slots=slots)

    def current_intent(self, previous: str | None, heard: str | None) -> str | None:
        """The caller's goal after this turn: a quiet turn ("repeat that") keeps it."""
        if heard is None or heard in QUIET_INTENTS:
            return previous
        if previous in BOOKING_TASKS and heard in ("hours", "address"):
            return previous  # a question on the side; the booking is still what they want
        return heard

    def describe_intent(self, intent: str) -> str:
        """A sentence for the running summary when the caller's goal changes."""
        return INTENT_SENTENCES.get(intent, f"The caller's request: {intent}.")

    def _explicit(self, name: str, text: str) -> bool:
        """Whether the slot was said with words that mark it, not as a bare answer."""
        today = self._rules.today()
        return {
            "day": lambda: parse_date(text, today) is not None,
            "at": lambda: parse_time(text) is not None,
            "party_size": lambda: parse_party_size(text) is not None,
            "name": lambda: parse_name(text) is not None,
            "phone": lambda: parse_phone(text, self._rules.phone_region) is not None,
        }.get(name, lambda: True)()

    def _correction(
        self, text: str, slots: dict[str, tuple[str, float]], state: ConversationState
    ) -> dict[str, tuple[str, float]]:
        """ "Actually, make it six": a bare number replaces the number slot said last."""
        if {"party_size", "at"} & slots.keys():
            return {}
        numbered = [n for n in ("party_size", "at") if n in state.slots]
        if not numbered:
            return {}
        target = max(numbered, key=lambda n: state.slots[n].source_turn)
        # What follows the last cue is the new value: "actually, make it | six".
        tail = text[[*CORRECTION.finditer(text)][-1].end() :]
        if target == "party_size" and (size := parse_party_size(tail, bare=True)) is not None:
            return {"party_size": (str(size), CORRECTED)}
        if target == "at" and (at := parse_time(tail, bare=True)) is not None:
            return {"at": (_text(at), CORRECTED)}
        return {}

    def ground(
        self, name: str, value: str, evidence: str, caller_text: str, confidence: float
    ) -> tuple[str, float] | None:
        """A model's slot, kept only if the caller's words support it.

        The evidence must be (nearly) verbatim from the caller's turn. Where the
        parser can read the slot from the evidence, its value wins; otherwise the
        model's value must be visible in the evidence, at a capped confidence.
        """
        if name not in SLOTS or not value.strip() or not evidence.strip():
            return None
        if fuzz.partial_ratio(evidence.lower(), caller_text.lower()) < GROUNDED:
            return None
        confidence = max(0.0, min(confidence, EXPLICIT))
        reading = parse_slots(evidence, self._rules.today(), self._rules.phone_region, asked=name)
        parsed = reading.filled().get(name)
        if name == "reference":
            parsed = parse_reference(evidence)
        if parsed is not None:
            return _text(parsed), confidence
        said = with_digits(evidence)
        supported = {
            "party_size": lambda: value.strip() in re.findall(r"\d+", said),
            "at": lambda: (
                value.split(":")[0].lstrip("0") in re.findall(r"\d+", said)
                or str((int(value.split(":")[0]) % 12) or 12) in re.findall(r"\d+", said)
            ),
            "day": lambda: DATE_WORDS.search(evidence) is not None,
        }.get(name, lambda: _words_in(value, evidence))
        try:
            if supported():
                return value.strip(), min(confidence, MODEL_UNCHECKED)
        except ValueError:
            return None
        return None

    def tool_outcome(self, name: str, arguments: dict[str, Any], result: Any) -> str | None:
        """One sentence for the running summary about a tool's result."""
        if not isinstance(result, dict):
            return None
        ok = result.get("ok", result.get("available"))
        booking = result.get("booking") or {}
        reference = booking.get("reference") or result.get("reference")
        done = {
            "check_availability": "A table is free." if ok else "No table was free then.",
            "book_table": f"Booked, reference {reference}." if ok else None,
            "change_booking": f"Booking {reference} changed." if ok else None,
            "cancel_booking": f"Booking {reference} cancelled." if ok else None,
            "find_booking": "Found the caller's booking." if ok else "No booking was found.",
            "send_confirmation": "Confirmation sent by text." if ok else None,
            "transfer_to_human": "Handed over to a member of staff." if ok else None,
        }
        if name in done and done[name]:
            return done[name]
        if ok is False:
            return f"{name.replace('_', ' ').capitalize()} did not go through."
        return None


def _text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "strftime"):
        return value.strftime("%H:%M")
    return str(value)


def _words_in(value: str, evidence: str) -> bool:
    words = re.findall(r"[a-z0-9]+", value.lower())
    said = set(re.findall(r"[a-z0-9]+", with_digits(evidence)))
    return bool(words) and all(word in said for word in words)
