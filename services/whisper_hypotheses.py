"""Whisper's runner-up transcripts, offered to a caller-supplied choice.

faster-whisper's beam search (beam 5) keeps several hypotheses but returns only the one
with the best score. Where the best misheard a word that the next one has right ("a
table for free" / "a table for three"), the application may know better which to take.
CTranslate2's Whisper returns up to `beam_size` hypotheses with their scores
(`num_hypotheses`, `return_scores`); faster-whisper 1.2 does not pass these on, so
`NBestWhisper` wraps the CTranslate2 model under a faster-whisper model: inside
`choosing(n, choose)`, each beam-search decode asks for `n` hypotheses, and `choose`
picks the one faster-whisper goes on with (its timestamps, segments and fallback
checks all run on the chosen one). Sampling passes (temperature > 0) are left alone.

Whisper decodes one 30 s window at a time, so `choose` sees one window's hypotheses:
for a caller's turn, the whole turn. Nothing here knows what the words mean.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

Chooser = Callable[[Sequence[tuple[str, float]]], int]
"""Given (text, score) best first (a score is the mean log-probability of a token), the
index of the hypothesis to keep."""


@dataclass(frozen=True)
class _Choice:
    hypotheses: int
    choose: Chooser
    beam_size: int | None = None
    decode: Callable[[list[int]], str] | None = None


_CHOICE: ContextVar[_Choice | None] = ContextVar("whisper_choice", default=None)


@contextmanager
def choosing(
    hypotheses: int, choose: Chooser | None, beam_size: int | None = None
) -> Iterator[None]:
    """Transcriptions in this context (and threads started from it with its context, as
    `asyncio.to_thread`) keep the hypothesis `choose` picks of `hypotheses`; with fewer
    than 2 or no `choose`, the best, as faster-whisper does. `beam_size`: a wider beam
    than faster-whisper's for these decodes (None: its own)."""
    if hypotheses < 2 or choose is None:
        yield
        return
    token = _CHOICE.set(_Choice(hypotheses, choose, beam_size))
    try:
        yield
    finally:
        try:
            _CHOICE.reset(token)
        except ValueError:  # closed from another context: that one never had it set
            pass


@contextmanager
def decoding_with(decode: Callable[[list[int]], str]) -> Iterator[None]:
    """Inside `choosing`: how token ids become text for the decode under way."""
    choice = _CHOICE.get()
    if choice is None:
        yield
        return
    token = _CHOICE.set(_Choice(choice.hypotheses, choice.choose, choice.beam_size, decode))
    try:
        yield
    finally:
        _CHOICE.reset(token)


@dataclass(frozen=True)
class ChosenResult:
    """One CTranslate2 Whisper result with the chosen hypothesis first, as faster-whisper
    reads it (`sequences_ids[0]`, `scores[0]`, `no_speech_prob`)."""

    sequences_ids: list[list[int]]
    scores: list[float]
    no_speech_prob: float
    sequences: list[list[str]]


def chosen_result(result, choice: _Choice) -> ChosenResult | object:
    """`result` reordered so the hypothesis `choice.choose` picks comes first."""
    ids, scores = list(result.sequences_ids), list(result.scores)
    if len(ids) < 2 or choice.decode is None:
        return result
    texts = [choice.decode(tokens) for tokens in ids]
    picked = choice.choose(list(zip(texts, scores, strict=True)))
    if not 0 <= picked < len(ids):
        picked = 0
    order = [picked] + [i for i in range(len(ids)) if i != picked]
    sequences = list(getattr(result, "sequences", []) or [[] for _ in ids])
    return ChosenResult(
        sequences_ids=[ids[i] for i in order],
        scores=[scores[i] for i in order],
        no_speech_prob=result.no_speech_prob,
        sequences=[sequences[i] for i in order] if len(sequences) == len(ids) else sequences,
    )


class NBestWhisper:
    """A CTranslate2 Whisper whose beam-search `generate` returns, inside `choosing`,
    the chosen of several hypotheses first. Everything else is the wrapped model's."""

    def __init__(self, model):
        """
        Args:
            model: The `ctranslate2.models.Whisper` faster-whisper loaded.
        """
        self._model = model

    def __getattr__(self, name):
        return getattr(self._model, name)

    def generate(self, *args, **kwargs):
        choice = _CHOICE.get()
        beam = kwargs.get("beam_size", 1)
        if choice is None or choice.decode is None or beam < 2 or "sampling_temperature" in kwargs:
            return self._model.generate(*args, **kwargs)
        beam = kwargs["beam_size"] = choice.beam_size or beam
        kwargs["num_hypotheses"] = min(choice.hypotheses, beam)
        kwargs["return_scores"] = True
        results = self._model.generate(*args, **kwargs)
        return [chosen_result(result, choice) for result in results]
