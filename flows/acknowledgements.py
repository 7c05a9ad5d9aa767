"""What the bot says when a tool call starts in a turn where it has said nothing yet.

processors/tool_call_acknowledger.py says it (with a generative LLM only); this is the
restaurant's wording, per tool. A lookup or a change of a booking is acknowledged; a
flow's node transition (instant, and the next question follows), a confirmation
message or a transfer (which says its own words) is not.
"""

CHECKING = "Let me check on that."

ACKNOWLEDGED = frozenset(
    {"check_availability", "book_table", "find_booking", "change_booking", "cancel_booking"}
)


def tool_acknowledgement(tool: str) -> str | None:
    """The words for `tool`'s call, or None to say nothing."""
    return CHECKING if tool in ACKNOWLEDGED else None
