"""A test LLM that follows a script: each inference says some text and/or calls tools.

It is a real `LLMService`, so tool registration, the function-call machinery,
the gate and the context aggregators all run as they do with Claude.
"""

import asyncio
import copy
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pipecat.frames.frames import (
    Frame,
    FunctionCallFromLLM,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.llm_service import LLMService

from services.ondevice_llm import fixed_llm_settings


@dataclass(frozen=True)
class Step:
    """One inference: text to say, then tool calls (name, arguments)."""

    text: str = ""
    calls: Sequence[tuple[str, dict[str, Any]]] = ()


Script = Sequence[Step | Callable[[list[dict]], Step]]
"""A step, or a function of the context messages returning one (to react to results)."""


class ScriptedLLM(LLMService):
    def __init__(self, script: Script, **kwargs):
        super().__init__(
            settings=fixed_llm_settings("scripted"),
            **kwargs,
        )
        self._steps = iter(script)
        self._left = len(script)
        self.finished = asyncio.Event()
        """Set once the script has run out and its last answer is out: a test can end then."""
        self._ids = itertools.count(1)
        self.seen: list[list[dict]] = []
        """The context messages of each inference."""

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame):
            await self._infer(frame.context)
        else:
            await self.push_frame(frame, direction)

    async def _infer(self, context: LLMContext):
        messages = copy.deepcopy(context.get_messages())
        self.seen.append(messages)
        step = next(self._steps, Step())
        self._left = max(0, self._left - 1)
        if callable(step):
            step = step(messages)
        await self.push_frame(LLMFullResponseStartFrame())
        if step.text:
            await self._push_llm_text(step.text)
        if step.calls:
            await self.run_function_calls(
                [
                    FunctionCallFromLLM(
                        function_name=name,
                        tool_call_id=f"call-{next(self._ids)}",
                        arguments=arguments,
                        context=context,
                    )
                    for name, arguments in step.calls
                ]
            )
        await self.push_frame(LLMFullResponseEndFrame())
        if self._left == 0 and not step.calls:
            self.finished.set()
