"""Offers the caller a person when an escalation monitor (flows/escalation_monitor.py) says so.

It sits between the user aggregator and the LLM, where every context the LLM will
answer passes: the caller's turns, the bot's replies and the tools' results are
all in it. When the monitor fires, the watch hands the call to the escalation
agent (`on_trigger`). With a generative LLM that sets the agents flow's
escalation node, whose own LLM run answers the same turn, so the context is not
passed on: the caller hears one reply, the offer of a person, not two. Offline
the on-device brain answers the context it is passed as the escalation agent
(flows/ondevice_agents.py).
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from loguru import logger
from pipecat.frames.frames import Frame, LLMContextFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from processors.placement import Placement

Monitor = Callable[[Sequence[Any]], str | None]
"""The context's messages -> why to offer a person now, or None (the rule lives in flows/)."""
OnTrigger = Callable[[str], Awaitable[bool]]
"""Hands the call to escalation; True when that answers the turn itself (the context is held
back), False when the context goes on to the LLM (escalation has the call already, or the
on-device brain answers it as escalation)."""


class EscalationWatch(FrameProcessor):
    """Feeds each context to a monitor; when it gives a reason, calls `on_trigger`."""

    placement = Placement(
        slot="before_llm",
        description="offers a person when the caller asks, is fed up, or the bot or tools fail",
    )

    def __init__(self, monitor: Monitor, **kwargs):
        """
        Args:
            monitor: The call's rule, e.g. `EscalationMonitor().observe`.
            **kwargs: FrameProcessor's.
        """
        super().__init__(**kwargs)
        self.monitor = monitor
        self.on_trigger: OnTrigger | None = None
        """Set once the flow is running (flows/booking_session.py); until then the watch
        only watches."""

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        # A speculative context too (a reply made before the turn end is confirmed,
        # turns/turn_end_floor.py): the reply made for it must be escalation's, and its
        # confirmed twin does not reach the LLM.
        if isinstance(frame, LLMContextFrame) and direction == FrameDirection.DOWNSTREAM:
            trigger = self.monitor(frame.context.get_messages())
            if trigger and self.on_trigger is not None:
                logger.info(f"escalation: {trigger}")
                if await self.on_trigger(trigger):
                    return
        await self.push_frame(frame, direction)
