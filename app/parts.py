"""The pipeline's named parts: ours, those installed packages declare, and any class by import path.

A part is a frame processor or a user-turn strategy with a name, a slot
(processors/placement.py) and a builder that makes one for a call from its
`CallKit`. `PIPELINE_PARTS` chooses among them (app/part_choice.py);
docs/pipeline-parts.md lists them and what a caller notices without each.
"""

import importlib
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pipecat.audio.turn.base_turn_analyzer import BaseTurnAnalyzer
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameProcessor
from pipecat.turns.user_start import BaseUserTurnStartStrategy
from pipecat.turns.user_stop import BaseUserTurnStopStrategy

from app.call_parts import speculative_hold, state_extraction, tool_acknowledger
from app.escalation_part import escalation_watch
from app.fast_path_part import fast_path
from app.resources import shared_call_records
from conversation.call import Call
from conversation.call_records import CallRecordStore
from conversation.extraction import SlotReader
from conversation.state import ConversationState
from processors.bot_speech_gate import BotSpeechGate
from processors.context_compiler import ContextCompiler
from processors.conversation_recorder import ConversationRecorder
from processors.escalation_watch import EscalationWatch
from processors.fast_path import FastPathRouter
from processors.interrupted_reply_trimmer import InterruptedReplyTrimmer
from processors.placement import NEEDS, PROCESSOR_SLOTS, SLOTS, Placement, placement_of
from processors.reply_lead_in_trimmer import ReplyLeadInTrimmer
from processors.speculative_reply_hold import SpeculativeReplyHold
from processors.state_extractor import StateExtractor
from processors.tool_call_acknowledger import ToolCallAcknowledger
from settings import Settings
from turns.barge_in_turn_start import BargeInUserTurnStartStrategy
from turns.segment_turn_stop import SegmentTurnAnalyzerUserTurnStopStrategy
from turns.user_turn_params import barge_in, segment_turn_stop

ENTRY_POINT_GROUP = "voice_agent.pipeline_parts"
"""Installed packages declare parts here: `name = "package.module:Class"`."""


class PartsError(ValueError):
    """A part that cannot be found, loaded or placed; the message names it."""


@dataclass
class CallKit:
    """What one call's parts are built from."""

    settings: Settings
    call: Call
    context: LLMContext
    reader: SlotReader
    turn_analyzer: BaseTurnAnalyzer
    stt_segmented: Callable[[], bool] | None = None
    """With an STT chain, whether the STT answering now is segmented (Whisper)."""
    llm_generative: Callable[[], bool] | None = None
    """Whether the LLM answering now is generative; None: none in the chain is."""
    llm: object | None = None
    """The call's LLM (or its failover chain)."""

    @property
    def state(self) -> ConversationState:
        return self.call.state

    @cached_property
    def call_records(self) -> CallRecordStore:
        """The process's call records, opened only when a part needs them."""
        return shared_call_records(self.settings.conversations_database_url)

    def arguments(self, needs: tuple[str, ...]) -> dict[str, Any]:
        return {need: getattr(self, need) for need in needs}


@dataclass(frozen=True)
class Part:
    """A named part: where it goes, and how one call gets it (None: not for this call)."""

    name: str
    placement: Placement
    build: Callable[[CallKit], Any]
    origin: str = "built in"
    default: bool = False
    movable: bool = False
    """A plain FrameProcessor, with no place of its own: `name@slot` may put it elsewhere."""

    @property
    def slot(self) -> str:
        return self.placement.slot


def _ours(cls: type, name: str, build: Callable[[CallKit], Any]) -> Part:
    return Part(name, cls.placement, build, default=True)


OUR_PARTS: dict[str, Part] = {
    part.name: part
    for part in (
        _ours(BargeInUserTurnStartStrategy, "barge_in", lambda kit: barge_in(kit.settings)),
        _ours(
            SegmentTurnAnalyzerUserTurnStopStrategy,
            "segment_turn_stop",
            lambda kit: segment_turn_stop(kit.settings, kit.turn_analyzer, kit.stt_segmented),
        ),
        _ours(
            StateExtractor,
            "state_extractor",
            lambda kit: StateExtractor(kit.call, state_extraction(kit.settings, kit.reader)),
        ),
        _ours(
            ConversationRecorder,
            "call_records",
            lambda kit: ConversationRecorder(kit.call, kit.call_records, kit.settings.llm),
        ),
        _ours(
            ContextCompiler,
            "context_compiler",
            lambda kit: ContextCompiler(kit.call, recent_turns=kit.settings.context_recent_turns),
        ),
        _ours(EscalationWatch, "escalation_watch", lambda kit: escalation_watch(kit.settings)),
        _ours(FastPathRouter, "fast_path", lambda kit: fast_path(kit.settings)),
        _ours(
            ToolCallAcknowledger,
            "tool_ack",
            lambda kit: tool_acknowledger(kit.llm_generative),
        ),
        _ours(
            SpeculativeReplyHold,
            "speculative_hold",
            lambda kit: speculative_hold(kit.settings, kit.llm),
        ),
        _ours(ReplyLeadInTrimmer, "lead_in_trimmer", lambda kit: ReplyLeadInTrimmer()),
        _ours(
            BotSpeechGate,
            "speech_gate",
            lambda kit: BotSpeechGate(
                resume_secs=kit.settings.interruption_resume_secs,
                max_pause_secs=kit.settings.interruption_max_pause_secs,
            ),
        ),
        _ours(
            InterruptedReplyTrimmer,
            "reply_trimmer",
            lambda kit: InterruptedReplyTrimmer(kit.context),
        ),
    )
}
"""Our parts, all in the default set, in pipeline order within each slot."""


def find_part(name: str) -> Part:
    """Ours, an installed entry point's, or a class by import path (`package.module:Class`)."""
    if name in OUR_PARTS:
        return OUR_PARTS[name]
    if ":" in name:
        return class_part(name, _import(name), origin="import path")
    for entry in installed_entry_points():
        if entry.name == name:
            return entry_point_part(entry)
    known = ", ".join([*OUR_PARTS, *(e.name for e in installed_entry_points())])
    raise PartsError(f"unknown part {name!r} (known: {known}; or package.module:Class)")


def installed_entry_points() -> list[importlib.metadata.EntryPoint]:
    """The parts installed packages declare, ours shadowing any of the same name."""
    found = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    return sorted((e for e in found if e.name not in OUR_PARTS), key=lambda e: e.name)


def entry_point_part(entry: importlib.metadata.EntryPoint) -> Part:
    package = entry.dist.name if entry.dist is not None else "an installed package"
    try:
        loaded = entry.load()
    except Exception as error:
        raise PartsError(f"{entry.name} ({entry.value}, from {package}): {error}") from None
    return class_part(entry.name, loaded, origin=f"entry point of {package}")


def _import(path: str) -> Any:
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        raise PartsError(f"{path}: cannot import {module_name}: {error}") from None
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise PartsError(f"{path}: {module_name} has no {attribute!r}") from None


def class_part(name: str, cls: Any, origin: str) -> Part:
    """A part from someone else's class: a FrameProcessor or a user-turn strategy, placed by
    its own `placement` or, without one, by its kind (FrameProcessors go before the LLM)."""
    kind = _kind(cls)
    if kind is None:
        raise PartsError(f"{name}: {cls!r} is not a FrameProcessor or a user-turn strategy class")
    placement = placement_of(cls)
    movable = placement is None and kind == "processor"
    if placement is None:
        default_slot = {"processor": "before_llm", "start": "turn_start", "stop": "turn_stop"}
        placement = Placement(slot=default_slot[kind], description=_first_line(cls.__doc__))
    check_slot(name, kind, placement.slot)
    unknown = [need for need in placement.needs if need not in NEEDS]
    if unknown:
        raise PartsError(f"{name}: needs {', '.join(unknown)}; a part can need {', '.join(NEEDS)}")
    needs = placement.needs
    return Part(
        name, placement, lambda kit: cls(**kit.arguments(needs)), origin=origin, movable=movable
    )


def check_slot(name: str, kind: str, slot: str):
    """A processor goes in a processor slot, a strategy in the user aggregator's own."""
    if slot not in SLOTS:
        raise PartsError(f"{name}: no slot {slot!r} (slots: {', '.join(SLOTS)})")
    fits = {"processor": PROCESSOR_SLOTS, "start": ("turn_start",), "stop": ("turn_stop",)}[kind]
    if slot not in fits:
        what = {"processor": "a FrameProcessor", "start": "a turn-start strategy"}.get(
            kind, "a turn-stop strategy"
        )
        raise PartsError(f"{name} is {what}, so it cannot go in {slot} (it fits {', '.join(fits)})")


def kind_of(part: Part) -> str:
    return {"turn_start": "start", "turn_stop": "stop"}.get(part.slot, "processor")


def _kind(cls: Any) -> str | None:
    if not isinstance(cls, type):
        return None
    if issubclass(cls, FrameProcessor):
        return "processor"
    if issubclass(cls, BaseUserTurnStartStrategy):
        return "start"
    if issubclass(cls, BaseUserTurnStopStrategy):
        return "stop"
    return None


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().split("\n")[0]


def part_lines() -> list[str]:
    """Every known part, one line each, for `python bot.py --list-parts`."""
    rows: list[tuple[str, str, str]] = []
    for part in OUR_PARTS.values():
        rows.append((part.name, part.slot, _about(part)))
    for entry in installed_entry_points():
        try:
            part = entry_point_part(entry)
        except PartsError as error:
            rows.append((entry.name, "?", f"cannot be loaded: {error}"))
            continue
        rows.append((part.name, part.slot, _about(part)))
    rows.append(("package.module:Class", "before_llm", "any FrameProcessor, by import path"))
    width = max(len(name) for name, _, _ in rows)
    return [f"{name:<{width}}  {slot:<12}  {about}" for name, slot, about in rows]


def _about(part: Part) -> str:
    notes = [part.origin if not part.default else "default"]
    if part.placement.depends_on:
        notes.append(f"needs {', '.join(part.placement.depends_on)}")
    if part.placement.needs:
        notes.append(f"built from {', '.join(part.placement.needs)}")
    return f"{part.placement.description} ({'; '.join(notes)})"
