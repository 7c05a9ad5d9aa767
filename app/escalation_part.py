"""The escalation watch as a pipeline part: built only for the agents flow, which has an
escalation agent to hand the call to."""

from flows.escalation_monitor import EscalationMonitor
from processors.escalation_watch import EscalationWatch
from settings import Settings


def escalation_watch(settings: Settings) -> EscalationWatch | None:
    """The call's escalation watch; None unless `FLOW=agents` with a generative LLM."""
    if settings.flow != "agents" or settings.llm == "ondevice":
        return None
    return EscalationWatch(EscalationMonitor().observe)
