"""Dates a caller (or a model) names that no booking can have, and what to say about them.

"The 31st of February" is no day: `dateparser` and the slot reader would quietly make it
another one (the 2nd of March, the 30th of January). A date with a year can be past, or
beyond the booking horizon ("5 May 2099"). Both brains say what is wrong and ask again:
the tools' `Validator.day` (flows/booking_arguments.py) and the on-device brain, which
checks the caller's words before it takes a day from them.
"""

import calendar
import re
from datetime import date, timedelta

from flows.speech import spoken_date

MONTHS = {
    name: number
    for number, full in enumerate(calendar.month_name)
    if full
    for name in {full.lower(), full[:3].lower(), "sept" if number == 9 else full.lower()}
}
ORDINAL_WORDS = {
    word: number
    for number, word in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
        "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth "
        "twentieth".split(),
        start=1,
    )
}
ORDINAL_WORDS |= {f"twenty {w}": 20 + n for w, n in list(ORDINAL_WORDS.items())[:9]}
ORDINAL_WORDS |= {"thirtieth": 30, "thirty first": 31}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WORDS = "|".join(w.replace(" ", r"[\s-]") for w in sorted(ORDINAL_WORDS, key=len, reverse=True))
_DAY = rf"(?:(?P<digits>\d{{1,2}})(?:st|nd|rd|th)?|(?P<word>{_WORDS}))"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20|21)\d\d))?"
DATE_SAID = (
    re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_DAY}{_YEAR}\b", re.IGNORECASE),
)
ASK_DAY = "Which day would you like?"
BOOKED_FOR_YESTERDAY = re.compile(
    r"\b(?:table|book|reserve)(?: for \w+(?: people)?)?,? (?:for )?yesterday\b"
    r"|\byesterday,? at \w",
    re.IGNORECASE,
)
"""A table asked for yesterday ("Table for 2 yesterday at 8pm"), not "I made a booking
yesterday" or "I called yesterday"."""
OTHER_DAY = re.compile(
    r"\b(?:today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    rf"{'|'.join(name for name in MONTHS if len(name) > 3)})\b",
    re.IGNORECASE,
)
"""A day named besides yesterday ("I called yesterday at 5 about Friday"): that one is meant."""


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def date_problem(text: str, today: date, horizon_days: int) -> str | None:
    """What is wrong with a date named in `text`, said so the caller can answer, or None
    when every date it names (day and month, perhaps a year) could be booked or is left to
    the parser (a date with no year is taken as the next one)."""
    following = calendar.month_name[today.month % 12 + 1]
    text = re.sub(r"\bnext month\b", following, text, flags=re.IGNORECASE)
    for pattern in DATE_SAID:
        for found in pattern.finditer(text):
            problem = _problem(found, today, horizon_days)
            if problem is not None:
                return problem
    if BOOKED_FOR_YESTERDAY.search(text) and not OTHER_DAY.search(text):
        return horizon_problem(today - timedelta(days=1), today, horizon_days)
    return None


def _problem(found: re.Match, today: date, horizon_days: int) -> str | None:
    month = MONTHS[found["month"].lower().rstrip(".")]
    if found["digits"]:
        day = int(found["digits"])
    else:
        day = ORDINAL_WORDS[re.sub(r"[\s-]+", " ", found["word"].lower())]
    year = int(found["year"]) if found["year"] else None
    name = calendar.month_name[month]
    # Without a year, the 29th of February is a day (in a leap year).
    longest = calendar.monthrange(year if year else 2028, month)[1]
    if not 1 <= day <= longest:
        in_year = f" in {year}" if year else ""
        return f"There is no {ordinal(day)} of {name}{in_year}. {ASK_DAY}"
    if year is None:
        return None
    return horizon_problem(date(year, month, day), today, horizon_days)


def iso_problem(text: str) -> str | None:
    """A YYYY-MM-DD a model sent whose day its month does not have ("2030-02-31")."""
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    if found is None:
        return None
    year, month, day = (int(part) for part in found.groups())
    if not 1 <= month <= 12 or 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"There is no {ordinal(day)} of {calendar.month_name[month]} in {year}. {ASK_DAY}"


def horizon_problem(day: date, today: date, horizon_days: int) -> str | None:
    """A past day, or one beyond the booking horizon, said with what is allowed."""
    if day < today:
        return f"{spoken_date(day)} {day.year} has already passed. {ASK_DAY}"
    last = today + timedelta(days=horizon_days)
    if day > last:
        return (
            f"We take bookings up to {horizon_days} days ahead, so until {spoken_date(last)} "
            f"{last.year}. {ASK_DAY}"
        )
    return None
