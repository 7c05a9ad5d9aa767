"""Booking details from free speech: date, time, party size, name, phone, reference.

Numbers said in words become digits first (flows/spoken_numbers.py, text2num); the day is
read by flows/booking_dates.py (dateparser), phone numbers by flows/phone_numbers.py
(phonenumbers). What is left here
is the glue: finding which words are the date, the time or the party size,
and the restaurant's reading of a bare hour ("at seven" is 7 pm).
"""

import re
from dataclasses import dataclass, replace
from datetime import date, time

from flows.booking_dates import parse_date
from flows.booking_names import parse_name
from flows.booking_notes import parse_notes
from flows.heard_alike import (
    AM_PM,
    COMPANIONS,
    DAYS_HEARD,
    PARTY_HEARD,
    SOUND_ALIKE_NUMBERS,
    TIMES_HEARD,
    WEEKDAYS,
    meant,
)
from flows.phone_numbers import find_phone, guess_phone
from flows.spoken_dates import written_days_whole
from flows.spoken_numbers import with_digits

MAX_PARTY = 200
""""For" more than this with no "people" is a number misheard, no party size."""


@dataclass(frozen=True)
class Slots:
    """What a caller has said about a booking so far; None where they have not."""

    day: date | None = None
    at: time | None = None
    party_size: int | None = None
    name: str | None = None
    phone: str | None = None
    notes: str | None = None
    unsure: frozenset[str] = frozenset()
    """The slots read from a guess at what was heard ("a table for free" is 3): to confirm."""

    def merged(self, newer: "Slots") -> "Slots":
        """These slots, overwritten by what `newer` filled."""
        changes = newer.filled()
        unsure = (self.unsure - changes.keys()) | newer.unsure
        return replace(self, **changes, unsure=unsure)

    def details(self) -> tuple:
        """The booking's own details said: day, time, party size."""
        return tuple(v for v in (self.day, self.at, self.party_size) if v is not None)

    def filled(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None and k != "unsure"}


COMPANION = f"(?:{'|'.join(COMPANIONS)})"


def _clock(hour: int, minute: int, am_pm: str | None) -> time | None:
    """A time of day; an hour from 1 to 11 without am/pm is an evening hour at a restaurant."""
    marker = (am_pm or "").replace(".", "").replace(" ", "")
    if marker == "pm" and hour < 12:
        hour += 12
    elif marker == "am" and hour == 12:
        hour = 0
    elif not marker and 1 <= hour <= 11:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _hour_before(hour: str) -> int:
    """The hour before `hour` on the clock face: 12 before 1."""
    return (int(hour) - 2) % 12 + 1


# "at 730", "830 in the evening": Whisper sometimes drops the colon.
RUN_TOGETHER_AT = r"\bat (\d{1,2})([0-5]\d)\b"
RUN_TOGETHER_PM = rf"\b(\d{{1,2}})([0-5]\d)\s*(?:in the (?:evening|afternoon)|{AM_PM})"
TIME_PATTERNS = [
    (rf"\b(\d{{1,2}})[:.](\d{{2}})\s*{AM_PM}?", lambda m: _clock(int(m[1]), int(m[2]), m[3])),
    # "6.0pm": Whisper's "six p.m." with a zero for minutes; not the 0 pm (noon) after the dot.
    (rf"\b(\d{{1,2}})[:.]0\s*{AM_PM}", lambda m: _clock(int(m[1]), 0, m[2])),
    (r"\bhalf pas[st] (\d{1,2})\b", lambda m: _clock(int(m[1]), 30, None)),
    (r"\b(?:a )?quarter pas[st] (\d{1,2})\b", lambda m: _clock(int(m[1]), 15, None)),
    (RUN_TOGETHER_AT, lambda m: _clock(int(m[1]), int(m[2]), None)),
    (
        RUN_TOGETHER_PM,
        lambda m: _clock(int(m[1]), int(m[2]), None if m[3] is None else m[3]),
    ),
    # "quarter to one" is 12:45; American "a quarter of eight" is 7:45, "after" is past.
    (r"\b(?:a )?quarter (?:to|of) (\d{1,2})\b", lambda m: _clock(_hour_before(m[1]), 45, None)),
    (r"\b(?:a )?quarter after (\d{1,2})\b", lambda m: _clock(int(m[1]), 15, None)),
    # "twenty to eight", "ten past seven": minutes to or past an hour, never a party.
    (
        r"\b(5|10|20|25) to (\d{1,2})\b(?! (?:people|of us))",
        lambda m: _clock(_hour_before(m[2]), 60 - int(m[1]), None),
    ),
    (r"\b(\d{1,2}) (?:past|after) (\d{1,2})\b", lambda m: _clock(int(m[2]), int(m[1]), None)),
    (rf"\b(\d{{1,2}}),? (\d{{2}})\s*{AM_PM}", lambda m: _clock(int(m[1]), int(m[2]), m[3])),
    (r"\b(?:at|about|around) (\d{1,2}) (\d{2})\b", lambda m: _clock(int(m[1]), int(m[2]), None)),
    (rf"\b(\d{{1,2}})\s*(?:o'?clock\s*)?{AM_PM}", lambda m: _clock(int(m[1]), 0, m[2])),
    (r"\b(\d{1,2}) o'?clock\b", lambda m: _clock(int(m[1]), 0, None)),
    # "8 in the evening", "11 in the morning".
    (
        r"\b(\d{1,2}) in the (morning|afternoon|evening)\b",
        lambda m: _clock(int(m[1]), 0, "am" if m[2] == "morning" else "pm"),
    ),
    # British "half seven" is 7:30.
    (r"\bhalf (\d{1,2})\b", lambda m: _clock(int(m[1]), 30, None)),
    # "seven thirty" (tomorrow, in the evening...): minutes on the quarter, not in a longer number.
    (r"(?<!\d )\b(\d{1,2}) (00|15|30|45)\b(?! \d)", lambda m: _clock(int(m[1]), int(m[2]), None)),
    (r"(?<!after )\b(?:noon|midday)\b", lambda m: time(12, 0)),
    # "19 hours", "at 20h": an hour on the 24-hour clock, said as such.
    (r"\b(1[3-9]|2[0-3]) ?(?:hours|hrs|h)\b", lambda m: time(int(m[1]), 0)),
    # "Move my booking to 8 on Saturday": the hour it moves to.
    (
        r"\b(?:move|moving|change|changing|push|bring)\b[\w' ]{0,30}? to (\d{1,2})\b"
        r"(?!\s*(?:people|persons|guests|of us|adults)|[:.]\d|st\b|nd\b|rd\b|th\b)",
        lambda m: _bare_hour(int(m[1])),
    ),
    # "Is 7 okay?", "would 8 work?", "how about 7?": an hour offered as a question.
    (
        r"\b(?:(?:is|would|does|will) (\d{1,2})(?= (?:be )?(?:too late|too early|ok|okay|alright|"
        r"all right|fine|possible|good|work|free|available)\b)|(?:how|what) about (\d{1,2})(?=\s*(?:\?|then\b)))",
        lambda m: _bare_hour(int(m[1] or m[2])),
    ),
    (
        r"(?:\b(?:at|about|around|say)|(?<!'d )(?<!would )\blike) (\d{1,2})\b(?!\s*(?:people|persons|guests|of us|adults)|[:.]\d|st\b|nd\b|rd\b|th\b)",
        lambda m: _bare_hour(int(m[1])),
    ),
]


def _bare_hour(hour: int) -> time | None:
    """An hour said alone ("at eight"). From 13 on it is no hour a caller says alone, but the
    minutes of one whose hour Whisper lost ("at 15" for "at eight fifteen"): no time."""
    return _clock(hour, 0, None) if hour <= 12 else None


def parse_time(text: str, bare: bool = False, hear_alike: bool = True) -> time | None:
    """The time of day a sentence names. `bare`: the caller was just asked for a time,
    so "seven thirty" or "eight" alone counts; `hear_alike`: read words that sound like
    a time where one belongs ("at seven thirteen" is 7:30)."""
    return _read_time(text, bare, hear_alike)[0]


TIME_IS = re.compile(
    r"\b(\d{1,2}(?:[:.]\d{2})?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|thirty|forty-five|forty five|o'clock|noon|midday)'s\b",
    re.IGNORECASE,
)
"""A time run into "is" ("Half seven's good", "Eight's fine", "7.30's fine")."""
HOUR_ISH = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)ish\b", re.IGNORECASE
)
"""An hour in words run into "ish" ("eightish"), which the words-to-digits step would miss."""


DIGIT_RUN_AFTER = re.compile(r"\s+\d\b(?:\s+\d\b)|[\s,.]+[1-9]\b(?:[\s,.]+\d\b)")
"""Two more digits said one by one after a time: it is in a phone number ("Phone zero seven
nine one one" heard "around seven nine one one eight one"; "zero seven nine, one one one" heard
"Three around seven nine. One one one one"), unless a stop comes before a number's 0 ("Friday
at eight, zero seven nine ...")."""


def _read_time(text: str, bare: bool = False, hear_alike: bool = True) -> tuple[time | None, bool]:
    """The time, and whether it is a guess: minutes that could be either of "fifteen" and
    "fifty", run together without their colon ("at 815", "at 850"), or any 50 ("eight fifty"
    is as often a misheard "eight fifteen")."""
    # "Half seven's good", "Eight's fine": the time without its "'s".
    spoken = with_digits(HOUR_ISH.sub(r"\1 ish", TIME_IS.sub(r"\1", text)))
    if hear_alike:
        spoken = meant(meant(spoken, DAYS_HEARD), TIMES_HEARD)
    # "7ish", "about seven-thirty-ish": a time said loosely is the time.
    spoken = re.sub(
        r"\b(?:(?:at|about|around) )?(\d{1,2}(?:[:. ]\d{2})?)[ -]?ish\b", r"at \1", spoken
    )
    for pattern, read in TIME_PATTERNS:
        found = re.search(pattern, spoken)
        if found and DIGIT_RUN_AFTER.match(spoken, found.end()):
            continue  # "around 7 9 1 1 8 1": a phone number's digits, not seven o'clock
        if found and (at := read(found)) is not None:
            run_together = pattern in RUN_TOGETHER_TIMES
            said_fifty = at.minute == 50 and re.search(r"\b50\b", found[0]) is not None
            return at, (run_together and at.minute in TEEN_OR_TY) or said_fifty
    if bare:
        found = re.fullmatch(r"\W*(?:at\s+)?(\d{1,2})(?:\s+(\d{2}))?\W*(?:please)?\W*", spoken)
        if found and found[2]:
            return _clock(int(found[1]), int(found[2]), None), False
        if found:
            return _bare_hour(int(found[1])), False
        # "Actually make it 8.", "7 then. There'll be 3 of us.": the one number that is no
        # party size, no date and no part of a longer number.
        hours = re.findall(BARE_HOUR, spoken)
        if len(hours) == 1:
            return _bare_hour(int(hours[0])), False
    return None, False


BARE_HOUR = re.compile(
    r"(?<![\d:.] )(?<!for )(?<!be )(?<!'re )(?<!are )(?<!of )(?<![\d:.])\b(\d{1,2})\b(?![:.]?\d| ?(?:st|nd|rd|th)\b|"
    r"\s*(?:people|persons?|guests?|of us|adults?|children|kids|minutes?|mins?|hours?)\b)"
)
"""A number in an answer to "what time?" that is no party size ("3 of us", "for 3", "we're 4"), no
date ("the 5th") and no part of a longer number or a phone number."""


RUN_TOGETHER_TIMES = {RUN_TOGETHER_AT, RUN_TOGETHER_PM}
TEEN_OR_TY = {13, 14, 15, 50}
"""Minutes that may be the other of a "-teen" and "-ty" pair: "fifteen" and "fifty" both
make a time one books for; 13 and 14 are more likely "thirty" and "forty" misheard."""


ADULTS, CHILDREN = (
    r"(?:adults?|grown ?ups?)",
    r"(?:children|child|kids?|toddlers?|bab(?:y|ies)|infants?)",
)
SAID_AS_PEOPLE = r"\b(\d{1,4})\s+(?:people|persons|person|guests|adults|diners|covers)\b"
NO_PEOPLE = re.compile(r"(?:\bminus |\bnegative |(?<![\w-])-)\d{1,4}\s+(?:people|persons|guests)\b")
"""A party of fewer than none: no guest, which the tools answer ("at least one guest")."""
PARTY_NAMED = (
    r"(?i)\b(?:(?:the )?number of (?:people|guests|persons|diners)|(?:the )?party size|"
    r"(?:the )?size of (?:the|my|our) (?:party|group|booking)|(?:the )?headcount)"
    r"(?: (?:to|is|will be|should be|now|of))* (\d{1,3})\b(?!\s*(?:[:.]\d|am\b|pm\b|o'?clock))"
)
"""The party size named as such: "change the number of people to 3", "party size 5"."""
ONE_PERSON = (
    *COMPANIONS, "child", "kid", "baby", "toddler", "grandchild", "grandson", "granddaughter",
    "nan", "gran", "granny", "grandma", "grandmother", "grandpa", "grandad", "grandfather",
    "aunt", "auntie", "uncle", "cousin", "niece", "nephew", "boss", "mate", "neighbour", "guest",
    "other",
)  # fmt: skip
PEOPLE_WORDS = {
    **{word: 1 for word in ONE_PERSON},
    **{f"{word}s": None for word in ONE_PERSON},
    "children": None,
    "grandchildren": None,
    "parents": 2,
    "grandparents": 2,
}
"""Who a caller lists as coming, and how many each is (None: as many as said with it)."""
PERSON = "(?:" + "|".join(sorted(PEOPLE_WORDS, key=len, reverse=True)) + ")"
LISTED = re.compile(
    rf"\b(?:me|myself|the (\d{{1,2}}) of us)"
    rf"((?:(?:,|,? and|,? plus) (?:(?:my|our|the) )?(?:\d{{1,2}} )?{PERSON}\b)+)"
)
LISTED_ONE = re.compile(rf"(?:(?:my|our|the) )?(?:(\d{{1,2}}) )?({PERSON})\b")


def _people_listed(spoken: str) -> int | None:
    """The people a caller lists with themselves ("me, my husband and our two grandchildren":
    4; "the two of us and our son": 3; "me and three mates": 4), when each is counted ("me and
    my kids" is not) and there are two or more, or a number said ("me and my wife" is left
    to the companion rule)."""
    listed = LISTED.search(spoken)
    if listed is None:
        return None
    found = LISTED_ONE.findall(listed[2])
    counts = [int(number) if number else PEOPLE_WORDS[word] for number, word in found]
    counted = len(counts) >= 2 or any(number for number, _ in found) or listed[1]
    if not counted or None in counts:
        return None
    return int(listed[1] or 1) + sum(counts)


PARTY_PATTERNS = [
    PARTY_NAMED,
    SAID_AS_PEOPLE,
    # Not "one of us uses a wheelchair": one of us is never the party, unless just one.
    r"(?:\b(?:just|only) |\b(?!1 of))(\d{1,3}) of us\b(?!\s+(?:has|have|is|are|will|needs?|can))",
    # "We're now only three", "we'll be five", "there'll be 6": not "we'll be 10 minutes late".
    r"\b(?:we(?:'re| are|'ll be| will be)|there(?:'ll| will) be)(?: now| only| just| going to be)*"
    r" (\d{1,2})\b(?!\s*(?:[:.]\d|am\b|pm\b|a\.m|p\.m|o'?clock|minutes?|mins?|hours?|st\b|nd\b|rd\b|th\b))",
    r"\b(?:table|booking|reservation|party|group|family) (?:for|of) (\d{1,3})\b(?!\s*(?:[:.]\d|am\b|pm\b|a\.m|p\.m|o'?clock|st\b|nd\b|rd\b|th\b|past\b|to \d))",
    # "2 for dinner tomorrow at 7".
    r"(?<!at )(?<!about )(?<!around )\b(\d{1,2}) for (?:dinner|lunch|brunch|breakfast|supper|tea)\b",
    rf"\bfor (\d{{1,3}})\b(?!\s*(?:[:.]\d|am\b|pm\b|a\.m|p\.m|o'?clock|st\b|nd\b|rd\b|th\b|days?\b|weeks?\b))(?=\s*(?:people|persons|guests|please|then\b|[,.?!]|$|at\b|on\b|and\b(?!\s*(?:a half|\d))|tomorrow|today|tonight|next|this|(?:{WEEKDAYS})\b))",
]


DOZEN = re.compile(r"\b(half )?a dozen\b", re.IGNORECASE)
"""A party said in dozens: "half a dozen of us" (6), "a dozen people" (12)."""


BARE_COUNT = re.compile(
    r"(?<!\bat )(?<!half )(?<!past )(?<!\bto )\b(\d{1,3})\b"
    r"(?!\s*(?:[:.]\d|am\b|pm\b|a\.m|p\.m|o'?clock|thirty|fifteen|forty))",
    re.IGNORECASE,
)
"""A number in a bare answer to "how many?" that is no time ("Seven pm." answers the question
before it: no party of 7)."""


def parse_party_size(text: str, bare: bool = False, hear_alike: bool = True) -> int | None:
    """How many people a sentence books for. `bare`: the caller was just asked how many;
    `hear_alike`: read words that sound like a number where one belongs ("for free")."""
    spoken = DOZEN.sub(lambda m: "6" if m[1] else "12", with_digits(text))
    if hear_alike:
        spoken = meant(meant(spoken, DAYS_HEARD), PARTY_HEARD)
    others = r"(?:friends|others|colleagues|guests|kids|children|people)"
    if found := re.search(rf"\b(?:me|myself|i) and (?:my )?(\d{{1,2}}) {others}\b", spoken):
        return int(found[1]) + 1  # "myself and four colleagues", "me and my two kids"
    if (listed := _people_listed(spoken)) is not None:
        return listed  # "me, my husband and our two grandchildren"
    if re.search(r"\b(?:just me|only me|myself|just 1|on my own)\b(?! and\b)", spoken):
        return 1
    if re.search(r"\b(?:a couple|me and my (?:wife|husband|partner|friend))\b", spoken):
        return 2
    together = rf"\b(\d{{1,2}}) {ADULTS}(?:,| and| plus|,? with)? (\d{{1,2}}|an?) {CHILDREN}"
    if found := re.search(together, spoken):
        # "two adults and two children", "two adults one toddler", "three adults plus a baby"
        return int(found[1]) + (1 if found[2] in ("a", "an") else int(found[2]))
    if NO_PEOPLE.search(spoken):
        return 0
    for pattern in PARTY_PATTERNS:
        found = re.search(pattern, spoken)
        if found and pattern == SAID_AS_PEOPLE:
            return int(found[1])  # as said, however many: too many is answered with the limit
        if found and int(found[1]) > MAX_PARTY:
            return None  # "for 512" with no "people": a number misheard ("for five, Tuesday")
        if found:
            return int(found[1])
    # "My wife and I", "me and my partner": two, unless more are named after them. Whisper
    # writes "my" as "May" now and then ("May wife and I").
    my = "(?:my|may)" if hear_alike else "my"
    if re.search(
        rf"\b(?:{my} {COMPANION} and (?:i|me|myself)|me and {my} {COMPANION})\b(?! and\b)",
        spoken,
    ):
        return 2
    if bare:
        numbers = re.findall(BARE_COUNT, spoken)
        if len(numbers) == 1:
            return int(numbers[0])
        # "Free, please." alone, in answer to "For how many people?"
        alone = re.fullmatch(r"\W*(free|tree|for|to|too)\W*(?:people|please)?\W*", spoken)
        if alone and hear_alike:
            return SOUND_ALIKE_NUMBERS[alone[1]]
    return None


REFERENCE_SAID = re.compile(
    r"\b(?:ref(?:erence)?|confirmation(?: number| code)?|"
    r"(?:booking|reservation)(?: number| no\.?| ref(?:erence)?)?)\b\D{0,20}?((?:\d[\s,.-]*){5}\d)"
    r"(?![\s,.-]*\d)",
    re.IGNORECASE,
)
"""Six digits said after the word "reference" ("booking 349858", "reservation number ...",
"ref 349858", "confirmation number ..."), whatever else the turn holds."""


def reference_cued(text: str) -> bool:
    """Whether the turn says six digits as a booking's reference (`REFERENCE_SAID`): never a
    phone number heard short."""
    return REFERENCE_SAID.search(with_digits(text)) is not None


def parse_reference(text: str) -> str | None:
    """A six-digit booking reference, said as one number or digit by digit: the six digits
    after "reference" ("reference 1 4 6 9 8 1, I need to change it to 4 people"), or the
    turn's only digits."""
    spoken = with_digits(text)
    if said := REFERENCE_SAID.search(spoken):
        return re.sub(r"\D", "", said[1])
    digits = "".join(re.findall(r"\d", spoken))
    return digits if len(digits) == 6 else None


SAID_AGAIN = re.compile(
    r"\b(?:actually|make it|make that|change (?:it|that) to|sorry,? i meant|i mean|no,? sorry,?|"
    r"or rather|no,? wait,?|scratch that,?|on second thoughts?,?|"
    rf"no,|let's (?:say|go with|do|make it)(?=\s+(?:(?:next|this) )?(?:{WEEKDAYS}|tomorrow)\b)|"
    r"(?:(?:can|could) (?:we|i|you) (?:do|have|make it)|(?:i|we)(?:'d| would) (?:like|prefer)|"
    r"how about|what about)(?=\s+\w+(?:[:.]\d\d)?\s+instead\b))\s*",
    re.IGNORECASE,
)
"""Words after which a caller says a detail again, corrected: "at 7, no sorry, make that 8",
"it's for Friday at 7, can we do 8 instead?", "Maybe Friday. Or Saturday. Let's say Saturday.",
"at 8, or rather 9", "for 4, no wait, 5"."""


def _said_again(head: str, tail: str, today: date, asked: str | None = None) -> dict:
    """The details `tail` corrects in `head`; a bare number ("make that 8") corrects the
    number said last before it: a time after "at" or in answer to "What time?" (unless it
    was said as people), else the party size. Details said after that number's clause are
    taken too ("Actually make that 5. Tomorrow at 6.")."""
    new = {
        "at": parse_time(tail),
        "party_size": parse_party_size(tail),
        "day": parse_date(tail, today),
    }
    new = {slot: value for slot, value in new.items() if value is not None}
    clause = re.split(r"(?<=[,.!?;])\s+", with_digits(tail), maxsplit=1)[0]
    if not re.fullmatch(r"\W*(?:it's |to )?\d{1,2}(?:[:. ]\d{2})?\W*\w*\W*", clause):
        return new
    head = with_digits(head)
    numbers = [*re.finditer(r"\b\d{1,2}\b", head)]
    if not numbers:
        return new
    before, after = head[: numbers[-1].start()], head[numbers[-1].end() :]
    people = re.match(r"\s*(?:people|persons|guests|of us)\b", after)
    timed = re.search(r"\b(?:at|about|around)\s*$", before) or re.match(
        r"\s*(?:[ap]m|o'?clock)", after
    )
    if not people and (timed or asked == "at"):
        at = parse_time(clause, bare=True)
        return {**new, "at": at} if at else new
    size = parse_party_size(clause, bare=True)
    return {**new, "party_size": size} if size else new


LONE_NUMBER = re.compile(r"(?:^|[.!?;]\s+)(\d{1,2}(?:[:.]\d{2})?)\s*(?=[.!?;]|$)")
"""A sentence that is one number: "Table for two. Friday. Seven. Jack Lee."."""


def _lone_hour(text: str) -> time | None:
    """The time said as a sentence of its own among a day and a party size said otherwise:
    the one detail left that a number can be."""
    lone = [parse_time(found[1], bare=True) for found in LONE_NUMBER.finditer(with_digits(text))]
    return lone[0] if len(lone) == 1 else None


TIME_MARKED = re.compile(
    r"\d[:.]\d\d|\d\s*[ap]\.?m\b|\b(?:o'?clock|half|quarter|past|noon|midday|evening|lunch|at \d)",
    re.IGNORECASE,
)
"""A time said as one, not a bare number."""
OLD_TIME = re.compile(
    r"\b(?:instead of|rather than|not) (?:at )?\d{1,2}(?:[:.]\d{2})?(?: ?[ap]\.?m\.?)?(?![\d:.])"
)
"""A time said as the one not wanted ("can it be 8 rather than 7:30?")."""
SAID_AS_THE_NAME = re.compile(
    r"\b(?:my name is|my name's|the name is|the name's|under the name(?: of)?)\s+"
    r"(?:(?!(?:and|for|at|on|with|phone|number|please|table|people)\b)[\w'-]+\s*){1,3}",
    re.IGNORECASE,
)
"""Words said as the name ("No, the name is three o'clock": Whisper's "Freya Lund"): no time,
party size or day."""
HESITATION = re.compile(r",?\s*\b(?:u+m+|u+h+|e+r+|e+r+m+|h+m+)\b,?", re.IGNORECASE)
"""A hesitation and its commas, which split "at, um, seven" from its time."""
HOLD_ON = re.compile(
    r"\b(?:(?:hold|hang) on|wait|just|give me|bear with me(?: for)?)?,?\s*(?:a|one|1)\s+"
    r"(?:sec|second|secs|seconds|moment|minute|mo|tick)\b|\b(?:hold|hang) on\b|\bbear with me\b",
    re.IGNORECASE,
)
"""A caller asking for a moment ("Hold on one sec.", "Give me a second"): no time, no one."""


def parse_slots(text: str, today: date, region: str, asked: str | None = None) -> Slots:
    """Every booking detail in one utterance. `asked` names the detail just asked for,
    so a bare answer ("four", "Anna", "seven thirty") fills it."""
    text = written_days_whole(HOLD_ON.sub(" ", HESITATION.sub("", text)).strip())
    spoken = with_digits(text)  # lower case: "Sat" is Saturday only before it
    found = find_phone(spoken, region, bare=asked == "phone")
    phone_guessed = found is None
    found = found or guess_phone(spoken, region, bare=asked == "phone")
    phone = found[0] if found else None
    # The digits of a phone number are not also a party size or a time.
    rest = spoken.replace(found[1], " ") if found else text
    rest = SAID_AS_THE_NAME.sub(" ", rest)
    # Nor is the number of a party size named as such ("the number of people to 3").
    named = re.search(PARTY_NAMED, with_digits(rest))
    timed = with_digits(rest).replace(named[0], " ") if named else rest
    timed = OLD_TIME.sub(" ", with_digits(timed))  # "8 rather than 7:30": not the 7:30
    at, time_guessed = _read_time(timed, bare=asked == "at")
    time_guessed |= at != _read_time(timed, bare=asked == "at", hear_alike=False)[0]
    size = parse_party_size(rest, bare=asked == "party_size")
    size_guessed = size != parse_party_size(rest, bare=asked == "party_size", hear_alike=False)
    # A bare answer said twice ("Four. Actually five.", "Eight. Actually nine."): the asked
    # detail is read from after the last cue; the correction below then keeps it.
    cues = [*SAID_AGAIN.finditer(timed)]
    if asked in ("at", "party_size") and cues and timed[: cues[-1].start()].strip():
        tail = timed[cues[-1].end() :]
        if asked == "at" and at is None:
            at, time_guessed = _read_time(tail, bare=True)
        if asked == "party_size" and size is None:
            size = parse_party_size(tail, bare=True)
    if (
        asked == "party_size"
        and size is not None
        and at is not None
        and not TIME_MARKED.search(rest)
    ):
        at = None  # "Let's say five." to "For how many people?": five people, not 5 pm
    day = parse_date(rest, today)
    if at is None and size is not None and day is not None:
        at = _lone_hour(rest)
    guessed = {
        "day": day != parse_date(rest, today, hear_alike=False),
        "at": time_guessed,
        "party_size": size_guessed,
        "phone": phone is not None and phone_guessed,
    }
    # "Move it to Friday, same time": the time stays the booking's, whatever else was heard as
    # one ("Good afternoon" heard as "Don't have to noon").
    kept = {m[1].lower() for m in re.finditer(r"\bsame (time|day|date)\b", text, re.IGNORECASE)}
    at = None if "time" in kept else at
    day = None if kept & {"day", "date"} else day
    for cue in reversed([*SAID_AGAIN.finditer(rest)]):
        if not any((at, size, day)) or not rest[: cue.start()].strip():
            break  # nothing said before the cue to correct
        if corrected := _said_again(rest[: cue.start()], rest[cue.end() :], today, asked):
            if "party_size" in corrected and "at" not in corrected and asked == "at":
                # "Eight people. No sorry, six." to "What time?": the six is no time.
                at = _read_time(timed)[0]
            at, size, day = (
                corrected.get(k, v) for k, v in (("at", at), ("party_size", size), ("day", day))
            )
            guessed.update(dict.fromkeys(corrected, False))
            break
    return Slots(
        day=day,
        at=at,
        party_size=size,
        name=parse_name(text, bare=asked == "name", answering=asked is not None),
        phone=phone,
        notes=parse_notes(text),
        unsure=frozenset(slot for slot, guess in guessed.items() if guess),
    )
