"""Handoffs to a person that the bookings database could not take: a file of their own.

The handoff is what the bot offers when the booking system fails, so it cannot depend on
that system. A request goes to the outbox like any message when the database works; when it
does not (locked, deleted, down), it is appended here, one JSON object a line, flushed to
disk before the bot says staff were asked. Front-of-house reads both.
"""

import asyncio
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path


class HandoffLog:
    """An append-only file of handoff requests, independent of any database.

    Args:
        path: The file; its folder is created when the first request is written.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._written: set[str] = set()

    async def append(self, *, body: str, idempotency_key: str) -> None:
        """Write one request (the same key once per process), durably."""
        await asyncio.to_thread(self._append, body, idempotency_key)

    def _append(self, body: str, key: str) -> None:
        line = json.dumps(
            {"at": datetime.now(UTC).isoformat(timespec="seconds"), "body": body, "key": key}
        )
        with self._lock:
            if key in self._written:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as file:
                file.write(line + "\n")
                file.flush()
                os.fsync(file.fileno())
            self._written.add(key)

    def requests(self) -> list[dict]:
        """Every request written so far, oldest first."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
