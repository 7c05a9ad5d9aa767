"""Phone numbers in what the caller said: found, checked and normalised by phonenumbers.

A number is a run of digit groups that phonenumbers calls valid for the restaurant's
region; digits that make no valid number are said back to the caller
(flows/phone_heard.py).
"""

import re

import phonenumbers

from flows.spoken_numbers import with_digits


def parse_phone(text: str, region: str, bare: bool = False) -> str | None:
    """A valid phone number in the sentence, as E.164; `bare`: every digit said is the number."""
    found = find_phone(with_digits(text), region, bare)
    return found[0] if found else None


PHONE_RUN = re.compile(r"\+?\d[\d\s().,-]*\d|\+?\d")
"""Digits said together, in groups ("07, 1 2 3 456789"): where a phone number can be."""
PHONE_CUE = re.compile(r"\b(?:number|phone|mobile|cell|reach me on|call me on)\b")
COUNT_AFTER = re.compile(
    r"(?<=[.,;!?] )\d{1,2}(?= (?:people|persons?|guests?|of us|of them|adults?|children|kids|"
    r"less|fewer|more|extra)\b)"
)
"""A party size, or people added or removed, said in the next clause ("07911 254346. 1
person can't come", "07911 254346, one less please"): no digit of the number before it."""
MIN_PHONE_DIGITS = 7
"""Fewer digits than this, with no word naming a phone, are not a try at a phone number."""
ROUND_NUMBER = re.compile(r"[1-9]0+")
"""The digits of "a million" or "two thousand": a number said as one word, no phone number
("It's a million world", Whisper's hearing of "It's Amelia Ward")."""


DIGIT_SOUND_ALIKES = re.compile(r"(?<=\d)\s+(to|too|for)\s+(?=\d)")
"""Between digits of a number the bot asked for, "to" is 2 and "for" is 4 ("zero to zero")."""


def _digits_heard(spoken: str, bare: bool) -> str:
    spoken = COUNT_AFTER.sub(lambda count: "#" * len(count[0]), spoken)
    if not bare:
        return spoken
    return DIGIT_SOUND_ALIKES.sub(lambda m: " 4 " if m[1] == "for" else " 2 ", spoken)


def find_phone(spoken: str, region: str, bare: bool) -> tuple[str, str] | None:
    """The number as E.164, and the words it was said in: a run of digit groups that makes
    a valid number, less a party size or an hour said just before it ("for 4, 07911 123456")
    and a party size said after it (`COUNT_AFTER`). Extra digits after a number make it no
    number: the caller is asked again. Of two numbers, the one said after a correction
    ("07911 248135, sorry, 07911 248136") is the number, else the first."""
    spoken = _digits_heard(spoken, bare)
    if (corrected := _end_corrected(spoken, region)) is not None:
        return corrected
    found = [number for run in PHONE_RUN.finditer(spoken) if (number := _valid_run(run, region))]
    if len(found) > 1 and CORRECTED.search(spoken[found[0][2] : found[-1][2]]):
        return found[-1][:2]
    if found:
        return found[0][:2]
    round_number = ROUND_NUMBER.fullmatch(re.sub(r"\D", "", spoken)) is not None
    if bare and not round_number and (e164 := valid_phone(spoken, region)) is not None:
        return e164, spoken
    return None


CORRECTED = re.compile(r"\b(?:sorry|no wait|i mean|i meant|actually|no)\b")


ONLY_A_CUE = re.compile(r"(?:\W|\b(?:sorry|no|wait|i mean|i meant|actually|it's|it is)\b)*")
"""What may stand between a number and its last digits said again: the correction alone."""
MAX_DIGITS_SAID_AGAIN = 4


def _end_corrected(spoken: str, region: str) -> tuple[str, str] | None:
    """A number whose last group of digits the caller said again, corrected ("... 254, 346,
    no wait, 347"): the valid number with it in place, and the words of both."""
    runs = [*PHONE_RUN.finditer(spoken)]
    for before, after in zip(runs, runs[1:], strict=False):
        between = spoken[before.end() : after.start()]
        if not CORRECTED.search(between) or not ONLY_A_CUE.fullmatch(between):
            continue
        old, new = re.sub(r"\D", "", before[0]), re.sub(r"\D", "", after[0])
        if not 2 <= len(new) == len(_last_group(before[0])) <= MAX_DIGITS_SAID_AGAIN:
            continue  # not the last group said again ("... 254346. No, 4 at 8")
        if (e164 := valid_phone(old[: -len(new)] + new, region)) is not None:
            return e164, spoken[before.start() : after.end()]
    return None


def _last_group(said: str) -> str:
    """The digits of a number's last group: after its last comma ("0 7 9 1 1, 2 5 4, 3 4 6"),
    else its last word ("07911 254 346")."""
    tail = re.split(r"[,.;]", said)[-1]
    if len(re.sub(r"\D", "", tail)) > MAX_DIGITS_SAID_AGAIN:
        tail = said.split()[-1]
    return re.sub(r"\D", "", tail)


def _valid_run(run: re.Match, region: str) -> tuple[str, str, int] | None:
    """The valid number in a run of digit groups, the words it was said in, and where; none in
    a round number said as one word ("At eight billion.", Whisper's "At 8 pm", was the
    freephone number 0800 000 0000)."""
    if ROUND_NUMBER.fullmatch(re.sub(r"\D", "", run[0])):
        return None
    prefix = phonenumbers.PhoneMetadata.metadata_for_region(region).national_prefix
    groups = [*re.finditer(r"\+?\d+", run[0])]
    for first, group in enumerate(groups):
        if first and len(groups[first - 1][0]) > 2:
            break  # only a short number is dropped from the front
        said = run[0][group.start() :]
        if first and prefix == "0" and not said.startswith(("0", "+")):
            # Where numbers are said with their 0, one without it is a number heard with a
            # digit too many ("oh seven one six ...", twelve digits), not one to make valid
            # by dropping its "oh seven".
            continue
        if (e164 := valid_phone(said, region)) is not None:
            return e164, said, run.start() + group.start()
    return None


def _parsed(said: str, region: str) -> phonenumbers.PhoneNumber | None:
    """The digits said, parsed for `region`; None for too few or no number at all."""
    digits = ("+" if "+" in said else "") + re.sub(r"\D", "", said)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    try:
        return phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None


def valid_phone(said: str, region: str) -> str | None:
    """The number as E.164 if phonenumbers calls it valid for `region`, else None."""
    number = _parsed(said, region)
    if number is None or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def possible_phone(said: str, region: str) -> str | None:
    """The number as E.164 if it has the length of a mobile number of `region` though
    phonenumbers does not call it valid (a range allocated after its metadata), else None."""
    number = _parsed(said, region)
    if number is None:
        return None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        number.country_code, phonenumbers.region_code_for_number(number) or region
    )
    national = phonenumbers.national_significant_number(number)
    if metadata is None or len(national) not in metadata.mobile.possible_length:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


MIN_GUESS_DIGITS = 10
"""Fewer digits than this are too far from a whole number to guess one from."""


def guess_phone(spoken: str, region: str, bare: bool) -> tuple[str, str] | None:
    """For digits said as a phone number in which `find_phone` found none: the one valid number
    a common mishearing away from them, as E.164, and the words it was heard in; None when
    there is none, or more than one. The mishearings: the national prefix dropped or heard as
    another word ("four seven seven ..." for "oh seven seven ...", on the tuning voices),
    one copy too many of a repeated digit ("one one one one" for "one one one"; of two
    runs, the longer, or the one across a pause), and "nine" heard as "I" or "high". The
    brain confirms a guess alone before it books under it; a lookup with it finds a booking
    only if the name or the day matches too (flows/caller_verification.py)."""
    if (nine := _nine_heard_as_a_word(spoken, region)) is not None:
        return nine
    digits, said = _tried_digits(spoken, bare)
    digits = digits.lstrip("+")
    prefix = phonenumbers.PhoneMetadata.metadata_for_region(region).national_prefix
    if len(digits) < MIN_GUESS_DIGITS:
        return None
    candidates = {prefix + digits[start:] for start in (0, 1, 2)} if prefix else set()
    runs = sorted(re.finditer(r"(\d)\1+", digits), key=lambda run: -len(run[0]))
    for run in runs:
        candidates.add(digits[: run.start()] + digits[run.start() + 1 :])
    valid = {e164 for c in candidates if (e164 := _line_in(region, c)) is not None}
    if len(valid) > 1 and (longest := _longest_run_copy(digits, runs, region)) is not None:
        valid = {longest}
    if len(valid) > 1 and (echo := _group_echo(said, digits, region)) in valid:
        valid = {echo}
    return (valid.pop(), said) if len(valid) == 1 else None


GROUP_ECHO = re.compile(r"(\d)[.,;:!?]\s*\1(?!\d)")
"""A group's last digit said again as the next group's first: "one one two. two nine two" for
"one one two, nine two ..."."""


def _group_echo(said: str, digits: str, region: str) -> str | None:
    """The valid number without the one copy of a digit repeated across a pause, where copies
    in two runs each make a valid number: Whisper tiny.en wrote "zero seven nine one one two.
    two nine two. Five nine six." for 07911 292596 (Piper, a development call, 3 Dec 2026)."""
    echoes = [*GROUP_ECHO.finditer(said)]
    if len(echoes) != 1:
        return None
    copy = len(re.sub(r"\D", "", said[: echoes[0].end() - 1]))
    return _line_in(region, digits[:copy] + digits[copy + 1 :])


NINE_AS_A_WORD = re.compile(r"(?<=\d)[,.]?\s+(?:i|high)[,.]?\s+(?=\d)")
""""nine" between digits heard as "I" or "high" ("zero seven, I one one" for "zero seven
nine one one": espeak-ng's English voices, in the tuning and development calls, 3 Dec 2026)."""
RUN_WITH_A_WORD = re.compile(r"\+?\d(?:[\d\s().,-]|\b(?:i|high)\b)*\d")


def _nine_heard_as_a_word(spoken: str, region: str) -> tuple[str, str] | None:
    """The valid number a run of digits makes with "I" or "high" in it read as 9, and the
    words it was heard in."""
    for run in RUN_WITH_A_WORD.finditer(spoken):
        nines = NINE_AS_A_WORD.sub(" 9 ", run[0])
        if nines != run[0] and (e164 := _line_in(region, re.sub(r"\D", "", nines))) is not None:
            return e164, run[0]
    return None


def _longest_run_copy(digits: str, runs: list[re.Match], region: str) -> str | None:
    """The valid number with one copy less of the longest run, when that run is of three or
    more and longer than any other: Whisper hears "one one, one" as "one one one one" far
    more often than a number holds four of a digit in a row ("0 7 9 1 1 1 1 4 3 3 7 5",
    twelve digits, is 07911 143375 sooner than 07911 114375)."""
    if not runs or len(runs[0][0]) < 3 or (len(runs) > 1 and len(runs[1][0]) == len(runs[0][0])):
        return None
    return _line_in(region, digits[: runs[0].start()] + digits[runs[0].start() + 1 :])


CALLER_LINES = {
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
    phonenumbers.PhoneNumberType.VOIP,
}
"""Numbers a caller gives as their own: no premium, free or shared-cost lines."""


def _line_in(region: str, digits: str) -> str | None:
    """`digits` as E.164 if they are a caller's line in `region` itself ("00 7 ..." made
    by a guess is a call abroad, not a number heard)."""
    e164 = valid_phone(digits, region)
    if e164 is None:
        return None
    number = phonenumbers.parse(e164)
    home = phonenumbers.country_code_for_region(region)
    if number.country_code != home or phonenumbers.number_type(number) not in CALLER_LINES:
        return None
    return e164


def unusable_phone(text: str, region: str, bare: bool = False) -> str:
    """The digits of a phone number the caller tried to say that make no valid number
    ("" if they said a valid one, or none). `bare`: the bot asked for the number, so
    every digit said is part of it; otherwise a long run of digits, or digits after
    "my number is", are a try at one."""
    spoken = with_digits(text)
    if find_phone(spoken, region, bare) is not None:
        return ""
    return _tried_digits(spoken, bare)[0]


def _tried_digits(spoken: str, bare: bool) -> tuple[str, str]:
    """The digits of a try at a phone number, and the words they were said in (("", "")
    when there is none); the caller has found no valid number in them. Digits said after a
    correction ("07911 555 666? No wait, 07911 556 677") replace those said before it."""
    spoken = _digits_heard(spoken, bare)
    if cues := [*CORRECTED.finditer(spoken)]:
        before, after = spoken[: cues[-1].start()], spoken[cues[-1].end() :]
        if re.search(r"\d", before) and len(re.sub(r"\D", "", after)) >= MIN_PHONE_DIGITS:
            spoken = after
    if bare:
        said = re.search(r"\+?\d(?:.*\d)?", spoken)
        digits = re.sub(r"[^\d+]", "", spoken)
        return ("", "") if ROUND_NUMBER.fullmatch(digits) else (digits, said[0] if said else "")
    for run in PHONE_RUN.finditer(spoken):
        digits = re.sub(r"[^\d+]", "", run[0])
        if ROUND_NUMBER.fullmatch(digits):
            continue
        cued = PHONE_CUE.search(spoken[max(0, run.start() - 20) : run.start()]) is not None
        if len(digits) >= MIN_PHONE_DIGITS or (cued and len(digits) >= 3):
            return digits, run[0]
    return "", ""
