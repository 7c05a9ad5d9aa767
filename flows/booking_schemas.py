"""The reservation tools as any LLM sees them: names, descriptions, arguments; and how long each may take.

Seven tools: check_availability, book_table, find_booking, change_booking,
cancel_booking, send_confirmation, transfer_to_human. `BookingTools` binds each
to its handler and the function-call gate.
"""

from dataclasses import dataclass
from typing import Any

from function_calls import GatedTool
from store import LOCK_WAIT_SECS

# Seconds one attempt of each tool may take. A write (which may run a lookup first, each
# waiting up to LOCK_WAIT_SECS for the lock) gets twice the lock wait, so a lock it waits for
# gives up, as an error the gate retries, before the attempt times out: a timed-out write
# has no thread left behind that could commit after the bot said it failed.
WRITE_TIMEOUT_SECS = 2 * LOCK_WAIT_SECS
TIMEOUTS = {
    "check_availability": LOCK_WAIT_SECS,
    "find_booking": LOCK_WAIT_SECS,
    "book_table": WRITE_TIMEOUT_SECS,
    "change_booking": WRITE_TIMEOUT_SECS,
    "cancel_booking": WRITE_TIMEOUT_SECS,
    "send_confirmation": WRITE_TIMEOUT_SECS,
    "transfer_to_human": WRITE_TIMEOUT_SECS,
}
RESERVATIONS = "reservations"
MESSAGES = "messages"
HANDOFF = "handoff"
"""The handoff to a person: its own breaker, as it must work when the bookings database does not."""
UNAVAILABLE = (
    "Sorry, our booking system is not working right now. Would you like me to put you "
    "through to a member of staff?"
)
FAILED = (
    "Sorry, I could not get through to our booking system just now. Shall I try again, or "
    "put you through to a member of staff?"
)

DATE = {"type": "string", "description": "The day, as YYYY-MM-DD."}
TIME = {"type": "string", "description": "The time of day, 24-hour HH:MM (e.g. 19:30)."}
PARTY = {"type": "integer", "description": "How many people, including the caller."}
PHONE = {"type": "string", "description": "The caller's phone number, as they said it."}
REFERENCE = {"type": "string", "description": "The six-digit booking reference."}
SLOT_OF_ARGUMENT = {
    "date": "day",
    "time": "at",
    "party_size": "party_size",
    "name": "name",
    "phone": "phone",
}
"""A tool argument, and the conversation-state slot (flows/restaurant_slot_reader.py) that holds it."""
CONSENT = (
    " It changes a booking, so the first call only returns a read_back: say it to the caller "
    "and ask them to confirm. When they say yes, call again with exactly the same arguments."
)


@dataclass(frozen=True)
class ToolSchema:
    """What an LLM is told about a tool."""

    description: str
    properties: dict[str, Any]
    required: list[str]


SCHEMAS = {
    "check_availability": ToolSchema(
        "Check whether a table is free. Call it once you know the day, time and party "
        "size, before reading the booking back to the caller.",
        {"date": DATE, "time": TIME, "party_size": PARTY},
        ["date", "time", "party_size"],
    ),
    "book_table": ToolSchema(
        "Book a table, after the caller confirmed the read-back of all its details. If "
        "the caller already has a booking that day it would be replaced: then the first "
        "call returns a read_back to confirm, as for change_booking.",
        {
            "name": {"type": "string", "description": "The name for the booking."},
            "phone": PHONE,
            "date": DATE,
            "time": TIME,
            "party_size": PARTY,
            "notes": {
                "type": "string",
                "description": "Allergies, an occasion, seating wishes; empty if none.",
            },
        },
        ["name", "phone", "date", "time", "party_size"],
    ),
    "find_booking": ToolSchema(
        "Find the caller's upcoming bookings. Give two of: the phone number, the name the "
        "booking is under, the booking reference, the day the booking is for (the caller's "
        "own line may count as one); "
        "with fewer it finds nothing. Before it finds a booking, tell the caller only that you "
        "cannot find a matching booking.",
        {
            "phone": PHONE,
            "name": {"type": "string", "description": "The name the booking is under."},
            "reference": REFERENCE,
            "date": {
                "type": "string",
                "description": "The day the booking is for, YYYY-MM-DD, if the caller said it.",
            },
        },
        [],
    ),
    "change_booking": ToolSchema(
        "Change the day, time, party size or notes of a booking found with find_booking." + CONSENT,
        {
            "reference": REFERENCE,
            "date": DATE,
            "time": TIME,
            "party_size": PARTY,
            "notes": {"type": "string", "description": "New notes, if they change."},
        },
        ["reference"],
    ),
    "cancel_booking": ToolSchema(
        "Cancel a booking found with find_booking." + CONSENT,
        {"reference": REFERENCE},
        ["reference"],
    ),
    "send_confirmation": ToolSchema(
        "Text the caller the details of their booking (booked, changed or cancelled). "
        "Give the reference from book_table or find_booking, or else the phone number "
        "the booking was made with.",
        {"reference": REFERENCE, "phone": PHONE},
        [],
    ),
    "transfer_to_human": ToolSchema(
        "Ask a member of staff to take over: when the caller asks for a person, when the "
        "booking system is unavailable, or for what the tools cannot do (large groups).",
        {
            "reason": {"type": "string", "description": "Why, in a few words."},
            "phone": PHONE,
        },
        [],
    ),
}


@dataclass(frozen=True)
class ToolSpec:
    """A tool's schema (for any LLM) and how the gate runs it."""

    name: str
    description: str
    properties: dict[str, Any]
    required: list[str]
    gated: GatedTool
