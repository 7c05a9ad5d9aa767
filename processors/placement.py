"""Where a pipeline part goes and what it needs: the place description a part carries.

The bot's pipeline is assembled from named parts (app/parts.py, docs/pipeline-parts.md).
A frame processor or a turn strategy says where it goes with a class attribute:

    class ProfanityFilter(FrameProcessor):
        placement = Placement(slot="after_stt", description="Masks swear words.")

A `FrameProcessor` subclass without one goes between the user aggregator and the
LLM (`before_llm`) and is built with no arguments. With `needs`, it is built with
those keyword arguments (`ProfanityFilter(settings=..., call=...)`).
"""

from dataclasses import dataclass
from typing import Literal, get_args

Slot = Literal[
    "after_input",
    "after_stt",
    "before_llm",
    "after_llm",
    "after_tts",
    "after_output",
    "turn_start",
    "turn_stop",
]
SLOTS: tuple[Slot, ...] = get_args(Slot)
"""Every slot, in pipeline order; the last two are the user aggregator's turn strategies."""
PROCESSOR_SLOTS: tuple[Slot, ...] = SLOTS[:6]
TURN_SLOTS: tuple[Slot, ...] = SLOTS[6:]

SLOT_PLACES: dict[Slot, str] = {
    "after_input": "after the input transport, before STT",
    "after_stt": "after STT, before the user aggregator",
    "before_llm": "between the user aggregator and the LLM",
    "after_llm": "after the LLM, before TTS",
    "after_tts": "after TTS, before the output transport",
    "after_output": "after the output transport and the assistant aggregator",
    "turn_start": "a user-turn start strategy of the user aggregator",
    "turn_stop": "a user-turn stop strategy of the user aggregator",
}

Need = Literal["settings", "call", "state", "context", "call_records"]
NEEDS: tuple[Need, ...] = get_args(Need)
"""What a part can ask of the call, each passed as the keyword argument of that name:
`settings` (settings.Settings), `call` (conversation.call.Call: the call's state and
redactor), `state` (the call's ConversationState), `context` (the LLMContext), and
`call_records` (the process's conversation.call_records.CallRecordStore)."""


@dataclass(frozen=True)
class Placement:
    """A part's place in the pipeline, what it needs from the call, and what it is for."""

    slot: Slot = "before_llm"
    description: str = ""
    needs: tuple[Need, ...] = ()
    depends_on: tuple[str, ...] = ()
    """Parts (by name) that must be in the pipeline, before this one."""


def placement_of(cls: type) -> Placement | None:
    """The place description a class carries, if any."""
    found = getattr(cls, "placement", None)
    return found if isinstance(found, Placement) else None
