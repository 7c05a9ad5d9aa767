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
from collections.abc import Awaitable, Callable, Sequence

from loguru import logger
from pipecat.frames.frames import (
    ErrorFrame,
    Frame,
    InterruptionFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    UserStoppedSpeakingFrame,
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
        self._speculative = False
        """The turn's context frame was speculative (made before the caller's turn end was
        confirmed), and no turn end has passed since: a replay or a hedge is too."""
        self._metadata: dict = {}
        """The last text frame's metadata, carried to the sentences made from it (a
        speculative reply's frames are tagged, processors/speculative_reply_hold.py)."""
        self._skip_tts = False
        """The last text frame's `skip_tts` (a text-only call's replies are not spoken)."""

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
            self._in_turn, self._speculative = True, frame.speculation
            return True
        if isinstance(frame, InterruptionFrame):
            self._context, self._held, self._in_turn = None, "", False
        if isinstance(frame, UserStoppedSpeakingFrame):
            self._speculative = False
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
            self._metadata = dict(frame.metadata)
            self._skip_tts = frame.skip_tts
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
            text = LLMTextFrame(sentence)
            text.metadata.update(self._metadata)
            text.skip_tts = self._skip_tts
            await push(text)

    def hedge(self) -> list[tuple[Frame, FrameDirection]]:
        """The request's context for a second LLM alongside (nothing held is dropped)."""
        if not self._in_turn or self._context is None:
            return []
        return [(self._context_frame(), self._direction)]

    def replay(self) -> list[tuple[Frame, FrameDirection]]:
        """The same context again; the unfinished sentence of the failed reply is dropped."""
        self._held = ""
        if not self._in_turn or self._context is None:
            return []
        return [(self._context_frame(), self._direction)]

    def _context_frame(self) -> LLMContextFrame:
        return LLMContextFrame(self._context, speculation=self._speculative)


class LLMFailover(FailoverMixin, LLMSwitcher):
    """`LLMSwitcher` that fails over mid-turn and replays the context; see the module.

    Added to the failover: a hedge. When the active LLM has given no first
    result (a token or a tool call) `hedge_secs` after a request, the next
    generative LLM of the chain (`hedge_to`) starts on the same context
    alongside, without a switch. The first to produce anything wins: the hedge,
    and it is a failover; the active LLM, and the hedge is interrupted. The
    loser's output never leaves the switcher, and its tool calls never run:
    Pipecat runs a tool inside the LLM that asked for it, so each LLM's
    `run_function_calls` asks the switcher first, which decides the winner
    before any handler starts.
    """

    def __init__(
        self,
        llms: Sequence[LLMService],
        *,
        names: Sequence[str],
        first_token_deadline_secs: float,
        idle_deadline_secs: float | None = None,
        hedge_secs: float | None = None,
        hedge_to: Sequence[str] = (),
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
        hedge_secs: From a request, when the next LLM starts on it alongside; None: never.
        hedge_to: The names of the LLMs a hedge may start (generative ones: the
            on-device engine takes a call over only by a switch).
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
        self._hedge_secs = hedge_secs
        self._hedge_to = {llm for llm, name in zip(llms, names, strict=True) if name in hedge_to}
        self._hedge_timer: asyncio.Task | None = None
        self._hedging: FrameProcessor | None = None
        """The LLM given this request's context alongside the active one."""
        self._hedge_frames: set[int] = set()
        self._winner: FrameProcessor | None = None
        """While hedging: the LLM whose output came first (set before anything is awaited)."""
        self._adopting: FrameProcessor | None = None
        self._passing: set[int] = set()
        """A reply made above the switcher (the fast path's) on its way through the active
        LLM: not the LLM's output, so it passes as it came."""
        for llm in llms:
            _guard_tool_calls(llm, self._may_call_tools)

    def _routes_to(self, service: FrameProcessor, frame: Frame) -> bool:
        if frame.id in self._hedge_frames:
            return service is self._hedging
        if isinstance(frame, ErrorFrame) and service is self._hedging:
            return True  # the switcher must hear a hedge fail
        return super()._routes_to(service, frame)

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        if self._replay.starts_turn(frame) or isinstance(frame, InterruptionFrame):
            await self._end_hedge(interrupt=True)
            self._winner = None
        if isinstance(frame, InterruptionFrame):
            self._passing.clear()
        elif direction == FrameDirection.DOWNSTREAM and self._replay.is_output(frame):
            self._passing.add(frame.id)
        await super().process_frame(frame, direction)

    def _arm_deadline(self, idle: bool = False):
        super()._arm_deadline(idle)
        self._stop_hedge_timer()
        if not idle and self._hedge_secs is not None and self._deadline is not None:
            active = self.strategy.active_service
            self._hedge_timer = self.create_task(self._hedge_after(active), "llm_hedge")

    def _stop_hedge_timer(self):
        timer, self._hedge_timer = self._hedge_timer, None
        if timer is not None and timer is not asyncio.current_task() and not timer.done():
            timer.cancel()

    async def _hedge_after(self, active: FrameProcessor):
        await asyncio.sleep(self._hedge_secs)
        self._hedge_timer = None
        target = self._next_service(active)
        if (
            active is not self.strategy.active_service
            or self._answered
            or self._hedging is not None
            or target not in self._hedge_to
            or not self._replay.in_turn
        ):
            return
        frames = self._replay.hedge()
        if not frames:
            return
        self._hedging, self._winner = target, None
        self._hedge_frames = {frame.id for frame, _ in frames}
        logger.info(
            f"failover llm: no first result {self._hedge_secs:g} s after the request; "
            f"{self._names[target]} answers it alongside {self._names[active]}"
        )
        for frame, direction in frames:
            await LLMSwitcher.process_frame(self, frame, direction)

    async def _may_call_tools(self, llm: FrameProcessor) -> bool:
        """Whether `llm` may run the tool calls it asked for: yes unless it lost a hedge."""
        if self._hedging is None:
            return self._winner is None or self._winner is llm
        await self._first_out(llm)
        return self._winner is llm

    async def _first_out(self, llm: FrameProcessor):
        """While hedging, `llm` produced something: the first to do so wins."""
        if self._winner is not None or llm not in (self._hedging, self.strategy.active_service):
            return
        self._winner = llm
        if llm is self._hedging:
            await self._adopt(llm)
        else:
            await self._end_hedge(interrupt=True)

    async def _adopt(self, hedge: FrameProcessor):
        primary = self.strategy.active_service
        self._hedging, self._hedge_frames, self._adopting = None, set(), hedge
        self._stop_hedge_timer()
        try:
            reason = f"no first result; {self._names[hedge]}'s came first"
            switched = await self._fail(primary, reason, target=hedge)
        finally:
            self._adopting = None
        if switched:
            # Stop its request; whatever it says later is dropped anyway.
            await primary.queue_frame(InterruptionFrame())

    async def _end_hedge(self, interrupt: bool):
        self._stop_hedge_timer()
        hedge, self._hedging, self._hedge_frames = self._hedging, None, set()
        if hedge is not None and interrupt and hedge is not self.strategy.active_service:
            await hedge.queue_frame(InterruptionFrame())

    async def _hand_over(self, target: FrameProcessor, now: float):
        # From now on only `target` may run tool calls in this request.
        self._winner = target
        if target is self._adopting or target is self._hedging:
            # It has the request already (a hedge): only its deadline starts.
            self._hedging, self._hedge_frames = None, set()
            self._attempt_started = now
            self._arm_deadline()
            return
        await super()._hand_over(target, now)

    async def _on_output(self, service: FrameProcessor, frame: Frame, push: Push):
        if frame.id in self._passing:
            self._passing.discard(frame.id)
            await push(frame)
            return
        if (
            self._hedging is not None
            and isinstance(frame, LLMTextFrame)
            and frame.text
            and service in (self._hedging, self.strategy.active_service)
        ):
            await self._first_out(service)
        await super()._on_output(service, frame, push)

    async def push_frame(self, frame: Frame, direction: FrameDirection = FrameDirection.DOWNSTREAM):
        if isinstance(frame, ErrorFrame) and frame.processor is not None:
            if frame.processor is self._hedging:
                # A hedge that fails is dropped; a switch later replays the context to the next.
                logger.warning(f"failover llm: the hedge {self._names[self._hedging]} failed")
                self._failed_this_turn.add(self._hedging)
                self._hedging, self._hedge_frames = None, set()
                return
        await super().push_frame(frame, direction)

    async def cleanup(self):
        await self._end_hedge(interrupt=False)
        await super().cleanup()


def _guard_tool_calls(llm: LLMService, allowed: Callable[[LLMService], Awaitable[bool]]):
    """Makes `llm` ask `allowed` before it runs the tool calls of a response."""
    run = llm.run_function_calls

    async def run_function_calls(function_calls):
        if function_calls and not await allowed(llm):
            logger.info(f"failover llm: {llm.name}'s tool calls dropped: another LLM answered")
            return
        await run(function_calls)

    llm.run_function_calls = run_function_calls
