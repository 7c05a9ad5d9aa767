"""Whether the caller said yes or no to what the bot read back.

Pipecat has no notion of consent; the function-call gate asks this before it runs a
destructive call, and the on-device engine before it acts on an answer.
"""

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

AFFIRMATIONS = (
    "yes",
    "yeah",
    "yep",
    "yup",
    "sure",
    "correct",
    "confirm",
    "confirmed",
    "ok",
    "okay",
    "thats right",
    "thats it",
    "go ahead",
    "please do",
    "do it",
    "absolutely",
    "definitely",
    "of course",
    "perfect",
    "sounds good",
    "that works",
    "fine",
    "all right",
    "alright",
    "lovely",
    "great",
    "brilliant",
    "excellent",
    "wonderful",
    "fantastic",
    "exactly",
    "spot on",
    "book it",
    "go for it",
)
NEGATIONS = (
    "no",
    "nope",
    "not",
    "dont",
    "do not",
    "wait",
    "stop",
    "hold on",
    "cancel that",
    "never mind",
    "actually",
)
RESERVATIONS = (
    "but",
    "although",
    "though",
    "except",
    "apart from",
    "however",
    "one more",
    "should be",
    "let me ask",
    "let me check",
    "ask him",
    "ask her",
)
"""Words that take a yes back without saying no: "Yes, but can we make it 8?", "Perfect,
although could we do half 7?" agree to nothing read back."""


def _words(text: str) -> list[str]:
    """The answer's words; "U.S." first is a yes, as Whisper writes one said in some accents
    ("U.S. Please..." for "Yes, please.", espeak-ng's Lancaster voice, 3 Dec 2026)."""
    words = re.sub(r"[^a-z ]+", " ", text.lower().replace("'", "").replace("\u2019", "")).split()
    return ["yes", *words[2:]] if words[:2] == ["u", "s"] else words


def _says(words: list[str], phrases: Sequence[str], min_score: float = 90) -> bool:
    for phrase in phrases:
        size = len(phrase.split())
        for start in range(len(words) - size + 1):
            window = " ".join(words[start : start + size])
            # One-word phrases must be heard exactly: "no" is one letter from "so".
            if window == phrase or (size > 1 and fuzz.ratio(window, phrase) >= min_score):
                return True
    return False


def is_question(text: str) -> bool:
    """Whether the caller asked something (`QUESTION`)."""
    return QUESTION.search(text) is not None


def is_negative(text: str) -> bool:
    return _says(_words(text), NEGATIONS)


QUESTION = re.compile(
    r"^\W*(?:(?:so|and|oh|um|er|but|sorry|ok|okay|wait)\W+)*(?:where|what|when|why|how|who|which|"
    r"is it|is there|are there|are you|can you|could you|do you|does|did you|will it|would it)\b|"
    r"\w+\W+\w+\W+\w+[^?]*\?",
    re.IGNORECASE,
)
"""A question ("where are you exactly?", "is it ok to cancel this late, is there a fee?"): its
yes-words ("exactly", "ok") agree to nothing, unless it asks to go on (`GO_ON`)."""
GO_ON = ("yes", "yeah", "yep", "go ahead", "book it", "do it", "do that", "please do", "confirm")
"""Words that agree even inside a question: "Can you book it please?", "Yes, that's right?"."""


def is_affirmative(text: str) -> bool:
    """Whether the caller said yes, and nothing that takes it back."""
    words = _words(text)
    return (
        bool(words)
        and _says(words, AFFIRMATIONS)
        and not _says(words, NEGATIONS)
        and not _says(words, RESERVATIONS)
        and (not is_question(text) or _says(words, GO_ON))
    )
