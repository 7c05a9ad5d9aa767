"""A chain of services for one stage that fails over mid-turn and replays the turn.

What Pipecat lacks: `ServiceSwitcher` with `ServiceSwitcherStrategyFailover`
switches only when a service marks itself unusable (a permanent error), resends
nothing, and never notices a service that says nothing at all. `FailoverMixin`
adds, on top of `ServiceSwitcher` (which still routes frames to the active
service and owns the switch itself):

- detection: any non-fatal error of the active service but an application one
  (a refused connection, a 5xx or 429, a dropped stream: each is an ErrorFrame),
  a deadline for the first result of a turn (`Replay.deadline_secs`), and one
  for a stream that goes quiet after it (`Replay.idle_secs`: a stall mid-answer,
  which no error reports and the clients notice only after their own timeouts);
- replay: the stage's `Replay` keeps what the turn needs (the LLM context, the
  unspoken text, the turn's audio) and hands it to the next service, and it
  drops what a failed service says after the switch;
- recovery: a failed service is probed in the background with backoff
  (services/failover_health.py) and switched back to only between turns; one
  that flaps stays off for a cool-down;
- visibility: each switch and recovery is logged once with stage, reason and
  duration, kept in `switches`, and raised as `on_switch`; `on_answered` names
  the service that gave each turn its first result.

It knows no domain: the chain and its probes come from the stage factories.
"""

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from loguru import logger
from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    ErrorFrame,
    Frame,
    InterruptionFrame,
    ManuallySwitchServiceFrame,
    OutputTransportMessageUrgentFrame,
    StartFrame,
)
from pipecat.processors.filters.function_filter import FunctionFilter
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.utils.errors import ErrorCategory

from services.failover_health import RecoveryPolicy, ServiceHealth
from services.failover_replay import FIRST, WAITING, Probe, Push, Replay, Switch


class _OutputGate(FrameProcessor):
    """Sits after one service in its branch; hands its downstream frames to the switcher."""

    def __init__(self, switcher: "FailoverMixin", service: FrameProcessor):
        super().__init__(name=f"{service.name}::FailoverGate", enable_direct_mode=True)
        self._switcher = switcher
        self._service = service

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if direction == FrameDirection.DOWNSTREAM:
            await self._switcher._on_output(self._service, frame, self.push_frame)
        else:
            await self.push_frame(frame, direction)


class FailoverMixin:
    """Mixed into a `ServiceSwitcher` (or `LLMSwitcher`) in front of it; see the module."""

    def __init__(
        self,
        services: Sequence[FrameProcessor],
        *,
        stage: str,
        names: Sequence[str],
        replay: Replay,
        policy: RecoveryPolicy | None = None,
        probe: Probe | None = None,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ):
        """Args:
        services: The chain, first choice first.
        stage: "stt", "llm" or "tts", for logs and records.
        names: Each service's provider name, in the same order.
        replay: The stage's turn keeper.
        policy: When failed services are probed, and when they flap.
        probe: Checks that a failed service answers again; None: never recover.
        clock: For tests.
        """
        super().__init__(list(services), **kwargs)
        self.stage = stage
        self._names = dict(zip(services, names, strict=True))
        self._replay = replay
        self._policy = policy or RecoveryPolicy()
        self._probe = probe
        self._clock = clock
        self._health = {s: ServiceHealth(self._policy, clock) for s in services}
        self._deadline: asyncio.Task | None = None
        self._idle = False
        """The running deadline is the idle one (the turn's first result came)."""
        self._idle_until = 0.0
        """When the idle deadline expires: each result pushes it on, no new task."""
        self._probes: dict[FrameProcessor, asyncio.Task] = {}
        self._failed_this_turn: set[FrameProcessor] = set()
        self._attempt_started: float | None = None
        self._answered = False
        """The turn's first result came from the active service."""
        self._last_result = 0.0
        self._open_failover: Switch | None = None
        self.switches: list[Switch] = []
        self._register_event_handler("on_switch")
        self._register_event_handler("on_answered")

    # --- The branches: filter, service, our gate, filter ---------------------------

    def _make_pipeline_definitions(self, services, strategy) -> list[Any]:
        return [self._branch(service, strategy) for service in services]

    def _branch(self, service: FrameProcessor, strategy) -> list[FrameProcessor]:
        async def active(frame: Frame) -> bool:
            return self._routes_to(service, frame)

        def gate(direction: FrameDirection) -> FunctionFilter:
            return FunctionFilter(
                filter=active,
                direction=direction,
                filter_system_frames=True,
                enable_direct_mode=True,
            )

        return [
            gate(FrameDirection.DOWNSTREAM),
            service,
            _OutputGate(self, service),
            gate(FrameDirection.UPSTREAM),
        ]

    def _routes_to(self, service: FrameProcessor, frame: Frame) -> bool:
        """Whether `frame` goes into (or back out of) `service`'s branch: the active one's."""
        return service is self.strategy.active_service

    @property
    def active_name(self) -> str:
        return self._names[self.strategy.active_service]

    def healthy(self, name: str) -> bool:
        """Whether the service called `name` is up: it never failed, or answered a probe."""
        return any(self._health[s].healthy for s, n in self._names.items() if n == name)

    # --- Frames in, results out ------------------------------------------------------

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        if not self._replay.in_turn or self._replay.starts_turn(frame):
            self._failed_this_turn.clear()
            self._answered = False
            await self._maybe_recover()
        arm = self._replay.on_input(frame, direction)
        if isinstance(frame, InterruptionFrame):
            await self._cancel_deadline()
        await self._pass_in(frame, direction)
        if arm:
            self._attempt_started = self._clock()
            self._arm_deadline()
        elif self._idle or (self._deadline is None and self._answered):
            # New work for a service that is answering (the TTS's next sentence) restarts
            # its idle wait.
            self._watch_idle()

    async def _pass_in(self, frame: Frame, direction: FrameDirection):
        """Hand `frame` to the switcher: into every branch, the active one's lets it in; a
        message for the transport straight on.

        RTVI's messages to the page (transcripts, bot text, metrics: some 20 a second in a
        call) are urgent frames that no service reads: each went into every branch of each
        of the three switchers, through the active service and out of its branch, about
        ten hops a switcher, for the same frame to come out (half the frame pushes of a call,
        counted in bench/load.py's machinery). An urgent frame is for sending at once: it no
        longer waits in the active service's input queue behind other system frames.
        """
        if isinstance(frame, OutputTransportMessageUrgentFrame):
            await FrameProcessor.process_frame(self, frame, direction)
            await self.push_frame(frame, direction)
            return
        await super().process_frame(frame, direction)

    async def _on_output(self, service: FrameProcessor, frame: Frame, push: Push):
        if isinstance(frame, (StartFrame, EndFrame, CancelFrame)):
            await push(frame)
            return
        if service is not self.strategy.active_service:
            # What a service says after it was switched away from is never heard.
            if not (self._replay.is_output(frame) or isinstance(frame, InterruptionFrame)):
                await push(frame)
            return
        if not self._replay.is_output(frame):
            await push(frame)
            return
        self._last_result = self._clock()
        outcome = await self._replay.on_output(frame, push)
        if outcome == FIRST:
            await self._first_result()
        elif outcome == WAITING and (self._idle or self._deadline is None or self._deadline.done()):
            self._attempt_started = self._clock()
            self._arm_deadline()
            return
        if self._answered and (self._idle or self._deadline is None or self._deadline.done()):
            self._watch_idle()

    async def _first_result(self):
        await self._cancel_deadline()
        self._answered = True
        if self._open_failover is not None and self._attempt_started is not None:
            switch, self._open_failover = self._open_failover, None
            switch.answered_secs = self._clock() - switch.at + switch.duration_secs
            logger.info(
                f"failover {self.stage}: {switch.to_service} answered the turn "
                f"{switch.answered_secs:.2f} s after {switch.from_service}'s attempt began"
            )
        await self._call_event_handler("on_answered", self.active_name)

    # --- Detection ---------------------------------------------------------------------

    async def push_frame(self, frame: Frame, direction: FrameDirection = FrameDirection.DOWNSTREAM):
        if direction == FrameDirection.UPSTREAM and self._replay.swallows(frame):
            return
        if (
            isinstance(frame, ErrorFrame)
            and not frame.fatal
            and frame.processor in self._names
            and frame.category is not ErrorCategory.APPLICATION
        ):
            if frame.processor is not self.strategy.active_service:
                return
            if await self._fail(frame.processor, f"error: {frame.error}"):
                if self._replay.interrupt_on_error:
                    # Not awaited here: the error may come from the task an interruption cancels.
                    self.create_task(frame.processor.queue_frame(InterruptionFrame()), "interrupt")
                return
        await super().push_frame(frame, direction)

    def _arm_deadline(self, idle: bool = False):
        """Start the wait for the turn's first result, or (`idle`) for more of it."""
        secs = self._replay.idle_secs if idle else self._replay.deadline_secs
        if not idle:
            self._answered = False
        if self._deadline is not None and not self._deadline.done():
            self._deadline.cancel()
        self._deadline, self._idle = None, False
        if secs is None:
            return
        service = self.strategy.active_service
        self._deadline = self.create_task(self._expire(service, secs, idle), "failover_deadline")
        self._idle = idle

    def _watch_idle(self):
        """Restart the idle wait while the answering service owes more; else stop it."""
        if self._replay.idle_secs is None:
            return
        if self._replay.in_turn and self._replay.owes():
            self._idle_until = self._clock() + self._replay.idle_secs
            if not (self._idle and self._deadline is not None and not self._deadline.done()):
                self._arm_deadline(idle=True)
        elif self._idle:
            self._deadline.cancel()
            self._deadline, self._idle = None, False

    async def _expire(self, service: FrameProcessor, secs: float, idle: bool):
        await asyncio.sleep(secs)
        while idle and self._clock() < self._idle_until:
            await asyncio.sleep(self._idle_until - self._clock())
        if service is self.strategy.active_service and self._replay.in_turn:
            if idle:
                if not self._replay.owes() or self._next_service(service) is None:
                    return
                reason = f"stalled mid-answer: nothing for {secs:g} s"
            else:
                reason = f"no first result within {secs:g} s"
            if await self._fail(service, reason):
                # Stop whatever it is still doing; its late words are dropped anyway.
                await service.queue_frame(InterruptionFrame())

    async def _cancel_deadline(self):
        task, self._deadline, self._idle = self._deadline, None, False
        if task is not None and task is not asyncio.current_task() and not task.done():
            await self.cancel_task(task)

    # --- The switch ----------------------------------------------------------------------

    def _next_service(self, failed: FrameProcessor) -> FrameProcessor | None:
        """The first healthy service in chain order but `failed`, and none that already
        failed this turn (no ping-pong between two slow services)."""
        for service in self._names:
            if (
                service is not failed
                and service not in self._failed_this_turn
                and service.is_usable
                and self._health[service].healthy
            ):
                return service
        return None

    async def _fail(
        self,
        failed: FrameProcessor,
        reason: str,
        target: FrameProcessor | None = None,
        blame: bool = True,
    ) -> bool:
        """Switch away from `failed` (to `target`, or the next service) and replay the turn;
        False when no service is left (the last one standing is then kept, and its failure
        not held against it). Without `blame` the failure is not recorded against `failed`
        (no probing, no flapping): another service simply answered first."""
        target = target or self._next_service(failed)
        if target is None:
            logger.error(
                f"failover {self.stage}: {self._names[failed]} failed ({reason}); "
                "no other service is left"
            )
            return False
        health = self._health[failed]
        if blame:
            health.record_failure()
        if self._replay.in_turn:
            self._failed_this_turn.add(failed)
        await self._cancel_deadline()
        mid_answer, self._answered = self._answered, False
        now = self._clock()
        started = self._attempt_started if self._replay.in_turn else None
        switch = Switch(
            stage=self.stage,
            kind="failover",
            from_service=self._names[failed],
            to_service=self._names[target],
            reason=reason + (" (flapping: kept off for a cool-down)" if health.flapping else ""),
            at=now,
            duration_secs=now - started if started is not None else 0.0,
            quiet_secs=now - self._last_result if mid_answer and started is not None else None,
        )
        await self._switch_to(target, switch)
        self._open_failover = switch if started is not None else None
        if blame:
            self._start_probing(failed)
        await self._hand_over(target, now)
        return True

    async def _hand_over(self, target: FrameProcessor, now: float):
        """Give `target`, now active, what it needs to answer the turn, and its deadline."""
        frames = self._replay.replay()
        for frame, direction in frames:
            await super().process_frame(frame, direction)
        if frames:
            self._attempt_started = now
            self._arm_deadline()

    async def _switch_to(self, target: FrameProcessor, switch: Switch):
        await self.strategy.handle_frame(
            ManuallySwitchServiceFrame(service=target), FrameDirection.DOWNSTREAM
        )
        self.switches.append(switch)
        logger.warning(
            f"{switch.kind} {switch.stage}: {switch.from_service} -> {switch.to_service} "
            f"after {switch.duration_secs:.2f} s: {switch.reason}"
        )
        await self._call_event_handler("on_switch", switch)

    # --- Recovery --------------------------------------------------------------------------

    def _start_probing(self, service: FrameProcessor):
        if self._probe is None or service in self._probes:
            return
        self._probes[service] = self.create_task(self._probe_until_healthy(service), "probe")

    async def _probe_until_healthy(self, service: FrameProcessor):
        health = self._health[service]
        while not health.healthy:
            await asyncio.sleep(health.next_probe_in())
            try:
                ok = await self._probe(service)
            except Exception as error:  # a probe's failure is its answer
                logger.debug(f"failover {self.stage}: probe of {self._names[service]}: {error}")
                ok = False
            health.record_probe(ok)
        self._probes.pop(service, None)

    async def _maybe_recover(self):
        """Between turns: back to the first healthy service earlier in the chain."""
        active = self.strategy.active_service
        for service in self._names:
            if service is active:
                return
            health = self._health[service]
            if health.healthy and service.is_usable:
                off_since = health.failures[-1] if health.failures else self._clock()
                switch = Switch(
                    stage=self.stage,
                    kind="recovery",
                    from_service=self._names[active],
                    to_service=self._names[service],
                    reason="answered a probe",
                    at=self._clock(),
                    duration_secs=self._clock() - off_since,
                )
                await self._switch_to(service, switch)
                return

    async def cleanup(self):
        await self._cancel_deadline()
        for task in list(self._probes.values()):
            await self.cancel_task(task)
        self._probes.clear()
        await super().cleanup()
