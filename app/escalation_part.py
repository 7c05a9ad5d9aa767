"""The escalation watch as a pipeline part: built only with `FLOW=agents`, which has an
escalation agent to hand the call to (in the flow, or offline in the on-device brain)."""

from flows.escalation_monitor import EscalationMonitor
from processors.escalation_watch import EscalationWatch
from settings import Settings


def escalation_watch(settings: Settings) -> EscalationWatch | None:
    """The call's escalation watch; None unless `FLOW=agents`."""
    if settings.flow != "agents":
        return None
    return EscalationWatch(EscalationMonitor().observe)
