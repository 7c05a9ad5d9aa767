"""One call's pipeline, assembled from the services and the chosen parts, slot by slot.

input | after_input | stt | after_stt | user aggregator [turn_start, turn_stop]
  | before_llm | (caller audio stops) (a turn answered speculatively stops) llm | after_llm | tts | after_tts | output | assistant aggregator
  | after_output
"""

from dataclasses import dataclass

from pipecat.frames.frames import Frame, InputAudioRawFrame
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.filters.function_filter import FunctionFilter
from pipecat.processors.frame_processor import FrameProcessor

from app.part_choice import ChosenParts
from app.parts import CallKit
from processors.speculated_turn import SpeculatedTurnFilter
from turns.user_turn_params import user_turn_params


@dataclass
class Stages:
    """What every pipeline has, whatever its parts: the transport's two ends and the services."""

    input: FrameProcessor
    stt: FrameProcessor
    llm: FrameProcessor
    tts: FrameProcessor
    output: FrameProcessor


@dataclass
class Assembly:
    processors: list[FrameProcessor]
    aggregators: LLMContextAggregatorPair
    description: str
    """The pipeline in one line, slot by slot, as the log shows it."""


def assemble(chosen: ChosenParts, kit: CallKit, stages: Stages) -> Assembly:
    built: dict[str, list[tuple[str, object]]] = {}
    for part in chosen.parts:
        made = part.build(kit)
        if made is not None:  # e.g. segment_turn_stop without Whisper
            built.setdefault(part.slot, []).append((part.name, made))

    def slot(name: str) -> list:
        return [made for _, made in built.get(name, [])]

    params = user_turn_params(
        kit.settings, kit.turn_analyzer, start=slot("turn_start"), stop=slot("turn_stop")
    )
    aggregators = LLMContextAggregatorPair(kit.context, user_params=params)
    user_aggregator, assistant_aggregator = aggregators
    processors = [
        stages.input,
        *slot("after_input"),
        stages.stt,
        *slot("after_stt"),
        user_aggregator,
        caller_audio_stop(),
        *slot("before_llm"),
        SpeculatedTurnFilter(),
        stages.llm,
        *slot("after_llm"),
        stages.tts,
        *slot("after_tts"),
        stages.output,
        assistant_aggregator,
        *slot("after_output"),
    ]
    description = describe(built)
    if chosen.left_out:
        notes = ", ".join(f"{name}, which needs {missing}" for name, missing in chosen.left_out)
        description += f" (left out: {notes})"
    return Assembly(processors, aggregators, description)


async def _not_caller_audio(frame: Frame) -> bool:
    return not isinstance(frame, InputAudioRawFrame)


def caller_audio_stop() -> FunctionFilter:
    """Caller audio goes no further than the user aggregator: nothing after it uses it (the
    STT, the VAD and the turn strategies are upstream), and each of its 50 frames a second
    would cross some 30 more processors, every hop handed to every observer (bench/load.py:
    a third of the CPU of a call; the four processors before the LLM alone were a sixth of
    a call's frame hops)."""
    return FunctionFilter(_not_caller_audio, filter_system_frames=True)


def describe(built: dict[str, list[tuple[str, object]]]) -> str:
    """`pipeline: input | stt | user_aggregator[barge_in, segment_turn_stop] | ... `"""

    def names(slot: str) -> list[str]:
        return [name for name, _ in built.get(slot, [])]

    strategies = names("turn_start") + names("turn_stop")
    user = f"user_aggregator[{', '.join(strategies)}]" if strategies else "user_aggregator"
    stages = [
        ["input"],
        names("after_input"),
        ["stt"],
        names("after_stt"),
        [user],
        names("before_llm"),
        ["llm"],
        names("after_llm"),
        ["tts"],
        names("after_tts"),
        ["output"],
        ["assistant_aggregator"],
        names("after_output"),
    ]
    return "pipeline: " + " | ".join(", ".join(stage) for stage in stages if stage)
