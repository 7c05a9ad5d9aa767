"""The day a caller names, read relative to the restaurant's today.

Numbers said in words become digits first (flows/spoken_numbers.py), holidays and written
days their dates (flows/spoken_dates.py); the date phrase found in the sentence is read by
dateparser. What is here is finding the phrase, and the restaurant's reading of it: a day
of the month already past is next month's, "a week on Friday" is the Friday after next, and
"move it from Thursday to Friday" goes to Friday.
"""

import re
from datetime import date, datetime, time, timedelta

import dateparser

from flows.heard_alike import COMPANIONS, DAYS_HEARD, MONTHS, WEEKDAYS, meant
from flows.impossible_dates import ordinal
from flows.spoken_dates import said_plainly
from flows.spoken_numbers import with_digits

ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"


DATE_PHRASES = [
    r"\bday after tomorrow\b",
    r"\btomorrow\b",
    r"(?<!earlier )\btoday\b",  # "I booked a table earlier today": when, not for when
    r"\btonight\b",
    r"\bthis (?:evening|afternoon|lunchtime)\b",
    r"\b(?:in|and) \d+ (?:days?|weeks?)\b",  # "in" is sometimes heard as "and"
    r"\b\d{1,2}/\d{1,2}(?:/(?:\d{2}|\d{4}))?\b",  # typed: "04/01", day first
    # "of" is often heard as "and" or "on": "the 14th and February".
    # Not "room for 8 on January 30th": a bare number before "on <month>" is no day.
    rf"(?<!for )\b(?:the )?(?:{ORDINAL} (?:of |and )?|\d{{1,2}}(?:st|nd|rd|th) on )(?:{MONTHS})\b",
    rf"\b(?:{MONTHS}) (?:the )?{ORDINAL}\b",
    # A day of the month is more precise than a weekday ("Friday the 11th", "Sunday 13th").
    rf"\bthe (?!1\b){ORDINAL}\b(?!\s*(?:of (?:us|them)|people|persons|guests|adults|kids|children|"
    r"one|ones|1|time|table|booking)\b)",
    rf"\b(?:{WEEKDAYS}),? \d{{1,2}}(?:st|nd|rd|th)\b",
    rf"\b(?:next|this|coming|on) (?:{WEEKDAYS})\b",
    rf"\b(?:{WEEKDAYS})\b",
]


NEXT_WEEK = re.compile(rf"\b(?:({WEEKDAYS}),? next week|next week,? (?:on )?({WEEKDAYS}))\b")
"""A day of next week: "Friday next week", "next week on Friday" (said on a Wednesday, not
this week's Friday)."""
AFTER_NEXT = re.compile(rf"\bthe ({WEEKDAYS}) after next\b")
""""The Friday after next": the week after the coming Friday."""
NEXT_MONTH_DAY = re.compile(
    r"\b(?:the )?(\d{1,2})(?:st|nd|rd|th)? (?:of )?next month\b"
    r"|\bnext month,? (?:on )?the (\d{1,2})(?:st|nd|rd|th)?\b"
)
"""A day of next month: "the 5th of next month", "next month on the 10th"."""


def parse_date(text: str, today: date, hear_alike: bool = True) -> date | None:
    """The day a sentence names, read relative to `today`; None if it names none.
    `hear_alike`: read words that sound like a day where one belongs ("to model")."""
    spoken = _tens_and_ordinal(with_digits(said_plainly(text)))
    if hear_alike:
        spoken = meant(spoken, DAYS_HEARD)
    # "Friday, not tomorrow": the day taken back is none.
    spoken = re.sub(
        rf"\bnot (?:on )?(?:tomorrow|today|tonight|(?:this |next )?(?:{WEEKDAYS}))\b", " ", spoken
    )
    # "A week on Friday", "Friday week": the Friday after the coming one (British); "in 2
    # weeks on Friday": the one after that.
    week_on = re.search(
        rf"\b(?:(?:in )?(a|\d) weeks?(?:'? ?s)?(?: time)?,? (?:on|from) ({WEEKDAYS})|({WEEKDAYS}) week)\b",
        spoken,
    )
    if week_on and (day := parse_date(week_on[2] or week_on[3], today, hear_alike)) is not None:
        return day + timedelta(weeks=int(week_on[1]) if (week_on[1] or "a").isdigit() else 1)
    if next_week := NEXT_WEEK.search(spoken):
        # "Friday next week": that day of next week, Monday to Sunday.
        named = next_week[1] or next_week[2]
        monday = today + timedelta(days=7 - today.weekday())
        return monday + timedelta(days=WEEKDAYS.split("|").index(named))
    if after_next := AFTER_NEXT.search(spoken):
        day = parse_date(after_next[1], today, hear_alike)
        return day + timedelta(weeks=1) if day is not None else None
    if next_month := NEXT_MONTH_DAY.search(spoken):
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        try:
            return date(year, month, int(next_month[1] or next_month[2]))
        except ValueError:
            return None  # "the 31st of next month" in February: flows/impossible_dates.py
    moved = re.search(rf"\b(?:from|{MOVE_WORDS})\b.+?\bto\b(.+)", spoken)
    if moved and (new_day := parse_date(moved[1], today, hear_alike)) is not None:
        return new_day  # "move it from Thursday to Friday": the day it goes to
    for pattern in DATE_PHRASES:
        found = re.search(pattern, spoken)
        if found is None:
            continue
        phrase = found[0]
        if not _month_may(spoken, found) or PHONE_DIGITS_AFTER.match(spoken, found.end()):
            continue
        if phrase == "today" and re.search(rf"\b(?:for|on|this|next) (?:{WEEKDAYS})\b", spoken):
            continue  # "my booking for Friday. Today is ...": the day the booking is for
        # "Sunday 13th" is the 13th.
        phrase = re.sub(rf"^(?:{WEEKDAYS}),? (?=\d)", "the ", phrase)
        if phrase == "tonight" or re.fullmatch(r"this (?:evening|afternoon|lunchtime)", phrase):
            return today
        phrase = re.sub(r"^(?:on|coming) ", "", phrase)
        phrase = re.sub(r"^and (?=\d)", "in ", phrase)
        phrase = re.sub(rf"\b(and|on) (?=(?:{MONTHS})\b)", "of ", phrase)
        parsed = dateparser.parse(
            phrase,
            languages=["en"],
            settings={
                "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": datetime.combine(today, time(12)),
                "DATE_ORDER": "DMY",
            },
        )
        if parsed is None:
            continue
        day = parsed.date()
        if day == _next_year(today) and not re.search(r"\d{3,}", phrase):
            day = today  # dateparser's "future" takes today's own date for next year's
        if day < today:
            # "the 3rd" said on the 20th means next month's; "3rd of May" said in June, next year's.
            day = _next_month(day) if re.fullmatch(rf"the {ORDINAL}", phrase) else _next_year(day)
        around = spoken[max(0, found.start() - 12) : found.end()]
        named = re.search(rf"\b({WEEKDAYS}),? (?:the )?\d", around)
        if named and named[1] != day.strftime("%A").lower() and not hear_alike:
            return None  # "Monday the 9th", a Wednesday: one of them misheard, so a guess
        return day
    return None


PHONE_DIGITS_AFTER = re.compile(r"[,.]?(?:[\s,-]*\d\b){3}")
"""Single digits said on after a day of the month: a phone number, of which Whisper wrote the
start as a date ("number zero seven nine one one" heard as "February 7, 9 1 1 ...")."""


MONTH_NAMED = re.compile(rf"\b(?:in|for|of|during|next|this) ({MONTHS})\b")
"""A month said as when ("in March", "sometime next April"), not "may I"."""
DAY_OF_MONTH_ALONE = re.compile(r"^(?:\W*\w+){0,3}?\W*\b(?:the )?(\d{1,2})(?:st|nd|rd|th)\b")
"""A day of the month said with no month, at the start of a short answer ("The 5th.",
"Oh, the 28th then")."""


def month_said(text: str) -> str | None:
    """The month a turn names as when the caller wants to come ("Table for 2 in March",
    "the 31st of February"), lower case, or None."""
    spoken = with_digits(text)
    found = MONTH_NAMED.search(spoken) or re.search(
        rf"\d(?:st|nd|rd|th)? (?:of )?({MONTHS})\b", spoken
    )
    return found[1] if found else None


def in_month(day: date | None, text: str, month: str | None, today: date) -> date | None:
    """`day` read from `text`, in the `month` the caller named before when `text` gives only a
    day of the month ("Table for 2 in March" ... "The 5th.": 5 March, not the next 5th)."""
    if day is None or month is None or re.search(rf"\b(?:{MONTHS}|{WEEKDAYS})\b", text.lower()):
        return day
    found = DAY_OF_MONTH_ALONE.search(with_digits(text))
    if found is None or int(found[1]) != day.day:
        return day
    named = parse_date(f"the {ordinal(day.day)} of {month}", today)
    return named or day


MOVE_WORDS = r"move|moving|change|changing|shift|switch"
"""Before "... to <day>": the day after "to" is the new one ("move Friday's table to Saturday")."""


def _moved(spoken: str) -> re.Match | None:
    return re.search(r"\bfrom\b(.+?)\bto\b(.+)", spoken) or re.search(
        rf"\b(?:{MOVE_WORDS})\b(.+?)\bto\b(.+)", spoken
    )


def parse_moved_from(text: str, today: date) -> date | None:
    """The day a booking is moved from ("from Thursday to Friday", "move Friday's table to
    Saturday": Friday)."""
    moved = _moved(_tens_and_ordinal(with_digits(text)))
    return parse_date(moved[1], today) if moved else None


def moved_to(text: str) -> str | None:
    """What a move says after its "to" ("from Friday 7pm to Saturday 8pm": "Saturday 8pm"),
    where the new time is, not the booking's own."""
    moved = _moved(_tens_and_ordinal(with_digits(text)))
    return moved[2] if moved else None


BOOKED_DAY_SAID = (
    # Right after the booking (Whisper's "my book in" too), or the day the caller can't come
    # ("we can't come on Friday").
    (
        re.compile(
            r"\b(?:booking|(?<=my )book in|(?<=our )book in|reservation|table|"
            r"(?:can't|cannot|can not|couldn't|won't be able to) "
            r"(?:come|make it))\b(?: (?:for|on))? ((?:[\w']+ ?){1,4})"
        ),
        lambda said: re.split(r"\b(?:and|but|to|at|for|because|so|any ?more)\b", said)[0],
    ),
    # Or right before it: "my Friday booking", "tomorrow's reservation".
    (
        re.compile(
            r"(?:\b(?:my|our|the) |\b(?=(?:today|tonight|tomorrow)'s ))((?:[\w']+ ){1,2})"
            r"(?:booking|reservation|table)\b"
        ),
        lambda said: said.replace("'s ", " "),
    ),
    # Or as the day to leave: "instead of Friday", "rather than on the 4th", "scratch Friday".
    (
        re.compile(r"\b(?:instead of|rather than|scratch|not)(?: on)? ((?:[\w']+ ?){1,3})"),
        lambda said: re.split(r"\b(?:and|but|to|at|for|we|i|could|can|,)\b", said)[0],
    ),
)
"""Where a caller names the day of the booking they have, and the words of that day."""


def parse_booked_day(text: str, today: date) -> tuple[date, str] | None:
    """The day said right after the booking it is on ("my booking for Friday", "our
    reservation tonight", "my table on the 12th"), after "we can't come" ("... on Friday, can
    we do Saturday?") or right before it ("my Friday booking"), and the text without it,
    where a new day may be said ("... and I'd like to bring it forward to Thursday")."""
    spoken = _tens_and_ordinal(with_digits(text))
    for pattern, words in BOOKED_DAY_SAID:
        for found in pattern.finditer(spoken):
            if (day := parse_date(words(found[1]), today)) is not None:
                return day, f"{spoken[: found.start()]} {spoken[found.end() :]}"
    return None


def _tens_and_ordinal(spoken: str) -> str:
    """ "the 20 2nd": Whisper wrote the tens of "twenty second" apart from the ordinal."""
    return re.sub(
        r"\b([23])0 ([1-9])(st|nd|rd|th)\b",
        lambda m: f"{m[1]}{m[2]}{m[3]}" if int(m[1] + m[2]) <= 31 else m[0],
        spoken,
    )


def _month_may(spoken: str, found: re.Match) -> bool:
    """Whether a "may" in the phrase is the month: "the 4th of May", "May the 4th", but not
    "may I", nor "May name is" (Whisper's "my")."""
    if not re.search(r"\bmay\b", found[0]):
        return True
    after = spoken[found.end() :].split()[:1]
    if after and after[0].strip(",.") in NOT_AFTER_MAY:
        return False
    return re.search(r"\d(?:st|nd|rd|th)\b|\bof may\b|\bmay the\b", found[0]) is not None


NOT_AFTER_MAY = {"i", "we", "name", "number", "phone", "be", "have", "book", "ask", "get", "come"}
NOT_AFTER_MAY |= set(COMPANIONS)  # "May wife and I": Whisper's "my", not the month


def _next_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    try:
        return day.replace(year=year, month=month)
    except ValueError:  # the 31st of a shorter month
        return _next_month(day.replace(year=year, month=month, day=1) - timedelta(days=1))


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)
