"""The faults a provider fake can be scripted to show, and the timings of a healthy one.

A `Fault` is generic; each fake says what it means on its wire (HTTP status,
websocket close, SSE event). `Faults` picks the fault, if any, for the n-th
request (LLM) or generation (TTS) or utterance (STT) of a call, so a fault can
be placed at any moment.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["refuse", "500", "429", "stall", "drop", "trickle", "malformed"]
FAULT_KINDS: tuple[FaultKind, ...] = (
    "refuse",
    "500",
    "429",
    "stall",
    "drop",
    "trickle",
    "malformed",
)


@dataclass(frozen=True)
class Fault:
    """One misbehaviour of a provider.

    - refuse: the connection is closed before any answer (no HTTP response, no handshake);
    - 500, 429: an HTTP error with the provider's error body (the handshake, for websockets);
    - stall: nothing for `stall_secs` before the first byte, then a normal answer; with
      `stall_after`, the first that many tokens/audio chunks come first (a stall mid-answer;
      LLM and TTS fakes);
    - drop: the stream starts, `after` tokens/frames come, then the connection drops;
    - trickle: every piece comes `trickle_secs` after the last one;
    - malformed: the answer is not the provider's format.
    """

    kind: FaultKind
    stall_secs: float = 30.0
    after: int = 1
    trickle_secs: float = 1.0
    stall_after: int = 0


@dataclass(frozen=True)
class Timing:
    """When a healthy fake answers."""

    first_token_secs: float = 0.0
    """LLM: from the request to its first text token."""
    first_audio_secs: float = 0.0
    """TTS: from a generation request to its first audio chunk."""
    final_secs: float = 0.0
    """STT: from the client's Finalize to the final transcript."""


HEALTHY = Timing(first_token_secs=0.64, first_audio_secs=0.15, final_secs=0.25)
"""Published medians: Claude's first token, Cartesia's first audio, Deepgram's final after finalize."""
INSTANT = Timing()


class Faults:
    """Which fault the n-th request (0-based) meets: a mapping, or a function of n."""

    def __init__(self, plan: Mapping[int, Fault] | Callable[[int], Fault | None] | None = None):
        self._plan = plan
        self.count = 0
        """Requests seen so far."""

    def next(self) -> Fault | None:
        """The fault for the next request, counting it."""
        index, self.count = self.count, self.count + 1
        if self._plan is None:
            return None
        if callable(self._plan):
            return self._plan(index)
        return self._plan.get(index)
