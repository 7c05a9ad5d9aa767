"""What a stage's replay must do for the failover mixin (services/failover.py), and the
record of a switch: the contract between the mixin and each stage, kept apart from it."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from pipecat.frames.frames import Frame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

Push = Callable[[Frame], Awaitable[None]]
Probe = Callable[[FrameProcessor], Awaitable[bool]]
Outcome = Literal["first", "waiting"] | None
FIRST: Outcome = "first"
"""The turn's first result came out."""
WAITING: Outcome = "waiting"
"""The service started on the turn: its deadline runs from now."""


class Replay(Protocol):
    """What one stage keeps of a turn, and what it resends to the next service."""

    deadline_secs: float | None
    """The longest wait for a turn's first result before the service counts as failed."""
    idle_secs: float | None
    """After the first result: the longest quiet while the service still owes the turn
    more (`owes`) before it counts as failed."""
    interrupt_on_error: bool
    """Interrupt a service that failed with an error, to drop what it still holds."""

    @property
    def in_turn(self) -> bool:
        """A turn is under way: a switch now would cut into it."""

    def starts_turn(self, frame: Frame) -> bool:
        """Whether `frame` begins a new turn (whatever was under way is over)."""

    def on_input(self, frame: Frame, direction: FrameDirection) -> bool:
        """Sees each frame going to the active service; True when it starts the wait for a
        first result (the deadline starts then)."""

    def is_output(self, frame: Frame) -> bool:
        """Whether `frame`, coming out of a service, is the stage's result (what a failed
        service must no longer say)."""

    async def on_output(self, frame: Frame, push: Push) -> Outcome:
        """Pass on (or hold, or drop) a result of the active service; FIRST for the turn's
        first result, WAITING when the service has started on the turn."""

    def owes(self) -> bool:
        """After the turn's first result: whether the service still has to say more of it
        (the idle deadline runs only then)."""

    def swallows(self, frame: Frame) -> bool:
        """Whether `frame`, on its way out of the switcher upstream, is one the replay made
        (and so must go no further)."""

    def replay(self) -> list[tuple[Frame, FrameDirection]]:
        """What the next service needs to answer the turn that failed (none between turns),
        each with the direction it goes in."""


@dataclass
class Switch:
    """One switch: a failover, or a recovery to a service earlier in the chain."""

    stage: str
    kind: Literal["failover", "recovery"]
    from_service: str
    to_service: str
    reason: str
    at: float
    """`time.monotonic()` when it happened."""
    duration_secs: float
    """Failover: from the start of the failed attempt to the switch. Recovery: how long
    the service was off."""
    answered_secs: float | None = None
    """Failover during a turn: from the start of the failed attempt to the next service's
    first result."""
    quiet_secs: float | None = None
    """Failover in the middle of an answer (a drop, a stall): how long before the switch
    the failed service's last result came."""
