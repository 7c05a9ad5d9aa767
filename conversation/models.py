"""The tables of recorded calls: sessions, turns, tool calls, state snapshots, service switches.

Kept apart from the reservation store's tables (their own database URL and
their own Alembic version table), so the two schemas migrate independently.
Every text column holds redacted text (conversation/redaction.py).
"""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class CallSession(Base):
    __tablename__ = "conversation_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str | None] = mapped_column(String(40))
    llm: Mapped[str] = mapped_column(String(40))


class Turn(Base):
    """One caller turn and the bot's answer to it; turn 0 is what the bot said first."""

    __tablename__ = "conversation_turns"
    __table_args__ = (UniqueConstraint("session_id", "turn"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("conversation_sessions.id"), index=True)
    turn: Mapped[int] = mapped_column(Integer)
    caller_text: Mapped[str] = mapped_column(Text, default="")
    bot_text: Mapped[str] = mapped_column(Text, default="")
    caller_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    caller_ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    bot_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    bot_ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    interrupted: Mapped[bool] = mapped_column(Boolean, default=False)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    """End of the caller's turn to the bot's first audio."""


class ToolCall(Base):
    __tablename__ = "conversation_tool_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("conversation_sessions.id"), index=True)
    turn: Mapped[int] = mapped_column(Integer)
    tool_call_id: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(80))
    arguments: Mapped[str] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    """"ok", "error" or "cancelled"."""
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class StateSnapshot(Base):
    __tablename__ = "conversation_state_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("conversation_sessions.id"), index=True)
    turn: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(Text)


class ServiceSwitch(Base):
    """A stage's switch to another service mid-call (a failover) or back (a recovery)."""

    __tablename__ = "conversation_service_switches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("conversation_sessions.id"), index=True)
    turn: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)
    stage: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    """"failover" or "recovery"."""
    from_service: Mapped[str] = mapped_column(String(40))
    to_service: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)
    """Failover: from the failed attempt's start to the switch. Recovery: time off."""
