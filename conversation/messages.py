"""Reading context messages: their text, the caller's turns, and which are new.

The context compiler drops old messages from the context, so positions shift;
messages are told apart by identity instead. Each one seen is held (so its id
cannot be reused) until `keep` newer ones have been seen.
"""

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pipecat.processors.aggregators.llm_context import LLMSpecificMessage


class NewMessages:
    def __init__(self, keep: int = 1000):
        self._order: deque[Any] = deque()
        self._ids: set[int] = set()
        self._keep = keep

    def __call__(self, messages: Sequence[Any]) -> list[Any]:
        """The messages not seen before, in order; they count as seen from now on."""
        new = [m for m in messages if id(m) not in self._ids]
        for message in new:
            self._order.append(message)
            self._ids.add(id(message))
            if len(self._order) > self._keep:
                self._ids.discard(id(self._order.popleft()))
        return new


def message_text(message: Mapping[str, Any]) -> str:
    """The text of a context message, whether its content is a string or parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


READ_CHARS = 1000
"""How much of one caller turn the parsers read: more than a minute of speech. They run on the
event loop, and a crafted 20 kB text turn of digits, times and days (RTVI's `send-text` takes
any size) held it for ~12 s, stalling every call in the process; 1000 characters take
a fraction of a second."""


def readable(text: str) -> str:
    """The start of a caller turn that the parsers read (`READ_CHARS`)."""
    return text[:READ_CHARS]


def caller_turns(messages: Iterable[Any]) -> list[str]:
    """The text of each caller message among `messages`."""
    return [
        text
        for message in messages
        if not isinstance(message, LLMSpecificMessage)
        and message.get("role") == "user"
        and (text := message_text(message).strip())
    ]
