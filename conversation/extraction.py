"""How a caller turn becomes an update of the conversation state.

Two readers, one result (`Reading`): offline, the domain's on-device parser;
with a generative LLM, a small fast model asked through `run_inference` with a
response schema, each slot it proposes checked against the caller's own words
(`SlotReader.ground`), and the parser as the fallback when the model fails.
"""

import asyncio
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from loguru import logger
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.services.llm_service import LLMService
from pydantic import BaseModel

from conversation.state import OPEN_QUESTIONS, SUMMARY_CHARS, ConversationState

NO_INTENT = "none"


@dataclass(frozen=True)
class Reading:
    """What one caller turn said: intent and slots (value, confidence); a model also
    rewrites the summary and the open questions."""

    intent: str | None
    slots: dict[str, tuple[str, float]] = field(default_factory=dict)
    summary: str | None = None
    open_questions: tuple[str, ...] | None = None


class SlotReader(Protocol):
    """A domain's slots and how its on-device parser reads them."""

    slot_descriptions: Mapping[str, str]
    intents: Sequence[str]

    def asked_slot(self, bot_text: str) -> str | None: ...

    def read(self, text: str, asked: str | None, state: ConversationState) -> Reading: ...

    def current_intent(self, previous: str | None, heard: str | None) -> str | None: ...

    def describe_intent(self, intent: str) -> str: ...

    def ground(
        self, name: str, value: str, evidence: str, caller_text: str, confidence: float
    ) -> tuple[str, float] | None: ...

    def tool_outcome(self, name: str, arguments: dict[str, Any], result: Any) -> str | None: ...


class ParserExtraction:
    """Offline: the on-device parser reads the turn."""

    def __init__(self, reader: SlotReader):
        self.reader = reader

    async def read(
        self, state: ConversationState, caller_text: str, asked: str | None, bot_text: str
    ) -> Reading:
        return self.reader.read(caller_text, asked, state)

    async def close(self):
        """Nothing to release."""


class ModelSlot(BaseModel):
    name: str
    value: str
    evidence: str
    confidence: float


class ModelReading(BaseModel):
    intent: str
    slots: list[ModelSlot]
    summary: str
    open_questions: list[str]


INSTRUCTION = """You keep the state of a phone call for a voice assistant. You get the \
current state, the assistant's last words and the caller's new turn. Reply with:
- intent: what the caller wants now, one of {intents}, or "none" if unclear;
- slots: only details the caller said in the NEW turn (a correction replaces an old value). \
For each: name (one of {slots}), value (normalised: {formats}), evidence (the caller's exact \
words it comes from, copied verbatim), confidence from 0 to 1. Never guess a slot the caller \
did not say;
- summary: the call so far in at most three short sentences;
- open_questions: the assistant's questions still unanswered."""


class ModelExtraction:
    """With a cloud LLM: a small fast model reads the turn; the parser is the fallback.

    After the model fails (an error, or no answer within `timeout_secs`, which the
    SDK's own retries count against), the parser reads the turns of the next
    `retry_after_secs` on its own, so a model that is down costs one wait, not one
    per turn; then the model is tried again."""

    def __init__(
        self,
        llm: LLMService,
        reader: SlotReader,
        timeout_secs: float = 10.0,
        retry_after_secs: float = 30.0,
        clock=time.monotonic,
    ):
        self.reader = reader
        self._llm = llm
        self._timeout = timeout_secs
        self._retry_after = retry_after_secs
        self._clock = clock
        self._failed_at: float | None = None
        self._fallback = ParserExtraction(reader)
        self._instruction = INSTRUCTION.format(
            intents=", ".join(reader.intents),
            slots=", ".join(reader.slot_descriptions),
            formats="; ".join(f"{k}: {v}" for k, v in reader.slot_descriptions.items()),
        )

    @property
    def llm(self) -> LLMService:
        return self._llm

    async def close(self):
        """Cleans the model's service up at the call's end: it answers through `run_inference`,
        outside the pipeline, so the pipeline's teardown does not reach it."""
        await self._llm.cleanup()

    async def read(
        self, state: ConversationState, caller_text: str, asked: str | None, bot_text: str
    ) -> Reading:
        if self._failed_at is not None and self._clock() - self._failed_at < self._retry_after:
            return await self._fallback.read(state, caller_text, asked, bot_text)
        request = {
            "state": state.model_dump(exclude={"turn"}),
            "assistant_said": bot_text,
            "caller_said": caller_text,
        }
        context = LLMContext(messages=[{"role": "user", "content": json.dumps(request)}])
        try:
            answer = await asyncio.wait_for(
                self._llm.run_inference(
                    context,
                    max_tokens=500,
                    system_instruction=self._instruction,
                    response_schema=response_schema(self.reader),
                ),
                self._timeout,
            )
            reading = ModelReading.model_validate_json(answer or "")
        except Exception as error:  # any failure of the model: the parser still reads the turn
            # The reason, never the content: it may hold what the caller said.
            logger.warning(f"state model gave no usable reading ({type(error).__name__})")
            self._failed_at = self._clock()
            return await self._fallback.read(state, caller_text, asked, bot_text)
        self._failed_at = None
        return self._checked(reading, caller_text)

    def _checked(self, reading: ModelReading, caller_text: str) -> Reading:
        slots = {}
        for slot in reading.slots:
            grounded = self.reader.ground(
                slot.name, slot.value, slot.evidence, caller_text, slot.confidence
            )
            if grounded is None:
                logger.debug(f"state model's {slot.name!r} is not in the caller's words: dropped")
                continue
            slots[slot.name] = grounded
        intent = reading.intent if reading.intent in self.reader.intents else None
        return Reading(
            intent=intent,
            slots=slots,
            summary=reading.summary.strip()[:SUMMARY_CHARS],
            open_questions=tuple(q.strip() for q in reading.open_questions if q.strip())[
                -OPEN_QUESTIONS:
            ],
        )


def response_schema(reader: SlotReader) -> dict[str, Any]:
    """The JSON schema the model must answer in (every property required, no extras)."""
    return {
        "type": "object",
        "properties": {
            "intent": {"type": "string", "enum": [*reader.intents, NO_INTENT]},
            "slots": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "enum": list(reader.slot_descriptions)},
                        "value": {"type": "string"},
                        "evidence": {"type": "string"},
                        "confidence": {"type": "number"},
                    },
                    "required": ["name", "value", "evidence", "confidence"],
                    "additionalProperties": False,
                },
            },
            "summary": {"type": "string"},
            "open_questions": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["intent", "slots", "summary", "open_questions"],
        "additionalProperties": False,
    }
