"""Personal data out of transcripts and log lines: phone numbers, e-mail addresses, card
numbers, street addresses and names.

Pipecat has no generic redaction (only provider flags such as Deepgram's
`redact`), so this module does it for every provider. Libraries do what they
are good at: `phonenumbers.PhoneNumberMatcher` finds phone numbers in running
text, `stdnum.luhn` tells a card number from any long number. Patterns cover
what they miss: e-mail addresses (written and spoken), numbers said digit by
digit, street addresses and postcodes, and names after a cue ("my name is",
"under the name"). Names said with no cue are caught once the call knows
them (`remember`) or when the caller was just asked for one (`answering`).
"""

import re
import threading
from collections.abc import Iterable
from typing import Any

import phonenumbers
from stdnum import luhn

PHONE = "[PHONE]"
EMAIL = "[EMAIL]"
CARD = "[CARD]"
ADDRESS = "[ADDRESS]"
NAME = "[NAME]"
NUMBER = "[NUMBER]"
REDACTED = "[REDACTED]"

PERSONAL_SLOTS = {"name": NAME, "phone": PHONE, "email": EMAIL, "address": ADDRESS, "card": CARD}
"""Slots whose values are personal data, and what replaces them."""
PERSONAL_FIELDS = {
    **PERSONAL_SLOTS,
    "spoken_phone": PHONE,
    "phone_number": PHONE,
    "full_name": NAME,
    "email_address": EMAIL,
}
"""Fields of tool arguments and results that hold personal data."""

# Linear on hostile text: each pattern starts only where a run of its characters
# starts (a lookbehind, not `\b`, which matches inside "a.b.c"), and every repeat
# that could be split more than one way ("xdotxdot...") is bounded. A 10 kB log
# line of any shape is redacted in milliseconds (tests/test_redaction_redos.py).
_LOCAL = r"(?<![\w.+-])[\w.+-]{1,64}"
_LABEL = r"[\w-]{1,63}"
_EMAIL = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL}){{1,8}}")
_TLD = r"(?:com|net|org|co|uk|io|de|fr|ie|edu|gov|info|me)\b"
_SPOKEN_EMAIL = re.compile(
    rf"(?<![\w.-])[\w.-]{{1,64}}(?:\s{{1,3}}(?:dot|underscore|dash|hyphen)\s{{1,3}}{_LABEL}){{0,6}}"
    rf"\s{{1,3}}at\s{{1,3}}{_LABEL}(?:\s{{1,3}}dot\s{{1,3}}{_LABEL}){{0,4}}\s{{1,3}}dot\s{{1,3}}{_TLD}",
    re.IGNORECASE,
)
# What Whisper makes of a spoken address: "sarah.johnsonatexample.com", "sarah at example.com".
# Only the last "dot" may be glued to the words around it ("exampledotcom"): a glued
# "dot" earlier is part of a label, so a label splits one way only.
_HEARD_EMAIL = re.compile(
    rf"{_LOCAL}?\s{{0,3}}(?:@|at)\s{{0,3}}{_LABEL}(?:(?:\s{{0,3}}\.\s{{0,3}}|\s{{1,3}}dot\s{{1,3}}){_LABEL}){{0,4}}?"
    rf"\s{{0,3}}(?:\.|dot)\s{{0,3}}{_TLD}",
    re.IGNORECASE,
)
_A_DIGIT = re.compile(r"\d")
_CARD_CANDIDATE = re.compile(r"(?<![\w.])\d(?:[\s,-]{0,2}\d){12,18}(?!\w|\.\d)")
# A long run of digits, whatever it is (a phone number the matcher did not
# accept, an account number, digits heard as "4,111, 1111"). Decimals are left alone:
# they are measurements.
# Whisper writes a spoken "oh" as the letter too: "It's O7911, 1, 2, 3".
_DIGIT_RUN = re.compile(r"(?<![\w.])\(?\+?(?:[Oo][\s,-]?)?\d(?:[\s(),-]*\d){6,}(?!\w|\.\d)")
_DIGIT_WORD = r"(?:zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine|double|triple|\d)"
_SPOKEN_DIGITS = re.compile(rf"\b{_DIGIT_WORD}(?:[\s,.-]+{_DIGIT_WORD}){{6,}}\b", re.IGNORECASE)
# Dates, times and ids look like digit runs; they are not personal, and the state needs them.
_NOT_PERSONAL = re.compile(
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?)?"
)

_NUMBER_WORDS = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?:one|two|three|four"
    r"|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
)
_STREET_SUFFIX = (
    r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|court|ct|place|pl|crescent"
    r"|boulevard|blvd|terrace|gardens|square|sq|grove|hill|row|mews|parade|walk|park|green"
    r"|highway|hwy|circle|parkway)"
)
# A house number as Whisper may write it: "42", "42a", "4E2" (for "42").
_STREET = re.compile(
    rf"\b(?:(?:flat|apartment|apt|unit|suite)\s+\w+,?\s+)?(?:\d(?:[\da-z]{{0,3}}\d)?[a-z]?|{_NUMBER_WORDS})"
    rf"(?:\s+(?!{_STREET_SUFFIX}\b)[A-Za-z'-]+){{1,3}}\s+{_STREET_SUFFIX}\b\.?",
    re.IGNORECASE,
)
# A street named with no house number ("we live on Baker Street", or its number
# misheard): capitalised words before a street word, as Whisper writes a street's name.
_NAMED_STREET = re.compile(
    r"\b(?:[A-Z][a-z'-]+\s+){1,2}(?:Street|Road|Avenue|Lane|Drive|Close|Crescent|Boulevard"
    r"|Terrace|Gardens|Square|Grove|Mews|Parade|Parkway)\b\.?"
)
_POSTCODE = re.compile(
    r"\b(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|[A-Z]{2}\s+\d{5}(?:-\d{4})?)\b", re.IGNORECASE
)
_ADDRESS_CUE = re.compile(
    r"\b(?:i live at|i live on|we live at|my address is|address is|deliver(?: it)? to|"
    r"send it to)\s+([^.?!;\n\[\]\"']+)",
    re.IGNORECASE,
)

_NAME_WORD = r"[A-Za-z](?:[A-Za-z'-]*[A-Za-z])?"
_STRONG_NAME_CUE = re.compile(
    r"\b(?:my name is|my name's|name is|name's|(?:(?:booked|booking|book it|put it) )?under the "
    r"name(?: of)?|(?:booked|booking|book it|put it) under|call me|surname is|first name is"
    r"|last name is)\s+"
    r"|\bname\s*[:=]\s*['\"]?|['\"]name['\"]\s*:\s*['\"]",
    re.IGNORECASE,
)
_FIRST_NAME_WORD = re.compile(rf"[\s,]*({_NAME_WORD})")
_NEXT_NAME_WORD = re.compile(rf"[ \t]+({_NAME_WORD})")
"""A name ends at punctuation: "Anna Kowalski, call me on..." """
_WEAK_NAME_CUE = re.compile(r"\b(?:this is|it's|it is|i'm|i am)\s+", re.IGNORECASE)
_SPELLED = re.compile(r"(?<![\w'])[A-Za-z](?:[\s,.-]+[A-Za-z]){3,}\b")
NOT_NAMES = {
    "a", "an", "the", "and", "or", "for", "to", "at", "on", "in", "of", "with", "please",
    "thanks", "thank", "you", "yes", "no", "yeah", "sure", "okay", "ok", "um", "uh", "er",
    "so", "well", "just", "hi", "hello", "calling", "looking", "wondering", "trying", "here",
    "booking", "table", "phone", "number", "fine", "good", "great", "sorry", "not", "about",
    "from", "it", "is", "its", "i", "we", "me", "my", "that", "this", "there", "be", "been",
    "going", "gonna", "want", "would", "like", "could", "can", "will", "all", "right",
    "correct", "perfect", "actually", "again", "speaking", "still", "also", "oh", "call", "today",
    "tomorrow", "tonight", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "january", "february", "march", "april", "june", "july", "august", "september",
    "october", "november", "december", "afraid", "done", "ready", "free", "open", "closed",
}  # fmt: skip
_FILLERS = re.compile(
    r"^\W*(?:(?:um|uh|er|yes|yeah|sure|ok|okay|so|well|hi|hello|right|it's|it is|this is|"
    r"that's|that is|i'm|i am|call me|name is)\b[\s,.]*)*",
    re.IGNORECASE,
)
# Cheap test for "could any pattern match?": most log lines have none of these.
_MAYBE_PERSONAL = re.compile(
    rf"\d|@|\bat\b|\b{_NUMBER_WORDS}\b|\b(?:oh|nought|zero|double|triple)\b|name|\bthis is\b"
    r"|\bit'?s\b|\bit is\b|\bi'?m\b|\bi am\b|\bunder\b|call me|booked|booking|\blive\b|address"
    r"|deliver|send it|\b[A-Za-z][\s,.-]+[A-Za-z][\s,.-]+[A-Za-z][\s,.-]+[A-Za-z]\b",
    re.IGNORECASE,
)
# A whole quoted or bracketed payload in a log line: a transcript, a message's content.
PHONE_MATCHER_TRIES = 100
"""Candidates the phone matcher may reject in one text before it stops (its default,
65535, takes 50-80 ms on a 10 kB line of digit groups). A phone number it stops short
of is still a run of digits, and `_DIGIT_RUN` redacts it as [NUMBER]."""
SHORT_ANSWER_WORDS = 4
"""A bare answer to "what name?" is this many words at most."""
_PAYLOAD = re.compile(r"\[[^\[\]]*\]|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_PART_OF_A_NUMBER = re.compile(
    rf"\b{_DIGIT_WORD}(?:[\s,.-]+{_DIGIT_WORD}){{3,}}\b|(?<![\w.])\d(?:[\s,-]*\d){{3,}}(?!\w|\.\d)",
    re.IGNORECASE,
)
"""Four digits or more in a row, in words or figures: in a log line's payload, part of a
number said in pieces (a pause split "oh seven nine one two" from the rest of the phone
number, and each piece was too short to look like one)."""


class Redactor:
    """Redacts one call's text. `remember` teaches it values this call revealed."""

    def __init__(self, region: str = "GB", allowed: Iterable[str] = ()):
        self.region = region
        self._allowed = _allowed_phrases(allowed)
        self._known: dict[str, str] = {}
        """Each value this call revealed (lower case), and what replaces it."""
        self._known_pattern: re.Pattern | None = None
        self._lock = threading.Lock()
        self.answering: str | None = None
        """The personal slot the caller was just asked for ("name", "phone"...), if any."""

    def remember(self, slot: str, value: str):
        """A personal value this call revealed: redact it wherever it appears later."""
        if slot not in PERSONAL_SLOTS or not value:
            return
        parts = {value.strip()}
        if slot == "name":
            parts |= {word for word in re.findall(_NAME_WORD, value) if len(word) > 2}
        parts = {p.lower() for p in parts if p and p.lower() not in NOT_NAMES}
        with self._lock:
            if parts <= self._known.keys():
                return
            self._known |= {part: PERSONAL_SLOTS[slot] for part in parts}
            alternatives = "|".join(
                re.escape(p) for p in sorted(self._known, key=len, reverse=True)
            )
            self._known_pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def redact(self, text: str, answering: str | None = None) -> str:
        """`text` with personal data replaced by [PHONE], [EMAIL], [CARD], [ADDRESS],
        [NAME] or [NUMBER]. `answering`: the slot the caller was asked for, so a bare
        answer ("Anna Kowalski", "Baker Street") is redacted whole, and in an answer to
        "what number?" four digits or more in a row are [NUMBER] (a piece of the number)."""
        if not text:
            return text
        text, kept = self._protect(text)
        text = self._redact_patterns(text)
        if answering in ("name", "address") and _token(answering) not in text:
            text = _mask_answer(text, _token(answering))
        elif answering in ("phone", "card"):
            text = _without_parts_of_numbers(text)
        return self._restore(text, kept)

    def redact_data(self, value: Any) -> Any:
        """A tool's arguments or result: personal fields replaced, every string redacted."""
        if isinstance(value, dict):
            return {
                key: PERSONAL_FIELDS[key]
                if key in PERSONAL_FIELDS and value[key] not in (None, "")
                else self.redact_data(item)
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.redact_data(item) for item in value]
        if isinstance(value, str):
            return self.redact(value)
        return value

    def redact_log(self, message: str) -> str:
        """A log line: like `redact`, and while the caller is answering a personal
        question, every quoted or bracketed payload (a transcript) is dropped whole; in
        any other payload, four digits or more in a row are [NUMBER]."""
        message = self.redact(message)
        if self.answering is not None:
            return _PAYLOAD.sub(REDACTED, message)
        return _PAYLOAD.sub(lambda payload: _without_parts_of_numbers(payload[0]), message)

    def _redact_patterns(self, text: str) -> str:
        # E-mail addresses before known values: a known name inside one
        # ("sarah.johnson@...") would become [NAME] and leave the rest unmatched.
        if _MAYBE_PERSONAL.search(text) or self._known_pattern is not None:
            text = _EMAIL.sub(EMAIL, text)
            if " at " in text.lower():
                text = _SPOKEN_EMAIL.sub(EMAIL, text)
            text = _HEARD_EMAIL.sub(EMAIL, text)
        if self._known_pattern is not None:
            text = self._known_pattern.sub(lambda m: self._known[m[0].lower()], text)
        if not _MAYBE_PERSONAL.search(text):
            return text
        if _A_DIGIT.search(text):
            text, dates = _shield(text, _NOT_PERSONAL)
            text = _CARD_CANDIDATE.sub(_card_or_same, text)
            text = self._phones(text)
            text = _DIGIT_RUN.sub(NUMBER, text)
            text = _STREET.sub(ADDRESS, text)
            text = _POSTCODE.sub(ADDRESS, text)
            text = _unshield(text, dates)
        else:
            text = _STREET.sub(ADDRESS, text)
        text = _NAMED_STREET.sub(ADDRESS, text)
        text = _SPOKEN_DIGITS.sub(NUMBER, text)
        text = _ADDRESS_CUE.sub(lambda m: m[0][: m.start(1) - m.start(0)] + ADDRESS, text)
        text = _names_after_cues(text)
        return _SPELLED.sub(_spelled_or_same, text)

    def _phones(self, text: str) -> str:
        spans = [
            (match.start, match.end)
            for match in phonenumbers.PhoneNumberMatcher(
                text, self.region, max_tries=PHONE_MATCHER_TRIES
            )
        ]
        for start, end in reversed(spans):
            text = text[:start] + PHONE + text[end:]
        return text

    def _protect(self, text: str) -> tuple[str, list[str]]:
        kept: list[str] = []
        for phrase in self._allowed:
            if phrase.search(text):
                text = phrase.sub(lambda m: _placeholder(kept, m[0], "A"), text)
        return text, kept

    @staticmethod
    def _restore(text: str, kept: list[str], kind: str = "A") -> str:
        for index, original in enumerate(kept):
            text = text.replace(f"\x00{kind}{index}\x00", original)
        return text


def _allowed_phrases(allowed: Iterable[str]) -> list[re.Pattern]:
    """Phrases that look personal but are not (the restaurant's own address)."""
    phrases: set[str] = set()
    for phrase in allowed:
        phrase = phrase.strip()
        if phrase:
            phrases.add(phrase)
            phrases |= {m[0].strip(" .") for m in _STREET.finditer(phrase)}
    return [re.compile(re.escape(p), re.IGNORECASE) for p in sorted(phrases, key=len, reverse=True)]


def _placeholder(kept: list[str], original: str, kind: str) -> str:
    kept.append(original)
    return f"\x00{kind}{len(kept) - 1}\x00"


def _shield(text: str, pattern: re.Pattern) -> tuple[str, list[str]]:
    kept: list[str] = []
    return pattern.sub(lambda m: _placeholder(kept, m[0], "D"), text), kept


def _unshield(text: str, kept: list[str]) -> str:
    return Redactor._restore(text, kept, "D")


def _without_parts_of_numbers(text: str) -> str:
    text, dates = _shield(text, _NOT_PERSONAL)
    return _unshield(_PART_OF_A_NUMBER.sub(NUMBER, text), dates)


def _token(slot: str) -> str:
    return PERSONAL_SLOTS[slot]


def _card_or_same(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match[0])
    return CARD if 13 <= len(digits) <= 19 and luhn.is_valid(digits) else match[0]


def _spelled_or_same(match: re.Match) -> str:
    """Single letters in a row ("K O W A L S K I") are a name or an address spelled out."""
    letters = re.findall(r"[A-Za-z]", match[0])
    return NAME if len(letters) >= 4 else match[0]


def _names_after_cues(text: str) -> str:
    spans: list[tuple[int, int]] = []
    for match in _STRONG_NAME_CUE.finditer(text):
        if (span := _name_span(text, match.end(), capitalised_only=False)) is not None:
            spans.append(span)
    for match in _WEAK_NAME_CUE.finditer(text):
        if (span := _name_span(text, match.end(), capitalised_only=True)) is not None:
            spans.append(span)
    for start, end in sorted(set(spans), reverse=True):
        text = text[:start] + NAME + text[end:]
    return text


def _name_span(text: str, start: int, capitalised_only: bool) -> tuple[int, int] | None:
    """Up to three name words from `start`; None if the words there are no name."""
    end, count, position = start, 0, start
    while count < 3:
        pattern = _NEXT_NAME_WORD if count else _FIRST_NAME_WORD
        if (word := pattern.match(text, position)) is None:
            break
        name = word[1]
        if name.lower().strip("'") in NOT_NAMES:
            break
        if capitalised_only and not name[0].isupper():
            break
        end = position = word.end(1)
        count += 1
    if count == 0:
        return None
    return start, end


def _mask_answer(text: str, token: str) -> str:
    """A bare answer to "what name?": everything after the fillers, up to the first stop."""
    fillers = _FILLERS.match(text)
    start = fillers.end() if fillers else 0
    words = list(re.finditer(_NAME_WORD, text[start:]))
    kept = [w for w in words if w[0].lower() not in NOT_NAMES]
    if not kept or len(kept) > SHORT_ANSWER_WORDS:
        return text  # not a bare answer ("sorry, what are your opening hours on Sunday?")
    first, last = start + kept[0].start(), start + kept[-1].end()
    return text[:first] + token + text[last:]
