"""Days said by a name dateparser does not read, as a date it does.

Holidays ("Christmas Eve", "Boxing Day") become their day of the month, written days
("Sat", "Wed 9th") their whole name, and "a week today", "a fortnight" a number of days
or weeks: flows/booking_slots.py then reads the date as it reads any other.
"""

import re

HOLIDAYS = {
    r"christmas eve|xmas eve": "the 24th of december",
    r"christmas day|xmas day|christmas|xmas": "the 25th of december",
    r"boxing day": "the 26th of december",
    r"new year'?s eve|hogmanay": "the 31st of december",
    r"new year'?s day": "the 1st of january",
    r"valentine'?s day|valentine'?s": "the 14th of february",
}
"""Days every caller knows by name (the restaurant's own closures are its rules')."""
WRITTEN_DAYS = {
    "Mon": "Monday",
    "Tue": "Tuesday",
    "Tues": "Tuesday",
    "Wed": "Wednesday",
    "Thu": "Thursday",
    "Thur": "Thursday",
    "Thurs": "Thursday",
    "Fri": "Friday",
    "Sat": "Saturday",
    "Sun": "Sunday",
}
"""Capitalised only: "we sat by the window" names no day."""
WEEK_FROM_NOW = {"a week today": "in 7 days", "a week tomorrow": "in 8 days"}


def written_days_whole(text: str) -> str:
    """`text` with the days written short ("Sat") written whole, before the case is lost."""
    return re.sub(
        rf"\b({'|'.join(WRITTEN_DAYS)})\b\.?",
        lambda m: WRITTEN_DAYS[m[1]],
        text.replace("\u2019", "'"),
    )


def said_plainly(text: str) -> str:
    """`text` with the days above said as dateparser reads them."""
    text = written_days_whole(text)
    for said, day in HOLIDAYS.items():
        text = re.sub(rf"\b(?:on )?(?:{said})\b", day, text, flags=re.IGNORECASE)
    for said, days in WEEK_FROM_NOW.items():
        text = re.sub(rf"\b{said}\b", days, text, flags=re.IGNORECASE)
    return re.sub(r"\ba fortnight\b", "2 weeks", text, flags=re.IGNORECASE)
