"""Words Whisper writes for a booking's words it misheard, read back as what was meant.

Each rule rewrites a sound-alike only where a booking detail belongs ("a group of ate"
is 8 people, "at seven thirteen" is 7:30, "tomorrow" heard as "to model"), on text whose
numbers are already digits (flows/spoken_numbers.py `with_digits`). A detail that reads
differently through these rules than without them is a guess: the brain confirms it
alone ("Was that 8 people?") before it is used, so a wrong guess costs a question, never
a wrong booking.
"""

import re

WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
AM_PM = r"(a\.?\s?m\.?|p\.?\s?m\.?)"
NOT_A_TIME = r"(?!\s*(?:st|nd|rd|th|people|persons|guests|adults|of us|days?|weeks?)\b|[:.]\d)"
"""What may not follow a number read as an hour: it is a day, a party or a span."""
PARTY_WORD = r"(?:table|booking|reservation|party|group)"
BEFORE_A_DAY = r"(?= people\b| of us\b| tomorrow\b| today\b| tonight\b| on\b| at\b|[,.]|$)"

DAYS_HEARD = [
    # "tomorrow" heard as "to model" / "to morrow"; "today" as "to date" before the hour.
    (r"\bto (?:model|morrow|marrow)\b", "tomorrow"),
    (r"\bto (?:date|day)(?= at \d)", "today"),
    (r"\bto night\b", "tonight"),
    # "Thursday the 10th at 7" with "the" and "th" lost: "Thursday, 10 at 7".
    (rf"\b({WEEKDAYS}),? (\d{{1,2}}) (?=at \d)", r"\1 the \2 "),
    # "Friday" heard as "three day" / "free day" / "fry day" ("in three days" is not one).
    (r"\b(this|on|next|coming) (?:3|free|fry) day\b(?!s)", r"\1 friday"),
    (r"(?<!\bin )\b(?:3|free|fry) day (?=night|evening|at\b)", "friday "),
    # "Saturday" heard as "Saturn" ("on Saturn 8 8pm", a development caller).
    (r"\b(on|this|next|coming) saturn\b", r"\1 saturday"),
    # A day's name heard in two words: "satur day", "wednes day", "thurs day".
    (r"\b(mon|tues|wednes|thurs|satur) day\b", r"\1day"),
    # "Friday the 11th" with "the" misheard ("Friday, mid 11th").
    (
        rf"\b({WEEKDAYS}),? (?!the\b|of\b|at\b|on\b)[a-z]+ (\d{{1,2}}(?:st|nd|rd|th))\b",
        r"\1 the \2",
    ),
]
TIMES_HEARD = [
    # "-thirty" and "-forty" heard as "-teen": nobody books a table for 7:13.
    (
        rf"\b(1?\d|2[0-3]) (13|14)\b{NOT_A_TIME}",
        lambda m: f"{m[1]} {'30' if m[2] == '13' else '40'}",
    ),
    # "on" heard as "one" after the minutes: "at eight fifty one Friday".
    (rf"\b(\d{{1,2}}) ([2-5])1 (?=(?:{WEEKDAYS}|the)\b)", r"\1 \g<2>0 on "),
    # "at" heard as "and" after a day: "on Friday and 8"; or lost: "on Friday, 8"; unless
    # an hour is said later on.
    (
        rf"\b((?:on |this |next )?(?:{WEEKDAYS})|tomorrow|tonight|today)(?:,| and) (\d{{1,2}})\b"
        rf"{NOT_A_TIME}(?!.*\b(?:at|about|around) \d)",
        r"\1 at \2",
    ),
    # "forty-five" heard as "for the 5" after an hour ("at 8 for the 5 pm").
    (
        r"(\bat \d{1,2}|\b\d{1,2}(?:st|nd|rd|th)) for (?:the )?5(?!\d)(?! (?:of us|people)\b)",
        r"\1, 45",
    ),
    # "the 14th of February at 8 o'clock" heard as "the 14th on February 8th at o'clock":
    # a second day after a date is the hour, when a clock word says so.
    (
        rf"(\d{{1,2}}(?:st|nd|rd|th) (?:of |on |and )?(?:{MONTHS})) (\d{{1,2}})(?:st|nd|rd|th)\b"
        rf"(?:,? (\d{{2}}))?,?(?: at)? ?(o'?clock|{AM_PM})",
        lambda m: f"{m[1]} at {m[2]}{':' + m[3] if m[3] else ''} {m[4]}",
    ),
]
PARTY_HEARD = [
    # Speech recognition hears "four" and "two" as their homophones after "for".
    (rf"\bfor (?:for|4){BEFORE_A_DAY}", "for 4"),
    (rf"\bfor (?:to|too){BEFORE_A_DAY}", "for 2"),
    (r"(?:^|(?<=[,.] ))for people\b", "4 people"),
    (r"(?:^|(?<=[,.] ))(?:to|too) people\b", "2 people"),
    # ... and "three" as "free" where a number belongs ("a table for free"), not "gluten free".
    (rf"\b({PARTY_WORD}) (for|of) free\b", r"\1 \2 3"),
    (rf"\bfor free{BEFORE_A_DAY}", "for 3"),
    (
        r"(?<![-\w])(?<!gluten )(?<!dairy )(?<!nut )free (?=people\b|of us\b|guests\b|persons\b)",
        "3 ",
    ),
    (r"\btable for for\b", "table for 4"),
    (r"\btable for (?:to|too)\b", "table for 2"),
    # "eight" heard as "ate", and "of eight" run together as "of made".
    (rf"\b({PARTY_WORD}) (for|of) (?:ate|eights?)\b", r"\1 \2 8"),
    (rf"\b({PARTY_WORD}) of (?:made|maids?|mate)\b", r"\1 of 8"),
    # "for" heard as "four" before the number ("book four 7", "table four 11 people"),
    # and "of" as "on" ("a party on 12").
    (r"\b(book|table|booking|reservation|reserve) 4 (\d{1,2})\b(?![:.]\d)", r"\1 for \2"),
    (rf"\b(party|group) on (\d{{1,2}})\b{NOT_A_TIME}(?! (?:{MONTHS})\b)", r"\1 of \2"),
]
SOUND_ALIKE_NUMBERS = {"free": 3, "tree": 3, "for": 4, "to": 2, "too": 2}
"""Words heard for a number said alone, in answer to "how many?"."""


COMPANIONS = (
    "wife", "husband", "partner", "friend", "boyfriend", "girlfriend", "fiance", "fiancee",
    "fiancé", "fiancée", "mum", "mom", "mother", "dad", "father", "son", "daughter", "sister",
    "brother", "colleague", "date",
)  # fmt: skip
"""Who comes with the caller ("my wife and I": two); after "May", Whisper's "my", not the
month."""


def meant(spoken: str, rules: list) -> str:
    """`spoken` with each of `rules` (pattern, replacement) applied in turn."""
    for heard, said in rules:
        spoken = re.sub(heard, said, spoken)
    return spoken
