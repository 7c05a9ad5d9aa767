"""The LLM stage's chain: Claude, an OpenAI-compatible server, the on-device engine.

`LLMFailover` is Pipecat's `LLMSwitcher` (tools registered on every LLM, the
context's tools synced on all) with the failover of services/failover.py.
`LLMReplay` is what it resends: the turn's context, to the next LLM. So that
nothing is said twice, the reply is passed on a sentence at a time (the TTS
speaks whole sentences anyway): on a failure the unfinished sentence is
dropped, and a sentence the next LLM repeats is not passed on again. A tool
call the failed LLM already made is in the context the next one gets (and the
function-call gate returns its first result if it is made again).
"""

import asyncio
from collections.abc import Sequence

from pipecat.frames.frames import (
    Frame,
    InterruptionFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
)
from pipecat.pipeline.llm_switcher import LLMSwitcher
from pipecat.pipeline.service_switcher import ServiceSwitcherStrategyManual
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.services.llm_service import LLMService
from pipecat.utils.string import match_endofsentence

from services.failover import FailoverMixin
from services.failover_health import RecoveryPolicy
from services.failover_replay import FIRST, Outcome, Push


def _normal(sentence: str) -> str:
    return " ".join(sentence.lower().split())


class LLMReplay:
    """Keeps the turn's context; passes the reply on a sentence at a time."""

    interrupt_on_error = False
    """An LLM that failed with an error has ended its answer already."""

    def __init__(self, deadline_secs: float | None, idle_secs: float | None = None):
        self.deadline_secs = deadline_secs
        self.idle_secs = idle_secs
        self._context: LLMContext | None = None
        self._held = ""
        self._said: set[str] = set()
        self._started = False
        self._spaced = False
        self._in_turn = False
        self._direction = FrameDirection.DOWNSTREAM

    @property
    def in_turn(self) -> bool:
        return self._in_turn

    def starts_turn(self, frame: Frame) -> bool:
        return isinstance(frame, LLMContextFrame)

    def on_input(self, frame: Frame, direction: FrameDirection) -> bool:
        # A new turn comes from above; the answer after a tool result from the assistant
        # aggregator below.
        if isinstance(frame, LLMContextFrame):
            self._context, self._direction = frame.context, direction
            self._held, self._said, self._started, self._spaced = "", set(), False, False
            self._in_turn = True
            return True
        if isinstance(frame, InterruptionFrame):
            self._context, self._held, self._in_turn = None, "", False
        return False

    def owes(self) -> bool:
        """A reply under way owes the rest of it, up to its end."""
        return self._in_turn

    def swallows(self, frame: Frame) -> bool:
        return False

    def is_output(self, frame: Frame) -> bool:
        return isinstance(frame, (LLMTextFrame, LLMFullResponseStartFrame, LLMFullResponseEndFrame))

    async def on_output(self, frame: Frame, push: Push) -> Outcome:
        if isinstance(frame, LLMFullResponseStartFrame):
            if not self._started:
                self._started = True
                await push(frame)
            return None
        if isinstance(frame, LLMTextFrame):
            self._held += frame.text
            await self._release(push, final=False)
            return FIRST
        # The end of the response: what is held is whole now.
        await self._release(push, final=True)
        if not self._started:
            await push(LLMFullResponseStartFrame())
        await push(frame)
        self._in_turn = False
        return FIRST

    async def _release(self, push: Push, final: bool):
        while self._held:
            end = len(self._held) if final else match_endofsentence(self._held)
            if not end:
                return
            # Keep the spaces after a sentence with it, so sentences join as they came.
            while end < len(self._held) and self._held[end].isspace():
                end += 1
            sentence, self._held = self._held[:end], self._held[end:]
            key = _normal(sentence)
            if key and key in self._said:
                continue
            self._said.add(key)
            if self._spaced:
                sentence = sentence.lstrip()
            self._spaced = sentence[-1:].isspace()
            await push(LLMTextFrame(sentence))

    def replay(self) -> list[tuple[Frame, FrameDirection]]:
        """The same context again; the unfinished sentence of the failed reply is dropped."""
        self._held = ""
        if not self._in_turn or self._context is None:
            return []
        return [(LLMContextFrame(self._context), self._direction)]


class LLMFailover(FailoverMixin, LLMSwitcher):
    """`LLMSwitcher` that fails over mid-turn and replays the context; see the module."""

    def __init__(
        self,
        llms: Sequence[LLMService],
        *,
        names: Sequence[str],
        first_token_deadline_secs: float,
        idle_deadline_secs: float | None = None,
        policy: RecoveryPolicy | None = None,
        probe_timeout_secs: float = 5.0,
    ):
        """Args:
        llms: The chain, first choice first.
        names: Each LLM's provider name.
        first_token_deadline_secs: The longest wait for a turn's first token (or tool call)
            before the LLM counts as failed; it includes the SDK's own retries.
        idle_deadline_secs: After the first token, the longest quiet before the reply's
            end (a stream stalled mid-answer); None: no such deadline.
        policy: Probing and flapping of failed LLMs.
        probe_timeout_secs: The longest a probe may take.
        """

        async def probe(llm: FrameProcessor) -> bool:
            context = LLMContext(messages=[{"role": "user", "content": "Say OK."}])
            async with asyncio.timeout(probe_timeout_secs):
                return await llm.run_inference(context, max_tokens=5) is not None

        super().__init__(
            list(llms),
            stage="llm",
            names=names,
            replay=LLMReplay(first_token_deadline_secs, idle_deadline_secs),
            policy=policy,
            probe=probe,
            strategy_type=ServiceSwitcherStrategyManual,
        )
