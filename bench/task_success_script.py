"""The callers of bench.task_success: written for that bench only, never tuned on.

Names are made up and the numbers are made-up UK mobiles (07911 then six digits, as in
the evals), kept on this machine in a throw-away database. Days are said relative to the day the bench
runs ("tomorrow", "on Friday" = the coming Friday, never today), so the right answer
follows from the restaurant's clock.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as clock_time

import phonenumbers

# Voices never used while tuning (bench.booking_slots tunes on Piper x1.05 and four
# espeak-ng voices). Piper x0.95 is the tuned Piper voice at a pace never tuned on.
VOICES = (
    "espeak-ng en-029+m3",
    "espeak-ng en-gb-x-rp+f4",
    "espeak-ng en-us-nyc",
    "piper x0.95",
)

NAMES = (
    "Maria Lopez", "Tom Becker", "Priya Shah", "Owen Hughes", "Chloe Martin",
    "Daniel Reed", "Sofia Rossi", "James Carter", "Emma Walsh", "Lucas Moreau",
    "Hannah Price", "Ravi Patel", "Grace Lin", "Noah Fischer", "Isla Grant",
    "Leo Novak", "Amelia Ward", "Ethan Cole", "Zara Khan", "Oscar Lund",
)  # fmt: skip
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# (what the caller opens with, day, time, party size); {name} and {phone} are filled in.
BOOK = [
    ("Hi, this is {name}. Could I book a table for four on Friday at half seven? My number is {phone}.", "friday", "19:30", 4),
    ("Hello, my name's {name}, my wife and I would like a table tomorrow at eight. You can reach me on {phone}.", "tomorrow", "20:00", 2),
    ("Good evening, it's {name} here. A party of six on Saturday at seven o'clock, please. My phone number is {phone}.", "saturday", "19:00", 6),
    ("Hi, I'd like a table for three on Thursday at quarter to eight. The name is {name} and my number is {phone}.", "thursday", "19:45", 3),
    ("Hello, this is {name}, number {phone}. Can we have a table for five on Wednesday at six thirty?", "wednesday", "18:30", 5),
    ("Hi there, {name} speaking. The two of us would like to come on Tuesday at one o'clock. My number is {phone}.", "tuesday", "13:00", 2),
    ("Hi, can I book for eight people the day after tomorrow at seven? It's {name}, on {phone}.", "day after tomorrow", "19:00", 8),
    ("Hello, I'd like to book a table for two on Monday at quarter past seven. My name is {name} and my number is {phone}.", "monday", "19:15", 2),
    ("Hi, it's {name}. Table for four on Saturday at half past eight please. My number's {phone}.", "saturday", "20:30", 4),
    ("Good afternoon, could I reserve for three people tomorrow at twelve thirty? Name {name}, phone {phone}.", "tomorrow", "12:30", 3),
    ("Hello, {name} here, can I get a table for six on Friday at eight fifteen? My number is {phone}.", "friday", "20:15", 6),
    ("Hi, a table for two on Thursday at seven please. This is {name}, my number is {phone}.", "thursday", "19:00", 2),
    ("Hi, me and my husband would like a table on Wednesday at half six. I'm {name} and my number is {phone}.", "wednesday", "18:30", 2),
    ("Hello, booking for five on Tuesday at eight o'clock, under {name}, phone {phone}.", "tuesday", "20:00", 5),
    ("Hi, this is {name}. Could we come on Saturday at one thirty for four people? My number is {phone}.", "saturday", "13:30", 4),
    ("Hello, could I book for seven tomorrow at six pm? My name is {name}, and you can call me on {phone}.", "tomorrow", "18:00", 7),
    ("Hi, I'm {name}. A table for three on Monday at two in the afternoon, please. My number is {phone}.", "monday", "14:00", 3),
    ("Hi there, table for two on Friday at nine, under the name {name}. My number is {phone}.", "friday", "21:00", 2),
    ("Hello, it's {name}, I'd like to book for four people on Thursday at half past seven. My number is {phone}.", "thursday", "19:30", 4),
    ("Hi, could I have a table for six on Wednesday at eight? It's {name}, and my number is {phone}.", "wednesday", "20:00", 6),
]  # fmt: skip

# (booked day, time, party size), what the caller asks for, and the new time or party size.
CHANGE = [
    ("friday", "19:00", 2, "four people", None, 4),
    ("saturday", "20:00", 4, "half past seven", "19:30", None),
    ("thursday", "19:30", 2, "eight o'clock", "20:00", None),
    ("tuesday", "18:00", 3, "five people", None, 5),
    ("wednesday", "19:00", 4, "quarter past eight", "20:15", None),
    ("monday", "20:00", 2, "three people", None, 3),
    ("friday", "20:30", 6, "seven o'clock", "19:00", None),
    ("saturday", "13:00", 2, "two thirty", "14:30", None),
    ("thursday", "18:30", 5, "six people", None, 6),
    ("tuesday", "19:30", 2, "a quarter to seven", "18:45", None),
    ("wednesday", "20:00", 3, "two people", None, 2),
    ("monday", "19:00", 4, "half past six", "18:30", None),
    ("friday", "19:45", 2, "eight thirty", "20:30", None),
    ("saturday", "18:00", 8, "six people", None, 6),
    ("thursday", "20:00", 4, "seven fifteen", "19:15", None),
    ("tuesday", "13:30", 3, "four people", None, 4),
    ("wednesday", "18:30", 2, "seven thirty", "19:30", None),
    ("monday", "12:30", 6, "one o'clock", "13:00", None),
    ("friday", "20:00", 3, "five people", None, 5),
    ("saturday", "19:30", 2, "eight o'clock", "20:00", None),
]
CHANGE_OPENINGS = (
    "Hi, I need to change my booking. The name is {name} and the number is {phone}. Could we make it {change} instead?",
    "Hello, this is {name}, phone {phone}. I'd like to change my reservation to {change}, please.",
    "Hi, it's {name}. I've got a booking under {phone}, can you change it to {change}?",
)  # fmt: skip

# (booked day, time, party size)
CANCEL = [
    ("friday", "19:00", 2), ("saturday", "20:00", 4), ("thursday", "19:30", 3),
    ("tuesday", "18:30", 2), ("wednesday", "20:00", 5), ("monday", "19:00", 2),
    ("friday", "20:30", 6), ("saturday", "13:00", 2), ("thursday", "18:00", 4),
    ("tuesday", "19:45", 2), ("wednesday", "12:30", 3), ("monday", "20:00", 4),
    ("friday", "19:15", 2), ("saturday", "18:30", 8), ("thursday", "20:15", 2),
    ("tuesday", "13:30", 3), ("wednesday", "19:30", 2), ("monday", "18:00", 6),
    ("friday", "20:00", 3), ("saturday", "19:00", 2),
]  # fmt: skip
CANCEL_OPENINGS = (
    "Hi, I need to cancel my booking for {day}. The name is {name} and the number is {phone}.",
    "Hello, this is {name}, I'd like to cancel my reservation please. My number is {phone}.",
    "Hi, it's {name}, phone {phone}. Please cancel my table on {day}, we can't make it.",
    "Hello, could you cancel the booking under {name}? The number is {phone}.",
)


TASK_LINES = {
    "book": "I'd like to book a table, please.",
    "change": "I'd like to change my booking, please.",
    "cancel": "I'd like to cancel my booking, please.",
}


def day_on(spoken: str, today: date) -> date:
    """ "tomorrow", "day after tomorrow", or the coming weekday (never today)."""
    if spoken == "tomorrow":
        return today + timedelta(days=1)
    if spoken == "day after tomorrow":
        return today + timedelta(days=2)
    weekday = WEEKDAYS.index(spoken)
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


HOURS = ("twelve", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "ten", "eleven")  # fmt: skip
MINUTES = {0: "o'clock", 15: "fifteen", 30: "thirty", 45: "forty-five"}


def phone_of(index: int) -> tuple[str, str]:
    """A made-up UK mobile (E.164) and how the caller says it, digit by digit."""
    pick = random.Random(index)
    while True:
        local = "07911" + "".join(str(pick.randint(1, 9)) for _ in range(6))
        if phonenumbers.is_valid_number(phonenumbers.parse(local, "GB")):
            break
    said = f"{_digits(local[:5])}, {_digits(local[5:8])}, {_digits(local[8:])}"
    return "+44" + local[1:], said


def _digits(digits: str) -> str:
    return " ".join(DIGITS[int(d)] for d in digits)


@dataclass(frozen=True)
class CallScript:
    """One caller: the task, their details, and what they want the database to hold."""

    task: str
    name: str
    phone_e164: str
    phone_words: str
    opening: str
    day: str
    at: str
    party: int
    booked: tuple[str, str, int] | None = None
    """For a change or a cancellation: the booking made before the call."""
    change_words: str = ""

    @property
    def day_words(self) -> str:
        return "Tomorrow." if self.day == "tomorrow" else f"On {self.day.capitalize()}."

    @property
    def time_words(self) -> str:
        at = clock_time.fromisoformat(self.at)
        hour = at.hour % 12 or 12
        return f"{hour}:{at.minute:02d} pm" if at.minute else f"{hour} pm"

    @property
    def party_words(self) -> str:
        return str(self.party)

    def again(self, asked: str, attempt: int) -> str:
        """What the caller says the `attempt`-th time (0 first) the bot asks for `asked`:
        said another way each time, as a caller does when not understood."""
        at = clock_time.fromisoformat(self.at)
        hour = HOURS[at.hour % 12]
        minute = MINUTES.get(at.minute, str(at.minute))
        day = "tomorrow" if self.day == "tomorrow" else self.day.capitalize()
        digits = self.phone_e164.replace("+44", "0")
        ways = {
            "time": (f"At {self.time_words}.", f"{hour} {minute} in the evening.", f"{hour} {minute}."),
            "day": (self.day_words, f"{day}, please.", f"It's for {day}."),
            "party": (f"{self.party} people.", f"We are {self.party}.", f"A table for {self.party}."),
            "phone": (
                f"It's {self.phone_words}.",
                f"{_digits(digits[:3])}, {_digits(digits[3:6])}, {_digits(digits[6:9])}, {_digits(digits[9:])}.",
                f"My number is {_digits(digits)}.",
            ),
            "name": (f"It's {self.name}.", f"The name is {self.name}.", f"{self.name}."),
            "opening": (self.opening, TASK_LINES[self.task], self.opening),
        }[asked]  # fmt: skip
        return ways[attempt % len(ways)]

    def wanted(self, today: date) -> dict:
        return {
            "date": day_on(self.day, today),
            "time": clock_time.fromisoformat(self.at),
            "party_size": self.party,
        }

    def existing(self, today: date) -> tuple[date, clock_time, int]:
        day, at, party = self.booked
        return day_on(day, today), clock_time.fromisoformat(at), party


def _calls() -> list[CallScript]:
    books, changes, cancels = [], [], []
    for i, (opening, day, at, party) in enumerate(BOOK):
        name, (e164, said) = NAMES[i], phone_of(i)
        books.append(
            CallScript(
                "book", name, e164, said, opening.format(name=name, phone=said), day, at, party
            )
        )
    for i, (day, at, party, words, new_at, new_party) in enumerate(CHANGE):
        name, (e164, said) = NAMES[(i + 7) % len(NAMES)], phone_of(20 + i)
        opening = CHANGE_OPENINGS[i % len(CHANGE_OPENINGS)]
        changes.append(
            CallScript(
                "change", name, e164, said, opening.format(name=name, phone=said, change=words),
                day, new_at or at, new_party or party, booked=(day, at, party),
                change_words=f"Make it {words}, please.",
            )
        )  # fmt: skip
    for i, (day, at, party) in enumerate(CANCEL):
        name, (e164, said) = NAMES[(i + 13) % len(NAMES)], phone_of(40 + i)
        opening = CANCEL_OPENINGS[i % len(CANCEL_OPENINGS)]
        cancels.append(
            CallScript(
                "cancel", name, e164, said,
                opening.format(name=name, phone=said, day=day.capitalize()),
                day, at, party, booked=(day, at, party),
            )
        )  # fmt: skip
    # Interleaved, so a run cut short still has every task.
    return [call for trio in zip(books, changes, cancels, strict=True) for call in trio]


CALLS = _calls()
