"""Holds a speculative reply's audio, not its text, until the caller's turn is confirmed.

Pipecat 1.14 speculates (a reply made before the turn end is confirmed) with a
`SpeculationGate` inside the LLM service: it holds the LLM's text, so the TTS only
starts once the turn is confirmed, and on the offline stack Piper's ~0.27 s to the first
audio stays on the caller's wait. This moves the hold after the TTS: the LLM lets the
speculative reply through, tagged (`PassingSpeculationGate`), the TTS synthesises it
while the turn end is confirmed, and `SpeculativeReplyHold` keeps its frames until the
turn end confirms it, or drops them when the caller goes on.

The LLM's gate still decides what is speculative, so Pipecat's own rules stand: a
speculative reply that wants a tool is withdrawn before the tool runs, and the context
only ever gets the confirmed turn.

Each speculation gets a number from one rising count. A verdict (the turn end that
confirms, a withdrawal or an interruption that voids) is tagged on its way past the LLM
with the count as it stands, so it settles every reply numbered up to it and none begun
after it. Only one speculation of a call is in flight at a time, so a verdict that
overtakes the reply it settles (system frames jump the queues) is remembered for the
reply when it arrives, and no member of a failover chain can miss it.
"""

from loguru import logger
from pipecat.frames.frames import (
    EagerEndOfTurnCancelFrame,
    EndFrame,
    Frame,
    InterruptionFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    SystemFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.services.llm_service import LLMService
from pipecat.turns.speculation_gate import GatedFrame, SpeculationGate

from processors.placement import Placement

SPECULATION = "speculation"
"""Metadata of a speculative reply's frames, from the LLM's start frame to its end: its
number (the hold acts on the start frame's)."""
CONFIRMED = "speculation_confirmed"
"""Metadata of a `UserStoppedSpeakingFrame`: it confirms the replies numbered up to this."""
WITHDRAWN = "speculation_withdrawn"
"""Metadata of a withdrawal or an interruption: it voids the replies numbered up to this."""

_issued = 0
"""The count of speculations begun in this process (every call, every LLM)."""


def _next_number() -> int:
    global _issued
    _issued += 1
    return _issued


class Verdicts:
    """The last verdict seen on a frame, and what it says of speculation number N: the one
    rule the hold and RTVI's events (app/speculative_events.py) both follow."""

    def __init__(self):
        self.last: tuple[int, bool] = (0, False)
        """Up to which speculation number, and confirmed (True) or void."""

    def note(self, frame: Frame) -> bool:
        """Take the verdict `frame` carries, if any; True when it is a new one."""
        for key, confirmed in ((CONFIRMED, True), (WITHDRAWN, False)):
            if key in frame.metadata and (frame.metadata[key], confirmed) != self.last:
                self.last = (frame.metadata[key], confirmed)
                return True
        return False

    def of(self, number: int) -> bool | None:
        """Whether speculation `number` was confirmed (True), voided (False), or neither yet."""
        upto, confirmed = self.last
        return confirmed if number <= upto else None


class PassingSpeculationGate(SpeculationGate):
    """The LLM's speculation gate, holding nothing: it tags the speculative reply and its
    verdict for `SpeculativeReplyHold`. `is_speculating` keeps Pipecat's meaning, so a
    speculative tool call is still withdrawn."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._number = 0
        self._replying: int | None = None
        """The number of the speculative reply going through, start to end."""

    def begin_speculation(self, speculation: bool):
        super().begin_speculation(speculation)
        if self._speculating:
            self._number = _next_number()

    def process(self, frame: Frame, direction: FrameDirection) -> list[GatedFrame]:
        if direction != FrameDirection.DOWNSTREAM:
            return [(frame, direction)]
        if isinstance(frame, (EagerEndOfTurnCancelFrame, InterruptionFrame)):
            frame.metadata[WITHDRAWN] = _issued
            self._speculating = False
        elif isinstance(frame, UserStoppedSpeakingFrame):
            frame.metadata[CONFIRMED] = _issued
            self._speculating = False
            self._turn_ended = True
        elif isinstance(frame, UserStartedSpeakingFrame):
            self._turn_ended = False
        elif isinstance(frame, LLMFullResponseStartFrame):
            self._replying = self._number if self._speculating else None
        if self._replying is not None and not isinstance(frame, SystemFrame):
            frame.metadata[SPECULATION] = self._replying
            if isinstance(frame, LLMFullResponseEndFrame):
                self._replying = None
        return [(frame, direction)]


def hold_after_tts(llm: object):
    """Give `llm` (or each LLM of a failover chain or switcher) a gate that lets its
    speculative replies through to `SpeculativeReplyHold`. Pipecat 1.14 keeps the gate in
    `LLMService._speculation_gate`; tests/test_speculative_reply.py checks it is there."""
    members = getattr(llm, "llms", None) or getattr(llm, "services", None) or [llm]
    for member in members:
        if isinstance(member, LLMService):
            member._speculation_gate = PassingSpeculationGate(name=f"{member}::SpeculationGate")


class SpeculativeReplyHold(FrameProcessor):
    """Keeps a speculative reply's frames (its audio included) until its turn is confirmed;
    drops them if the caller goes on. Counts both, for bench.latency."""

    placement = Placement(
        slot="after_tts",
        description="keeps a reply made before the caller's turn end was confirmed until it is; drops it if they go on",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._held: list[GatedFrame] = []
        self._holding: int | None = None
        self._dropping: int | None = None
        self._verdicts = Verdicts()
        self.discarded = 0
        self.released: set[int] = set()
        """The numbers of the speculative replies let through: a frame tagged with any
        other number was never heard."""

    @property
    def used(self) -> int:
        return len(self.released)

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if direction != FrameDirection.DOWNSTREAM:
            await self.push_frame(frame, direction)
        elif isinstance(frame, SystemFrame):
            await self.push_frame(frame, direction)  # the verdict first, then what it frees
            await self._settle(frame)
        elif isinstance(frame, EndFrame):
            await self._drop()
            await self.push_frame(frame, direction)
        elif isinstance(frame, LLMFullResponseStartFrame) and SPECULATION in frame.metadata:
            await self._start(frame, frame.metadata[SPECULATION])
        elif self._holding is not None:
            self._held.append((frame, direction))
        elif self._dropping is not None:
            if isinstance(frame, LLMFullResponseEndFrame):
                self._dropping = None
            elif not frame.interruptible:
                await self.push_frame(frame, direction)
        else:
            await self.push_frame(frame, direction)

    async def _start(self, frame: LLMFullResponseStartFrame, number: int):
        await self._drop()  # a new reply supersedes one still held
        verdict = self._verdicts.of(number)
        if verdict is None:  # not settled yet
            self._holding = number
            self._held.append((frame, FrameDirection.DOWNSTREAM))
        elif verdict:
            self.released.add(number)
            await self.push_frame(frame)
        else:
            self.discarded += 1
            self._dropping = number

    async def _settle(self, frame: SystemFrame):
        if self._verdicts.note(frame) and self._holding is not None:
            verdict = self._verdicts.of(self._holding)
            if verdict:
                await self._release()
            elif verdict is False:
                await self._drop()
        elif isinstance(frame, InterruptionFrame):
            await self._drop()

    async def _release(self):
        self.released.add(self._holding)
        held, self._held, self._holding = self._held, [], None
        logger.debug(f"{self}: speculative reply confirmed ({len(held)} frames)")
        for frame, direction in held:
            await self.push_frame(frame, direction)

    async def _drop(self):
        """Drop the reply held; what must outlive it (uninterruptible frames) goes on."""
        if self._holding is None:
            return
        held, self._held = self._held, []
        self._dropping = (
            None if any(isinstance(f, LLMFullResponseEndFrame) for f, _ in held) else self._holding
        )
        self._holding = None
        self.discarded += 1
        logger.debug(f"{self}: speculative reply dropped ({len(held)} frames)")
        for frame, direction in held:
            if not frame.interruptible:
                await self.push_frame(frame, direction)
