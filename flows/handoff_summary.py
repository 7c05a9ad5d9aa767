"""The few lines an agent is handed with the call, built from the typed state (no LLM call).

They say where the call stands: what the caller wants, the booking details they
gave (day, time, party size) and, for the name and phone, only that they were
given: the tools take those from the state, so the next agent's prompt need not
carry them. The free-text running summary is left out for the same reason: it is
made of the caller's words.
"""

from conversation.state import ConversationState
from flows.agents import AgentName

SHARED_SLOTS = ("day", "at", "party_size")
"""Slots whose values an agent is told: the booking's when and how many, nothing personal."""
GIVEN_ONLY = ("name", "phone")
"""Slots an agent is told only exist: the tools read them from the state."""
LABELS = {"day": "day", "at": "time", "party_size": "party size", "name": "name", "phone": "phone"}


def handoff_summary(
    state: ConversationState, source: AgentName, target: AgentName, reason: str = ""
) -> str:
    """One short paragraph for `target` on the call `source` hands over."""
    parts = [
        f"Handed over from {source.value.replace('_', ' ')} to {target.value.replace('_', ' ')}"
    ]
    parts[0] += f" ({reason})." if reason else "."
    if state.intent:
        parts.append(f"The caller wants: {state.intent}.")
    known = state.trusted(SHARED_SLOTS)
    if known:
        parts.append(
            "They said: "
            + "; ".join(f"{LABELS[s]} {known[s]}" for s in SHARED_SLOTS if s in known)
            + "."
        )
    given = [LABELS[s] for s in GIVEN_ONLY if s in state.trusted(GIVEN_ONLY)]
    if given:
        parts.append(
            f"They gave their {' and '.join(given)} (the tools have them): do not ask again."
        )
    parts.append(f"Caller turns so far: {state.turn}.")
    return " ".join(parts)


def staff_summary(state: ConversationState, why: str) -> str:
    """The paragraph the member of staff gets with the handoff: why, and where the booking
    stands; within the 300 characters a handoff reason keeps (flows/booking_arguments.py)."""
    parts = [why.rstrip(".") + "."]
    if state.intent:
        parts.append(f"Wants: {state.intent}.")
    known = state.trusted(SHARED_SLOTS)
    if known:
        parts.append("; ".join(f"{LABELS[s]} {known[s]}" for s in SHARED_SLOTS if s in known) + ".")
    parts.append(f"After {state.turn} caller turns")  # the handoff message adds the full stop
    return " ".join(parts)[:300]
