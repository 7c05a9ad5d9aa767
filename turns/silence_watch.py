"""A silent caller is asked again, then told goodbye and hung up on.

Pipecat's user aggregator already times the caller's silence: `user_idle_timeout` on its
params (UserIdleController: the timer starts when the bot stops speaking, stops when anyone
speaks, pauses while a function call runs) fires `on_user_turn_idle`. This gives that event
its two answers, so no processor of ours watches the clock.
"""

from pipecat.frames.frames import EndWorkerFrame, TTSSpeakFrame, UserIdleTimeoutUpdateFrame
from pipecat.processors.aggregators.llm_response_universal import LLMUserAggregator

REPROMPT = "Are you still there? Take your time, I'm listening."
GOODBYE = "I haven't heard anything for a while, so I'll hang up now. Goodbye!"


class SilenceWatch:
    """Re-prompts after `reprompt_secs` of caller silence; after `hangup_secs` in all, says
    goodbye and ends the call once it is heard. Any caller turn starts it over."""

    def __init__(
        self,
        reprompt_secs: float,
        hangup_secs: float,
        reprompt: str = REPROMPT,
        goodbye: str = GOODBYE,
    ):
        """
        Args:
            reprompt_secs: Silence after the bot spoke before the caller is asked again;
                the user aggregator's `user_idle_timeout`.
            hangup_secs: Silence in all (the re-prompt's own speech aside) before goodbye.
            reprompt: What the bot says to a silent caller.
            goodbye: What it says before it hangs up.
        """
        if hangup_secs <= reprompt_secs:
            raise ValueError("hangup_secs must be longer than reprompt_secs")
        self.reprompt_secs = reprompt_secs
        self.hangup_secs = hangup_secs
        self._reprompt = reprompt
        self._goodbye = goodbye
        self.reprompted = False
        self.ended = False

    def attach(self, aggregator: LLMUserAggregator):
        """Answer the aggregator's idle events; it must run with `user_idle_timeout` set to
        `reprompt_secs`."""
        aggregator.add_event_handler("on_user_turn_idle", self.on_idle)
        aggregator.add_event_handler("on_user_turn_started", self.on_caller_spoke)

    async def on_idle(self, aggregator: LLMUserAggregator):
        if self.ended:
            return
        if not self.reprompted:
            self.reprompted = True
            # The next silence is timed from the end of the re-prompt.
            await aggregator.queue_frame(
                UserIdleTimeoutUpdateFrame(timeout=self.hangup_secs - self.reprompt_secs)
            )
            await aggregator.push_frame(TTSSpeakFrame(self._reprompt))
            return
        self.ended = True
        await aggregator.push_frame(TTSSpeakFrame(self._goodbye))
        # Downstream, behind the goodbye: the worker ends only after it is heard.
        await aggregator.push_frame(EndWorkerFrame(reason="the caller stayed silent"))

    async def on_caller_spoke(self, aggregator: LLMUserAggregator, *_):
        if self.reprompted and not self.ended:
            self.reprompted = False
            await aggregator.queue_frame(UserIdleTimeoutUpdateFrame(timeout=self.reprompt_secs))
