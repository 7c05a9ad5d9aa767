"""Keeps the call's typed state (conversation/state.py) up to date after each caller turn
and each tool result.

Pipecat has no typed conversation state: its context summariser writes free
text into the context, and its classifiers answer one question at a time. This
processor reads each new caller turn with the on-device parser, or with a
small fast model when the bot has a generative LLM (conversation/extraction.py).

It never delays the reply. The frame is passed on at once; the reading of a
caller turn waits until the bot has finished answering it (it stopped
speaking, or its turn ended in a text pipeline), the caller has spoken again
(that turn will get no other answer), or `max_delay_secs`, whichever comes
first, and then runs in the processor's own task, while the caller is
listening or speaking. The state is needed only for turns older than the
compiler's window, so a reading one turn late costs nothing.
"""

import asyncio
import re
import time
from dataclasses import dataclass, field

from loguru import logger
from pipecat.frames.frames import (
    BotStoppedSpeakingFrame,
    CancelFrame,
    EndFrame,
    Frame,
    FunctionCallResultFrame,
    LLMContextAssistantTurnFrame,
    LLMContextFrame,
    StartFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from conversation.call import Call
from conversation.extraction import ModelExtraction, ParserExtraction, Reading
from conversation.messages import NewMessages, caller_turns, readable
from conversation.redaction import PERSONAL_SLOTS
from conversation.tracing import call_span
from processors.placement import Placement

END_OF_CALL_SECS = 5.0
"""At the end of the call, how long pending readings may still take."""


@dataclass
class CallerTurn:
    turn: int
    text: str
    asked: str | None
    bot_text: str
    queued_at: float = field(default_factory=time.monotonic)


class StateExtractor(FrameProcessor):
    """Updates `call.state` from caller turns and tool results, off the critical path."""

    placement = Placement(
        slot="before_llm",
        description="keeps the call's typed state (intent, booking details) from each caller turn",
        needs=("settings", "call"),
    )

    def __init__(
        self,
        call: Call,
        extraction: ParserExtraction | ModelExtraction,
        max_delay_secs: float = 10.0,
        **kwargs,
    ):
        """
        Args:
            call: The call whose state is kept (its redactor, its turn count).
            extraction: Reads a caller turn: the on-device parser, or a small model
                checked by the parser.
            max_delay_secs: The longest a reading waits for the bot to finish answering
                before it runs anyway.
        """
        super().__init__(**kwargs)
        self._call = call
        self._extraction = extraction
        self._reader = extraction.reader
        self._max_delay = max_delay_secs
        self._seen = NewMessages()
        self._pending: asyncio.Queue[CallerTurn] = asyncio.Queue()
        self._answered = asyncio.Event()
        self._spoke_again = asyncio.Event()
        """Set by each caller turn: the one being waited on will not be answered on its own."""
        self._worker: asyncio.Task | None = None
        self._reading: CallerTurn | None = None
        self._bot_text = ""
        self._asked: str | None = None
        self._tool_results: set[str] = set()
        self.work_spans: list[tuple[float, float]] = []
        """When the extractor worked (`time.monotonic()`): each reading, and the bookkeeping
        on each context on its way to the LLM. bench/context.py shows it stays off the
        reply's path."""

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            self._worker = self.create_task(self._read_turns(), "state-extractor")
        elif isinstance(frame, LLMContextFrame) and direction == FrameDirection.DOWNSTREAM:
            if not frame.speculation:
                started = time.monotonic()
                self._note_caller_turns(frame)
                self.work_spans.append((started, time.monotonic()))
        elif isinstance(frame, (BotStoppedSpeakingFrame, LLMContextAssistantTurnFrame)):
            if isinstance(frame, LLMContextAssistantTurnFrame):
                self._bot_said(frame.text)
            self._answered.set()
        elif isinstance(frame, FunctionCallResultFrame):
            self._tool_result(frame)
        elif isinstance(frame, EndFrame):
            await self._finish()
        elif isinstance(frame, CancelFrame):
            await self._stop()
        await self.push_frame(frame, direction)

    def _note_caller_turns(self, frame: LLMContextFrame):
        """Count the new caller turns now (the log lines need the number); read them later."""
        for text in caller_turns(self._seen(frame.context.get_messages())):
            self._call.state.turn += 1
            self._spoke_again.set()
            self._answered.clear()
            self._pending.put_nowait(
                CallerTurn(self._call.state.turn, readable(text), self._asked, self._bot_text)
            )

    def _bot_said(self, text: str):
        self._bot_text = text
        self._asked = self._reader.asked_slot(text)
        questions = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.endswith("?")]
        if questions:
            self._call.state.ask(questions[-1])
        # Until the answer is read, log lines may hold a name said with no cue.
        self._call.redactor.answering = self._asked if self._asked in PERSONAL_SLOTS else None

    def _tool_result(self, frame: FunctionCallResultFrame):
        if frame.tool_call_id in self._tool_results:
            return  # the same result, seen from the other direction
        self._tool_results.add(frame.tool_call_id)
        outcome = self._reader.tool_outcome(frame.function_name, frame.arguments, frame.result)
        if outcome:
            self._call.state.note(outcome)

    async def _read_turns(self):
        while True:
            turn = await self._pending.get()
            self._reading = turn
            if self._pending.empty():  # else the caller has spoken again: read it now
                self._spoke_again.clear()
                waited = time.monotonic() - turn.queued_at
                await self._answer_or_next_turn(max(0.0, self._max_delay - waited))
            await self._read(turn)
            self._reading = None

    async def _answer_or_next_turn(self, timeout: float):
        """Until the bot has answered the caller's last turn, the caller speaks again, or
        `timeout` passes."""
        waits = [asyncio.ensure_future(e.wait()) for e in (self._answered, self._spoke_again)]
        try:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def _read(self, turn: CallerTurn):
        started = time.monotonic()
        # A span when the call is traced: which turn, what was found, never the values.
        with call_span("state_extraction", **{"state.turn": turn.turn}) as span:
            try:
                reading = await self._extraction.read(
                    self._call.state, turn.text, turn.asked, turn.bot_text
                )
            except Exception as error:  # a bad reading must not end the call
                logger.warning(f"{self}: could not read caller turn {turn.turn}: {error!r}")
                return
            self._apply(turn, reading)
            if span is not None:
                span.set_attribute("state.intent", str(self._call.state.intent or ""))
                span.set_attribute("state.slots", sorted(reading.slots))
        self.work_spans.append((started, time.monotonic()))

    def _apply(self, turn: CallerTurn, reading: Reading):
        state = self._call.state
        previous = state.intent
        state.intent = self._reader.current_intent(previous, reading.intent)
        for name, (value, confidence) in reading.slots.items():
            state.fill(name, value, confidence, turn.turn)
            self._call.redactor.remember(name, value)
        if reading.summary is not None:
            state.summary = reading.summary
        elif state.intent != previous and state.intent is not None:
            state.note(self._reader.describe_intent(state.intent))
        if reading.open_questions is not None:
            state.open_questions = list(reading.open_questions)
        else:
            # A question stays open while the slot it asks for is still empty.
            state.open_questions = [
                q
                for q in state.open_questions
                if (slot := self._reader.asked_slot(q)) is not None and slot not in state.slots
            ]
        if self._call.redactor.answering == turn.asked and turn.turn == state.turn:
            self._call.redactor.answering = None
        logger.debug(
            f"{self}: turn {turn.turn} read: intent {state.intent}, slots {sorted(reading.slots)}"
        )

    async def _finish(self):
        """Read what is still pending, so the last state snapshot is complete."""
        await self._stop()
        left = [self._reading] if self._reading is not None else []
        while not self._pending.empty():
            left.append(self._pending.get_nowait())
        deadline = time.monotonic() + END_OF_CALL_SECS
        for turn in left:
            try:
                await asyncio.wait_for(self._read(turn), deadline - time.monotonic())
            except TimeoutError:
                logger.warning(f"{self}: turn {turn.turn} was not read before the call ended")

    async def cleanup(self):
        await super().cleanup()
        await self._extraction.close()

    async def _stop(self):
        if self._worker is not None:
            await self.cancel_task(self._worker)
            self._worker = None
