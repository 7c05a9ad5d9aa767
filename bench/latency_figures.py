"""The arithmetic of `bench.latency`'s figures, apart from the calls that produce them.

Times are `time.monotonic()` seconds, or seconds after the end of the caller's speech where
a name ends in `_s`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import median, quantiles

CLOUD_TIMINGS_S = {
    "deepgram_final_after_finalize": 0.25,
    "claude_first_token": 0.64,
    "cartesia_first_audio": 0.15,
}
"""The provider fakes' published timings (provider_fakes.faults.HEALTHY), in the order a turn
meets them."""


def p95(values: Sequence[float]) -> float | None:
    """The 95th percentile (Python's exclusive method, as every bench here reports it)."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return quantiles(values, n=20)[-1]


def answered_early(spoken: tuple[float, float], bot_events: Iterable[float]) -> bool:
    """Whether the bot answered before the caller's sentence ended: a turn end or audible
    bot audio (`bot_events`) after the sentence started and before it ended."""
    start, end = spoken
    return any(start <= at < end for at in bot_events)


def false_turn_end(
    spoken: tuple[float, float], bot_events: Iterable[float], turn_ends: int
) -> bool:
    """Whether a pipeline ended the caller's turn before the sentence was over: it answered
    before the end, or took the sentence as more than one turn (on a busy machine the answer
    to the first half can come after the second half is said; the sentence is split all the
    same)."""
    return answered_early(spoken, bot_events) or turn_ends > 1


@dataclass(frozen=True)
class Answer:
    """One turn as a pipeline handled it."""

    first_audio_s: float | None
    whole: bool
    """Answered once, after the caller had finished: no false turn end, one turn end."""

    @property
    def answered_whole(self) -> bool:
        return self.whole and self.first_audio_s is not None


def ratio_to_baseline(ours: Sequence[Answer], baseline: Sequence[Answer]) -> dict:
    """Our median first audio over the baseline's, on the turns (the same audio, paired by
    position) that both pipelines answered whole."""
    pairs = [
        (a.first_audio_s, b.first_audio_s)
        for a, b in zip(ours, baseline, strict=True)
        if a.answered_whole and b.answered_whole
    ]
    if not pairs:
        return {"ratio": None, "pairs": 0}
    our_median = median(a for a, _ in pairs)
    their_median = median(b for _, b in pairs)
    return {
        "ratio": round(our_median / their_median, 3),
        "pairs": len(pairs),
        "ours_median_s": round(our_median, 3),
        "baseline_median_s": round(their_median, 3),
    }


def cloud_overhead_ms(
    first_audio_s: float, vad_stop_s: float, services_s: Iterable[float]
) -> float:
    """The pipeline's own share of a turn's first audio: what is left once the VAD's stop and
    each service's configured time are taken off."""
    return round(1000 * (first_audio_s - vad_stop_s - sum(services_s)), 1)
