"""What a transcript says, whatever way Whisper spelled it.

Whisper writes one spoken phone number as "07911 123456", "O7911, 1, 2, 3, 4, 5, 6",
"oh seven nine one one..." or "all seven 9 1 1 1 2 3 456", and a name as "Sarah" or
"Sara". Tests that look for what was said (or for a leak of it) compare digits with
digits and words with words, never one spelling.
"""

import re

from rapidfuzz import fuzz

_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_REPEATED = re.compile(r"\b(double|triple)\s+(\w+)", re.IGNORECASE)
_DIGIT_WORD = re.compile(rf"(?<![a-z'])({'|'.join(_DIGIT_WORDS)})(?![a-z'])")
# A measurement in a log line (0.00019097328186035156 s), not anything said.
_LONG_DECIMAL = re.compile(r"(?<![\d.])\d{1,3}\.\d{7,}(?![\d.])")
# Digits with anything a transcript or a log puts between them ("07911 123-456",
# "4,111, 1111"); not after "#" or a letter, which make them an id ("Frame#4111").
_RUN = re.compile(r"(?<![\w#])\d(?:[\s,.()-]{0,3}\d)*(?![a-z])")
_WORD = re.compile(r"[a-z]+")


def as_digits(text: str) -> str:
    """`text` in lower case with every digit said in words written as a digit."""
    text = _REPEATED.sub(
        lambda m: " ".join([m[2]] * (2 if m[1].lower() == "double" else 3)), text
    ).lower()
    return _DIGIT_WORD.sub(lambda m: _DIGIT_WORDS[m[1]], text)


def digit_runs(text: str) -> list[str]:
    """Each run of digits in `text`, separators dropped, however the digits were spelled."""
    text = as_digits(_LONG_DECIMAL.sub(" ", text))
    return [re.sub(r"\D", "", run[0]) for run in _RUN.finditer(text)]


def shares_digits(run: str, number: str, length: int = 6) -> bool:
    """Whether `run` holds `length` digits in a row of `number`."""
    return any(run[i : i + length] in number for i in range(len(run) - length + 1))


def says_word(text: str, word: str, similarity: float = 85) -> bool:
    """Whether `text` holds `word` in any close spelling ("Sara", "Jonson", "Baker's")."""
    return any(fuzz.ratio(heard, word) >= similarity for heard in _WORD.findall(text.lower()))
