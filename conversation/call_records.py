"""Recorded calls in a SQL database (SQLite by default), migrated to the latest schema on open.

Methods are synchronous and short: the recorder (processors/conversation_recorder.py)
runs them in a worker thread, one at a time, off the audio path. Transient
SQLite errors ("database is locked", or its one connection busy) are retried with backoff (tenacity).
"""

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from conversation.models import CallSession, ServiceSwitch, StateSnapshot, ToolCall, Turn
from store.database import DatabaseFile, create_engine_for, migrate, shown_url

MIGRATIONS = Path(__file__).parent / "migrations"

transient = retry(
    retry=retry_if_exception_type((OperationalError, PoolTimeout)),
    stop=stop_after_attempt(4),
    wait=wait_exponential(multiplier=0.05, max=1.0),
    reraise=True,
)


class CallRecordStoreError(Exception):
    """The call records cannot be opened or written."""


@dataclass(frozen=True)
class TurnRecord:
    session_id: str
    turn: int
    caller_text: str
    bot_text: str
    caller_started_at: datetime | None
    caller_ended_at: datetime | None
    bot_started_at: datetime | None
    bot_ended_at: datetime | None
    interrupted: bool
    latency_ms: int | None


@dataclass(frozen=True)
class ToolCallRecord:
    session_id: str
    turn: int
    tool_call_id: str
    name: str
    arguments: Any
    result: Any
    status: str
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class SwitchRecord:
    session_id: str
    turn: int
    at: datetime
    stage: str
    kind: str
    from_service: str
    to_service: str
    reason: str
    duration_ms: int


@dataclass(frozen=True)
class Deleted:
    sessions: int
    turns: int
    tool_calls: int
    snapshots: int
    switches: int = 0


class CallRecordStore:
    """Sessions, turns, tool calls and state snapshots. Open with `CallRecordStore.open`."""

    def __init__(self, engine: Engine, file: DatabaseFile | None = None):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._file = file  # the SQLite file, checked before every write

    @classmethod
    def open(cls, url: str) -> "CallRecordStore":
        """Connect and migrate: an empty file gets the schema, an older one is upgraded."""
        try:
            engine = create_engine_for(url)
            migrate(engine, MIGRATIONS)
        except (SQLAlchemyError, OSError, ImportError) as error:
            reason = getattr(error, "orig", None) or error
            raise CallRecordStoreError(
                f"cannot open the call records at {shown_url(url)}: {reason}"
            ) from None
        return cls(engine, DatabaseFile.of(url, "call records"))

    def close(self):
        self.engine.dispose()

    def start_session(self, session_id: str, started_at: datetime, llm: str):
        self._write(lambda s: s.add(CallSession(id=session_id, started_at=started_at, llm=llm)))

    def end_session(self, session_id: str, ended_at: datetime, reason: str):
        def end(session: Session):
            call = session.get(CallSession, session_id)
            if call is not None:
                call.ended_at, call.end_reason = ended_at, reason

        self._write(end)

    def add_turn(self, record: TurnRecord):
        self._write(lambda s: s.add(Turn(**record.__dict__)))

    def add_tool_call(self, record: ToolCallRecord):
        values = {
            **record.__dict__,
            "arguments": json.dumps(record.arguments, default=str),
            "result": None if record.result is None else json.dumps(record.result, default=str),
        }
        self._write(lambda s: s.add(ToolCall(**values)))

    def add_snapshot(self, session_id: str, turn: int, taken_at: datetime, state: dict):
        snapshot = StateSnapshot(
            session_id=session_id, turn=turn, taken_at=taken_at, state=json.dumps(state)
        )
        self._write(lambda s: s.add(snapshot))

    def add_switch(self, record: SwitchRecord):
        self._write(lambda s: s.add(ServiceSwitch(**record.__dict__)))

    def delete_before(self, cutoff: datetime) -> Deleted:
        """Delete every call that started before `cutoff`, with all it recorded."""

        def purge(session: Session) -> Deleted:
            old = select(CallSession.id).where(CallSession.started_at < cutoff)
            counts = [
                session.execute(delete(table).where(table.session_id.in_(old))).rowcount
                for table in (Turn, ToolCall, StateSnapshot, ServiceSwitch)
            ]
            sessions = session.execute(
                delete(CallSession).where(CallSession.started_at < cutoff)
            ).rowcount
            return Deleted(sessions, *counts)

        return self._write(purge)

    # -- reading, for tests and tools ---------------------------------------------------

    def session(self, session_id: str) -> CallSession | None:
        with self._sessions() as session:
            return session.get(CallSession, session_id)

    def turns(self, session_id: str) -> list[Turn]:
        return self._rows(select(Turn).where(Turn.session_id == session_id).order_by(Turn.turn))

    def tool_calls(self, session_id: str) -> list[ToolCall]:
        return self._rows(
            select(ToolCall).where(ToolCall.session_id == session_id).order_by(ToolCall.id)
        )

    def snapshots(self, session_id: str) -> list[StateSnapshot]:
        return self._rows(
            select(StateSnapshot)
            .where(StateSnapshot.session_id == session_id)
            .order_by(StateSnapshot.id)
        )

    def switches(self, session_id: str) -> list[ServiceSwitch]:
        return self._rows(
            select(ServiceSwitch)
            .where(ServiceSwitch.session_id == session_id)
            .order_by(ServiceSwitch.id)
        )

    def count_sessions(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(CallSession)) or 0

    def _rows(self, query) -> list:
        with self._sessions() as session:
            return list(session.scalars(query))

    @transient
    def _write(self, work):
        if self._file is not None and (problem := self._file.check()):
            raise CallRecordStoreError(problem)
        with self._sessions.begin() as session:
            return work(session)
