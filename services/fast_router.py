"""Decides whether a caller's words are, with certainty, one of a few fixed requests.

The on-device engine (services/ondevice_llm.py) answers whatever window of the
words matches an intent best, because with no LLM behind it any answer beats
none. In front of an LLM the bar is the other way round: a wrong fixed answer
is worse than a slow right one. So a turn goes the fast way only when

- no veto word is in it (words that mean the caller wants more than a fixed
  reply: in a restaurant, "book", "my", "allergic");
- some window of it matches one of an intent's examples closely (fuzzy, so
  Whisper's "what time do you clothes" still counts);
- every other word is explained: by more of that intent's examples, by words
  the intent allows around them ("on Sunday" around "are you open"), by
  fillers ("please", "could you tell me"), or by a soft intent's examples
  (a greeting before a question);
- and no other intent explains it as well.

Anything left over ("can I book for Sunday, and what are your hours?") sends
the turn to the LLM. It knows no domain: the intents, fillers and vetoes come
from flows/.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from services.ondevice_llm import SHORT_EXAMPLE_CHARS, normalise

TO_THE_LLM = None


@dataclass(frozen=True)
class FastIntent:
    """A request a fixed reply answers, the ways callers say it, and what may surround it."""

    name: str
    examples: tuple[str, ...]
    may_also_say: tuple[str, ...] = ()
    """Words or phrases that may stand around an example without changing the request."""
    soft: bool = False
    """May come before another intent without changing it (a greeting): that one wins."""


@dataclass(frozen=True)
class Route:
    """Where a turn goes: `intent` None means to the LLM; `reason` says why, for the log."""

    intent: str | None
    score: float
    reason: str


@dataclass(frozen=True)
class _Candidate:
    intent: FastIntent
    score: float


@dataclass
class FastRouter:
    """Routes a caller's words to one fast intent, or to the LLM."""

    intents: Sequence[FastIntent]
    fillers: Iterable[str] = ()
    """Words or phrases that change no request ("please", "could you tell me")."""
    vetoes: Iterable[str] = ()
    """Words or phrases that send a turn to the LLM wherever they stand."""
    min_score: float = 88.0
    """How close (0-100, rapidfuzz ratio) a window must be to an example."""
    margin: float = 5.0
    """Two intents that explain the words within this many points: to the LLM."""
    _examples: list[tuple[FastIntent, tuple[str, ...]]] = field(init=False, repr=False)
    _fillers: frozenset[tuple[str, ...]] = field(init=False, repr=False)
    _vetoes: list[tuple[str, ...]] = field(init=False, repr=False)

    def __post_init__(self):
        self._examples = [
            (intent, tuple(normalise(example).split()))
            for intent in self.intents
            for example in intent.examples
        ]
        self._fillers = _phrases(self.fillers)
        self._vetoes = sorted(_phrases(self.vetoes), key=len, reverse=True)
        soft = [example for intent in self.intents if intent.soft for example in intent.examples]
        self._soft = _phrases(soft)
        self._allowed = {
            intent.name: _phrases(intent.may_also_say) | self._fillers for intent in self.intents
        }

    def route(self, text: str) -> Route:
        words = tuple(normalise(text).split())
        if not words:
            return Route(TO_THE_LLM, 0.0, "nothing said")
        veto = self._veto(words)
        if veto:
            return Route(TO_THE_LLM, 0.0, f"veto {' '.join(veto)!r}")
        candidates, partial = self._candidates(words)
        if not candidates:
            if partial is not None:
                return Route(TO_THE_LLM, partial.score, f"{partial.intent.name}, but more was said")
            return Route(TO_THE_LLM, 0.0, "no intent")
        firm = [c for c in candidates if not c.intent.soft] or candidates
        firm.sort(key=lambda c: c.score, reverse=True)
        best = firm[0]
        rival = next((c for c in firm[1:] if c.intent.name != best.intent.name), None)
        if rival is not None and best.score - rival.score < self.margin:
            return Route(
                TO_THE_LLM, best.score, f"{best.intent.name} or {rival.intent.name}: unsure"
            )
        return Route(best.intent.name, best.score, "certain")

    def _veto(self, words: tuple[str, ...]) -> tuple[str, ...] | None:
        for veto in self._vetoes:
            for start in range(len(words) - len(veto) + 1):
                if words[start : start + len(veto)] == veto:
                    return veto
        if any(any(c.isdigit() for c in word) for word in words):
            return ("a number",)
        return None

    def _candidates(self, words: tuple[str, ...]) -> tuple[list[_Candidate], _Candidate | None]:
        """The intents that explain every word, and the best one that explains only some."""
        full: list[_Candidate] = []
        partial: _Candidate | None = None
        for intent in self.intents:
            segments = self._segments(words, intent)
            if not segments:
                continue
            allowed = self._allowed[intent.name] | (frozenset() if intent.soft else self._soft)
            score = _explain(words, segments, allowed)
            if score is not None:
                full.append(_Candidate(intent, score))
                continue
            best = max(segments.values())
            if partial is None or best > partial.score:
                partial = _Candidate(intent, best)
        return full, partial

    def _segments(self, words: tuple[str, ...], intent: FastIntent) -> dict[tuple[int, int], float]:
        """(start, end) -> score of each window of the words that matches one of the intent's
        examples (windows one word shorter or longer than the example count too)."""
        found: dict[tuple[int, int], float] = {}
        for owner, example in self._examples:
            if owner is not intent:
                continue
            target, needed = " ".join(example), self._needed(example)
            for width in {max(1, len(example) - 1), len(example), len(example) + 1}:
                for start in range(len(words) - width + 1):
                    score = fuzz.ratio(" ".join(words[start : start + width]), target)
                    if score >= needed:
                        span = (start, start + width)
                        found[span] = max(found.get(span, 0.0), score)
        return found

    def _needed(self, example: tuple[str, ...]) -> float:
        # A short word is one edit away from another ("hey", "they"): it must be heard exactly.
        return 100.0 if len(" ".join(example)) <= SHORT_EXAMPLE_CHARS else self.min_score


def _phrases(items: Iterable[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(normalise(item).split()) for item in items if normalise(item))


def _explain(
    words: tuple[str, ...],
    segments: dict[tuple[int, int], float],
    allowed: frozenset[tuple[str, ...]],
) -> float | None:
    """Whether the words split wholly into example windows (at least one) and allowed
    phrases; the split's score is its weakest example window, and the best split counts.
    None: no such split."""
    longest = max((len(p) for p in allowed), default=0)
    # reach[i][used]: the best score with words[:i] explained, an example window used or not.
    reach: list[dict[bool, float]] = [{} for _ in range(len(words) + 1)]
    reach[0][False] = 101.0
    for start in range(len(words)):
        for used, score in list(reach[start].items()):
            for end in range(start + 1, min(len(words), start + longest) + 1):
                if words[start:end] in allowed:
                    _better(reach[end], used, score)
            for (begin, end), matched in segments.items():
                if begin == start:
                    _better(reach[end], True, min(score, matched))
    return reach[-1].get(True)


def _better(slot: dict[bool, float], used: bool, score: float):
    if score > slot.get(used, -1.0):
        slot[used] = score
