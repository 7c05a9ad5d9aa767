"""When to offer the caller a person: a cheap rule over the conversation, no LLM.

It offers one when the caller asks for a person, when the caller sounds
frustrated, when the bot has said it did not understand (or said the same words
again) three turns in a row, or
when tools have failed twice (the gate's "failed" or "unavailable" results, not
business outcomes such as a full evening). It reads the context messages as they
grow (the caller's, the bot's, the tools' results), so it needs nothing from the
pipeline beyond them; the words it looks for live in flows/escalation_phrases.py.
It fires once per call: after that the escalation agent has the call.
"""

import json
import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from conversation.messages import message_text
from flows.escalation_phrases import ASKS_FOR_PERSON, DID_NOT_UNDERSTAND, FRUSTRATED

MISUNDERSTOOD_TURNS = 3
TOOL_FAILURES = 2
FAILED_TOOL_ERRORS = ("failed", "unavailable")


class Trigger(StrEnum):
    ASKED = "the caller asked for a person"
    FRUSTRATED = "the caller sounds frustrated"
    MISUNDERSTOOD = "the bot did not understand three turns in a row"
    TOOLS_FAILED = "the booking system failed twice"


def _pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    words = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)")


def _plain(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split())


class EscalationMonitor:
    """Watches one call's context messages and says when to offer a person.

    Args:
        misunderstood_turns: Bot turns in a row saying it did not understand, to offer one.
        tool_failures: Tool calls that failed (after the gate's retries), to offer one.
    """

    def __init__(
        self, misunderstood_turns: int = MISUNDERSTOOD_TURNS, tool_failures: int = TOOL_FAILURES
    ):
        self._misunderstood_turns = misunderstood_turns
        self._tool_failures = tool_failures
        self._asks = _pattern(ASKS_FOR_PERSON)
        self._fed_up = _pattern(FRUSTRATED)
        self._lost = _pattern(DID_NOT_UNDERSTAND)
        self._seen: dict[int, Any] = {}
        """Messages read, by identity (kept, so an id is not reused): the context compiler
        compacts the context in place, so neither its length nor a message's place is a cursor."""
        self.misunderstood = 0
        self._last_said = ""
        self.failures = 0
        self.fired: Trigger | None = None

    def observe(self, messages: Sequence[Any]) -> Trigger | None:
        """Read the messages not read yet; return a trigger the first time one is met."""
        trigger = None
        for message in messages:
            if id(message) in self._seen:
                continue
            self._seen[id(message)] = message
            trigger = trigger or self._read(message)
        if trigger and self.fired is None:
            self.fired = trigger
            return trigger
        return None

    def _read(self, message: Any) -> Trigger | None:
        if not isinstance(message, dict):
            return None
        role, text = message.get("role"), _plain(message_text(message))
        if role == "user":
            if self._asks.search(text):
                return Trigger.ASKED
            if self._fed_up.search(text):
                return Trigger.FRUSTRATED
        elif role == "assistant" and text:
            # The same words again are as lost as "I did not catch that" ("What phone number
            # is the booking under?" to a caller who keeps saying "cancel my booking").
            lost = self._lost.search(text) is not None or text == self._last_said
            self._last_said = text
            self.misunderstood = self.misunderstood + 1 if lost else 0
            if self.misunderstood >= self._misunderstood_turns:
                return Trigger.MISUNDERSTOOD
        elif role == "tool" and _failed(text):
            self.failures += 1
            if self.failures >= self._tool_failures:
                return Trigger.TOOLS_FAILED
        return None


def _failed(content: str) -> bool:
    try:
        result = json.loads(content)
    except ValueError:
        return False
    return isinstance(result, dict) and result.get("error") in FAILED_TOOL_ERRORS
