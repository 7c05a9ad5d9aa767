"""Numbers said in words, as digits: the reading every booking detail starts from.

text2num does the reading ("a table for four" -> "a table for 4", "oh seven nine one one"
-> "0 7 9 1 1"); what is here is what it needs first: "oh" as a zero only among digits,
"double"/"triple", hyphens, and a comma Whisper put inside one number.
"""

import re

from text_to_num import alpha2digit

NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety)"
)
DIGIT_WORDS = {"zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
DIGIT_WORD = rf"(?:{'|'.join(sorted(DIGIT_WORDS))})"


def with_digits(text: str) -> str:
    """Lower case, with spoken numbers as digits ("double oh seven" -> "0 0 7")."""
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"\bo clock\b", "o'clock", text)  # not "oh" (0) then "clock"
    # "fifty-six", "zero-seven", "half-pass six": hyphenated words read as separate words.
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
    # "fifty six thousand, seven hundred": one number, though Whisper put a comma in it.
    text = re.sub(rf"\b(thousand|hundred),\s+(?=(?:and )?{NUMBER_WORD}\b)", r"\1 ", text)
    # "nine hundred, four five six": digits said one by one after it; "hundred" ends its
    # number (not 904 5 6).
    text = re.sub(rf"\bhundred,?\s+(?={DIGIT_WORD},?\s+{DIGIT_WORD}\b)", "hundred, ", text)
    text = re.sub(
        r"\b(double|triple) (\w+)",
        lambda m: " ".join([m[2]] * (2 if m[1] == "double" else 3)),
        text,
    )
    # "oh" is a zero only next to other digits ("oh seven nine"), not in "oh, tomorrow".
    text = re.sub(r"\boh\b", lambda m: "0" if _among_digits(text, m) else m[0], text)
    return alpha2digit(text, "en", threshold=0)


def _among_digits(text: str, found: re.Match) -> bool:
    """Whether the word next to "oh" in its sentence is a digit ("... 248135. Oh, and one of
    us is vegetarian" is no zero: the caller's number was read with a 0 too many), but not
    a group written in digits that begins with its own 0."""
    before = re.findall(r"[\w']+", re.split(r"[.!?]", text[: found.start()])[-1])[-1:]
    after = re.findall(r"[\w']+", re.split(r"[.!?]", text[found.end() :])[0])[:1]
    if after and re.fullmatch(r"0\d+", after[0]):
        return False  # "Oh, 07911 654321": written with its own zero, the "oh" is a sigh
    return any(
        word in DIGIT_WORDS | {"double", "triple"} or word.isdigit() for word in before + after
    )
