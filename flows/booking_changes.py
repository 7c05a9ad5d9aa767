"""What a caller says about the change they want to a booking they have.

"I need to change the number of people" names the detail: the bot asks for that one ("How
many people will there be now?"), not for the day, the time or the number of people. "Two more
people" and "one person fewer" change the party size by that many, "half an hour later" and
"push it back by an hour" the time: the new value is the booking's plus the change, once the
booking is found.
"""

import re

from flows.spoken_numbers import with_digits

PEOPLE = r"(?:people|persons?|guests?|of us|friends|adults?|children|kids)"
CHANGE_DETAILS = (
    (
        "party_size",
        re.compile(
            rf"\b(?:(?:number|amount) of {PEOPLE}|how many {PEOPLE}|party size|head ?count|"
            rf"size of (?:the|my|our) (?:party|group|booking|table)|"
            rf"(?:more|fewer|less|extra|additional|another) {PEOPLE})\b",
            re.IGNORECASE,
        ),
    ),
    ("at", re.compile(r"\b(?:the time|(?:an?|the) (?:earlier|later|different) time)\b", re.I)),
    (
        "check",
        re.compile(
            r"\b(?:(?:check|confirm|remind me (?:of|about)|what time is|when is|details of) "
            r"(?:my|our|the) (?:booking|reservation|table)|what time (?:it's|it is|is it) (?:for|at)|"
            r"(?:what time|what day|when) (?:my|our|the) (?:booking|reservation|table) is|"
            r"still (?:on|booked|there|going ahead|valid)|remind me (?:what|when)|"
            r"what (?:i|we) (?:booked|have booked|reserved))\b",
            re.IGNORECASE,
        ),
    ),
    (
        "day",
        re.compile(r"\b(?:the (?:day|date)|(?:another|a different|other) (?:day|date))\b", re.I),
    ),
)
"""The detail a change is about, when the caller names it before giving its new value; "check"
when the caller asks about the booking ("can you check my booking?"), so may want none."""
CHANGE_QUESTIONS = {
    "party_size": "How many people will there be now?",
    "at": "What time would you like instead?",
    "day": "What day would you like to move it to?",
    "check": "Would you like to change the day, the time or the number of people?",
}
MORE = re.compile(
    rf"\b(\d{{1,2}}) (?:more|extra|additional) {PEOPLE}|"
    r"\b(\d{1,2}) more (?:(?:are|will be|(?:of them|of us|people) (?:are|will be)) )?(?=coming|joining)|"
    rf"\badd(?:ing)? (\d{{1,2}})(?: more)? {PEOPLE}|\banother (\d{{1,2}}) {PEOPLE}|"
    rf"\b(an?) (?:extra|additional) (?:person|guest)|\b(another) (?:person|guest)\b",
    re.IGNORECASE,
)
FEWER = re.compile(
    rf"\b(\d{{1,2}}) (?:fewer|less) {PEOPLE}|\b(\d{{1,2}}) {PEOPLE} (?:fewer|less)\b|"
    r"\b(\d{1,2}) (?:fewer|less)\b(?! than| (?:time|minutes?|mins?|hours?)\b)",
    re.IGNORECASE,
)
"""People removed: "two fewer people", "one person less", and "one less" alone (of people:
a time is moved "earlier")."""


DURATION = (
    r"(?:(an hour and a half)|(half an hour)|(?:a )?(quarter of an hour)|(an hour)|"
    r"(\d{1,3}) (?:minutes?|mins?)|(\d) hours?)"
)
LATER = re.compile(
    rf"\b{DURATION} later\b|\b{DURATION} late\b|\b(?:push|put|move)\b[\w ]{{0,25}}?\bback (?:by )?{DURATION}|"
    rf"\blate\b[^.?!]{{0,45}}?\b{DURATION}",
    re.IGNORECASE,
)
EARLIER = re.compile(
    rf"\b{DURATION} earlier\b|\b(?:bring|move)\b[\w ]{{0,25}}?\bforward (?:by )?{DURATION}",
    re.IGNORECASE,
)
MINUTES = (90, 30, 15, 60, 1, 60)
"""Minutes in each of `DURATION`'s groups, in order (a number of minutes, of hours)."""


PEOPLE_SAID = re.compile(rf"\b(?:{PEOPLE}|person|party|size)\b", re.IGNORECASE)
TIME_SAID = re.compile(r"\b(?:time|o'?clock|p\.?m\b|evening|afternoon|night)", re.IGNORECASE)
"""Which of the two a bare number was ("People.", "The time.", "8 pm.")."""
TIME_WITHOUT_VALUE = re.compile(
    r"\b(?:(?:in the )?(?:evening|afternoon|morning)|o'?clock|clock|p\.?m\b|(?:lunch|dinner) ?time|"
    r"(?:make it|come|move it|a bit|a little|slightly|bit) (?:later|earlier)|whenever|any ?time|"
    r"as (?:early|late) as|(?:earliest|latest) (?:you|possible|time|table)|(?:don't|do not) mind|"
    r"doesn't matter|flexible|"
    r"whatever (?:you have|is free|suits))|^\W*(?:\w+ )?(?:later|earlier)\b",
    re.IGNORECASE,
)
"""A time said without its hour ("in the evening", "either clock" for "nine o'clock" misheard,
"Later, please.", "Whenever you have something free"): to "What would you like to change?"
the change is to the time; to "What time?" the time is left to the restaurant."""


INSTEAD_OF = re.compile(r"\b(\d{1,2}),? (?:not|instead of|rather than) (\d{1,2})\b")
NOT_BUT = re.compile(r"\bnot (\d{1,2})[,.]? (?:but |it's |make it )?(\d{1,2})\b")


def said_instead(text: str) -> tuple[int, int] | None:
    """A number said instead of another ("it's 8, not 7", "not 7, 8"): (the new, the old)."""
    spoken = with_digits(text)
    if found := INSTEAD_OF.search(spoken):
        return int(found[1]), int(found[2])
    if found := NOT_BUT.search(spoken):
        return int(found[2]), int(found[1])
    return None


MADE_IT = re.compile(
    r"\b(?:make (?:it|that)|change (?:it|that) to|can (?:we|i) do|go for)\s+(\d{1,2})\b"
    r"(?!\s*(?:[:.]\d|am\b|pm\b|a\.m|p\.m|o'?clock|people|persons?|guests|of us))"
)
"""A bare number put in place of a detail said before ("Actually, can we make it 9?")."""


def made_it(text: str) -> int | None:
    """The bare number a caller puts in place of a detail they gave in an earlier turn."""
    found = MADE_IT.search(with_digits(text))
    return int(found[1]) if found else None


def changed_detail(text: str, details=CHANGE_DETAILS) -> str | None:
    """The detail the caller says they want to change, if they name one alone (of `details`:
    (detail, words naming it) pairs)."""
    named = [detail for detail, words in details if words.search(text)]
    return named[0] if len(named) == 1 else None


def time_without_value(text: str) -> bool:
    """The caller speaks of a time and did not say (or was not heard saying) which."""
    return TIME_WITHOUT_VALUE.search(text) is not None


def party_change(text: str) -> int | None:
    """People added (below zero: removed) to the booking: "two more people" is 2."""
    spoken = with_digits(text)
    for pattern, sign in ((MORE, 1), (FEWER, -1)):
        if found := pattern.search(spoken):
            said = next(group for group in found.groups() if group)
            return sign * (1 if said.lower() in ("a", "an", "another") else int(said))
    return None


BOOKED_TIME = re.compile(
    r"\b(?:my|our|the) \d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?|o'?clock)? ?(?:table|booking|reservation)\b"
    r"|\b(?:table|booking|reservation) (?:is |was )?(?:at|for) \d",
    re.IGNORECASE,
)
"""A time said as the booking's own ("my 7pm table", "the booking is at 7"), not a new one."""


def booked_time_said(text: str) -> bool:
    """Whether the time a turn names is the booking's own, said to find it."""
    return BOOKED_TIME.search(with_digits(text)) is not None


DAY_SHIFT = re.compile(
    r"\b(?:the (?:day|night) (after|before)\b(?! tomorrow| today)|"
    r"the (next|following|previous) (?:day|night)|a day (later|earlier))\b",
    re.IGNORECASE,
)


def day_change(text: str) -> int | None:
    """Days the booking moves by: "the day after" is 1, "the day before" -1 (not "the day
    after tomorrow", which is a day of its own)."""
    if (found := DAY_SHIFT.search(text)) is None:
        return None
    said = next(group for group in found.groups() if group).lower()
    return -1 if said in ("before", "previous", "earlier") else 1


def time_change(text: str) -> int | None:
    """Minutes the booking moves by, later (below zero: earlier): "half an hour later" is 30."""
    spoken = with_digits(text)
    for pattern, sign in ((LATER, 1), (EARLIER, -1)):
        if found := pattern.search(spoken):
            groups = found.groups()
            at = next(i for i, group in enumerate(groups) if group)
            unit = MINUTES[at % len(MINUTES)]
            said = groups[at]
            return sign * unit * (int(said) if said.isdigit() else 1)
    return None
