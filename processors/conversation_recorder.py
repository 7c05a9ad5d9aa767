"""Records the call: its session, each turn (caller and bot text, times, interruption,
latency), each tool call with its result, and a state snapshot per turn.

Pipecat keeps no record of a call. This processor watches the frames that
pass it, keeps the turn being built in memory, and hands each finished row to
a writer task that runs the database work in a thread, one write at a time:
the audio path never waits for the database, and a database that fails loses
records, never the call. Everything is redacted before it is written.

Place it after the user aggregator: it sees new caller turns in the context
going down, and the bot's speech, its text and tool results coming back up.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from loguru import logger
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    CancelFrame,
    EndFrame,
    Frame,
    FunctionCallCancelFrame,
    FunctionCallInProgressFrame,
    FunctionCallResultFrame,
    InterruptionFrame,
    LLMContextAssistantTurnFrame,
    LLMContextFrame,
    StartFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from conversation.call import Call, utc_now
from conversation.call_records import CallRecordStore, SwitchRecord, ToolCallRecord, TurnRecord
from conversation.messages import NewMessages, caller_turns
from processors.placement import Placement

END_DRAIN_SECS = 5.0
CANCEL_DRAIN_SECS = 2.0
"""How long the end of the call waits for the last writes (ended, cancelled)."""


@dataclass
class OpenTurn:
    """The turn being built: a caller's words (none for the bot's greeting) and the answer."""

    turn: int
    caller_text: str = ""
    answering: str | None = None
    """The personal detail the caller was asked for, so a bare answer is redacted."""
    caller_started_at: datetime | None = None
    caller_ended_at: datetime | None = None
    ended_mono: float | None = None
    bot_text: list[str] = field(default_factory=list)
    bot_started_at: datetime | None = None
    bot_ended_at: datetime | None = None
    interrupted: bool = False
    latency_ms: int | None = None


@dataclass
class ToolStart:
    name: str
    arguments: dict
    turn: int
    started_at: datetime


class ConversationRecorder(FrameProcessor):
    """Writes one call to the call records, off the audio path."""

    placement = Placement(
        slot="before_llm",
        description="writes each call's redacted turns, tool calls and state to the call records",
        needs=("settings", "call", "call_records"),
    )

    def __init__(self, call: Call, store: CallRecordStore, llm: str, **kwargs):
        """
        Args:
            call: The call recorded: its id, its redactor and its state.
            store: Where the records go; written from a worker thread, off the audio path.
            llm: The LLM provider's name, kept with the session.
        """
        super().__init__(**kwargs)
        self._call = call
        self._store = store
        self._llm = llm
        self._seen = NewMessages()
        self._turn = OpenTurn(turn=0)
        self._bot_speaking = False
        self._user_started: datetime | None = None
        self._user_stopped: tuple[datetime, float] | None = None
        self._tools: dict[str, ToolStart] = {}
        self._writes: asyncio.Queue[Callable[[], None] | None] = asyncio.Queue()
        self._writer: asyncio.Task | None = None
        self._finished = False

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            self._start()
        elif isinstance(frame, UserStartedSpeakingFrame):
            self._user_started = utc_now()
        elif isinstance(frame, UserStoppedSpeakingFrame):
            self._user_stopped = (utc_now(), time.monotonic())
        elif isinstance(frame, LLMContextFrame) and direction == FrameDirection.DOWNSTREAM:
            if not frame.speculation:
                for text in caller_turns(self._seen(frame.context.get_messages())):
                    self._caller_said(text)
        elif isinstance(frame, BotStartedSpeakingFrame):
            self._bot_started()
        elif isinstance(frame, BotStoppedSpeakingFrame):
            self._bot_speaking = False
            self._turn.bot_ended_at = utc_now()
        elif isinstance(frame, InterruptionFrame):
            if self._bot_speaking:
                self._turn.interrupted = True
        elif isinstance(frame, LLMContextAssistantTurnFrame):
            self._turn.bot_text.append(frame.text)
        elif isinstance(frame, FunctionCallInProgressFrame):
            self._tools[frame.tool_call_id] = ToolStart(
                frame.function_name, dict(frame.arguments or {}), self._turn.turn, utc_now()
            )
        elif isinstance(frame, FunctionCallResultFrame):
            self._tool_done(frame.tool_call_id, frame.function_name, frame.result, frame.error)
        elif isinstance(frame, FunctionCallCancelFrame):
            self._tool_done(frame.tool_call_id, frame.function_name, None, None, cancelled=True)
        elif isinstance(frame, (EndFrame, CancelFrame)):
            await self._finish(frame)
        await self.push_frame(frame, direction)

    def _start(self):
        self._writer = self.create_task(self._write_all(), "conversation-recorder")
        call = self._call
        self._queue(lambda: self._store.start_session(call.id, call.started_at, self._llm))

    def _caller_said(self, text: str):
        self._close_turn()
        now = utc_now()
        stopped_at, stopped_mono = self._user_stopped or (now, time.monotonic())
        started_at, self._user_started, self._user_stopped = self._user_started, None, None
        self._turn = OpenTurn(
            turn=self._turn.turn + 1,
            caller_text=text,
            answering=self._call.redactor.answering,
            caller_started_at=started_at,
            caller_ended_at=stopped_at,
            ended_mono=stopped_mono,
        )

    def _bot_started(self):
        self._bot_speaking = True
        turn = self._turn
        if turn.bot_started_at is None:
            turn.bot_started_at = utc_now()
            if turn.ended_mono is not None:
                turn.latency_ms = round((time.monotonic() - turn.ended_mono) * 1000)

    def _tool_done(self, tool_call_id: str, name: str, result, error, cancelled: bool = False):
        start = self._tools.pop(tool_call_id, None)
        if start is None:
            return
        status = "cancelled" if cancelled else "error" if error else "ok"
        redactor = self._call.redactor
        session_id = self._call.id
        finished_at = utc_now()

        def write():
            self._store.add_tool_call(
                ToolCallRecord(
                    session_id=session_id,
                    turn=start.turn,
                    tool_call_id=tool_call_id,
                    name=name,
                    arguments=redactor.redact_data(start.arguments),
                    result=redactor.redact_data(result),
                    status=status,
                    started_at=start.started_at,
                    finished_at=finished_at,
                )
            )

        self._queue(write)

    def _close_turn(self):
        turn = self._turn
        if turn.turn == 0 and not turn.bot_text:
            return  # the bot said nothing before the caller spoke
        redactor = self._call.redactor
        session_id = self._call.id
        state = self._call.state.model_copy(deep=True)
        taken_at = utc_now()

        def write():
            self._store.add_turn(
                TurnRecord(
                    session_id=session_id,
                    turn=turn.turn,
                    caller_text=redactor.redact(turn.caller_text, answering=turn.answering),
                    bot_text=redactor.redact(" ".join(turn.bot_text)),
                    caller_started_at=turn.caller_started_at,
                    caller_ended_at=turn.caller_ended_at,
                    bot_started_at=turn.bot_started_at,
                    bot_ended_at=turn.bot_ended_at,
                    interrupted=turn.interrupted,
                    latency_ms=turn.latency_ms,
                )
            )
            self._store.add_snapshot(session_id, turn.turn, taken_at, state.snapshot(redactor))

        self._queue(write)

    async def _finish(self, frame: Frame):
        if self._finished:
            return
        self._finished = True
        self._close_turn()
        for tool_call_id, start in list(self._tools.items()):
            self._tool_done(tool_call_id, start.name, None, None, cancelled=True)
        reason = "ended" if isinstance(frame, EndFrame) else "cancelled"
        session_id, ended_at = self._call.id, utc_now()
        self._queue(lambda: self._store.end_session(session_id, ended_at, reason))
        self._writes.put_nowait(None)
        if self._writer is None:
            return
        try:
            drain = END_DRAIN_SECS if isinstance(frame, EndFrame) else CANCEL_DRAIN_SECS
            await asyncio.wait_for(asyncio.shield(self._writer), drain)
        except TimeoutError:
            logger.warning(f"{self}: the last call records were not written in time")
            await self.cancel_task(self._writer)
        self._writer = None

    def record_switch(
        self,
        *,
        stage: str,
        kind: str,
        from_service: str,
        to_service: str,
        reason: str,
        duration_ms: int,
    ):
        """Record a stage's switch to another service (a failover, or a recovery) in the
        current turn. The reason is redacted: a provider's error may quote the request."""
        record = SwitchRecord(
            session_id=self._call.id,
            turn=self._turn.turn,
            at=utc_now(),
            stage=stage,
            kind=kind,
            from_service=from_service,
            to_service=to_service,
            reason=self._call.redactor.redact(reason)[:500],
            duration_ms=duration_ms,
        )
        self._queue(lambda: self._store.add_switch(record))

    def _queue(self, write: Callable[[], None]):
        self._writes.put_nowait(write)

    async def _write_all(self):
        while (write := await self._writes.get()) is not None:
            try:
                await asyncio.to_thread(write)
            except Exception as error:  # a failing database loses records, never the call
                reason = getattr(error, "orig", None) or type(error).__name__
                logger.warning(f"{self}: a call record was not written: {reason}")
