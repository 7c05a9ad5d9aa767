"""The calls one process takes at once (MAX_SESSIONS), the drain, and `/start` entries.

Every way in (a WebRTC offer, the /ws eval endpoint, a Daily room) takes a line
from the one `SessionGate` before a bot starts, and gives it back when the bot
ends, so the cap holds whatever the transport.
"""

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any


class Line:
    """One call's hold on the gate; `release()` is safe to call more than once."""

    def __init__(self, gate: "SessionGate"):
        self._gate = gate
        self._released = False

    def release(self) -> None:
        """Give the line back."""
        if not self._released:
            self._released = True
            self._gate._released()


class SessionGate:
    """Counts calls in progress against a cap, and refuses new ones while draining."""

    def __init__(self, max_sessions: int):
        """Args:
        max_sessions: calls in progress at once; the next is refused as busy.
        """
        self.max_sessions = max_sessions
        self.active = 0
        self.draining = False
        self._idle: asyncio.Event | None = None

    def refusal(self) -> str | None:
        """Why a new call would be refused now ("draining" or "busy"), or None."""
        if self.draining:
            return "draining"
        if self.active >= self.max_sessions:
            return "busy"
        return None

    def try_take(self) -> Line | None:
        """A line for a new call, or None when `refusal()` says why not."""
        if self.refusal() is not None:
            return None
        self.active += 1
        return Line(self)

    def _released(self) -> None:
        self.active -= 1
        if self.active == 0 and self._idle is not None:
            self._idle.set()

    async def drained(self, timeout: float) -> bool:
        """Stop taking calls; wait up to `timeout` s for those in progress. True if none remain."""
        self.draining = True
        if self.active == 0:
            return True
        self._idle = asyncio.Event()
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


class PendingStarts:
    """Session ids `/start` handed out that no offer has used yet; each lapses after a TTL."""

    def __init__(self, ttl_secs: float, capacity: int, clock: Callable[[], float] = time.monotonic):
        """Args:
        ttl_secs: how long an entry waits for its offer.
        capacity: entries kept at once; past it `/start` is refused as busy.
        clock: monotonic seconds (tests pass their own).
        """
        self._ttl = ttl_secs
        self._capacity = capacity
        self._clock = clock
        self._entries: dict[str, tuple[float, Any]] = {}

    def __len__(self) -> int:
        self._expire()
        return len(self._entries)

    def add(self, body: Any) -> str | None:
        """A new session id holding `body`, or None when full."""
        self._expire()
        if len(self._entries) >= self._capacity:
            return None
        session_id = str(uuid.uuid4())
        self._entries[session_id] = (self._clock() + self._ttl, body)
        return session_id

    def take(self, session_id: str) -> tuple[bool, Any]:
        """(found, body) for a live entry, which is used up; (False, None) otherwise."""
        self._expire()
        entry = self._entries.pop(session_id, None)
        return (False, None) if entry is None else (True, entry[1])

    def _expire(self) -> None:
        now = self._clock()
        for session_id in [key for key, (expires, _) in self._entries.items() if expires <= now]:
            del self._entries[session_id]
