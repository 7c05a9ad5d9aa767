"""Where the gate keeps the first result of each side-effecting call, by idempotency key."""

from dataclasses import dataclass, field
from typing import Any, Protocol

Result = dict[str, Any]


class ResultRecords(Protocol):
    """Where first results of side-effecting calls are kept, by idempotency key."""

    async def get_result(self, key: str) -> Result | None: ...

    async def put_result(self, key: str, tool: str, result: Result) -> None: ...


@dataclass
class MemoryResultRecords:
    """Results kept for the life of the process, where no database is wanted."""

    results: dict[str, Result] = field(default_factory=dict)

    async def get_result(self, key: str) -> Result | None:
        return self.results.get(key)

    async def put_result(self, key: str, tool: str, result: Result) -> None:
        self.results.setdefault(key, result)
