"""Tuning callers for bench.task_success (`--tuning`): whole calls to tune on.

The callers of bench/task_success_script.py and its voices are held out: never
tuned on. These are written apart from them, with their own names, openings and
numbers, and said by the five voices bench.booking_slots tunes on (Piper at length
scale 1.05 and four espeak-ng voices). Like the held-out callers, they give the
task, day, time, party, name and number in one breath, in their own order.
"""

from dataclasses import dataclass

from bench.task_success_script import CallScript, phone_of

VOICES = (
    "piper x1.05",
    "espeak-ng en-us",
    "espeak-ng en-gb",
    "espeak-ng en-gb-scotland",
    "espeak-ng en-us+f2",
)

TASK_LINES = {
    "book": "I'd like to make a booking, please.",
    "change": "I need to change a reservation.",
    "cancel": "I need to cancel a reservation.",
}

# (opening with {name} and {phone}, day, time, party, the booking before the call, change words)
SCRIPTS = (
    ("book", "Good evening, {name} speaking. Could I book a table for two on {day} at eight "
     "pm? You can reach me on {phone}.", "saturday", "20:00", 2, None, ""),
    ("book", "Hi there, table for four {day} at seven thirty please, the name's {name}, "
     "number {phone}.", "tomorrow", "19:30", 4, None, ""),
    ("book", "Hello, my number is {phone} and I'd like a table for six on {day} at seven, "
     "it's {name}.", "friday", "19:00", 6, None, ""),
    ("change", "Hi, {name} here, phone {phone}. I'd like to move my booking on {day} to eight "
     "pm.", "thursday", "20:00", 2, ("thursday", "19:00", 2), "Eight pm, please."),
    ("change", "Hello, it's {name}. Can I reschedule my booking for {day}, make it five "
     "people instead? My number is {phone}.", "saturday", "19:30", 5, ("saturday", "19:30", 3),
     "Five people, please."),
    ("change", "I need to change my booking, it's under {name}, {phone}. Could we come at "
     "eight thirty on {day} instead?", "friday", "20:30", 4, ("friday", "19:00", 4),
     "Eight thirty, please."),
    ("cancel", "Hi, this is {name}, I'd like to cancel my booking for {day}. My number is "
     "{phone}.", "saturday", "20:00", 2, ("saturday", "20:00", 2), ""),
    ("cancel", "Hello, could you cancel the reservation under {name} please, phone number "
     "{phone}.", "tomorrow", "19:00", 3, ("tomorrow", "19:00", 3), ""),
    ("cancel", "{name} speaking, my number's {phone}, please cancel our table on {day}.",
     "sunday", "13:00", 4, ("sunday", "13:00", 4), ""),
    # Written on 30 Nov 2026 after the first nine: other orders, "half seven", "the two of
    # us", a change of day, a cancellation said before the day.
    ("book", "Hiya, could I get a table for three people for {day} evening, half seven, "
     "under {name}? My mobile is {phone}.", "friday", "19:30", 3, None, ""),
    ("book", "Hello. I'm after a reservation. The two of us, {day}, around quarter past "
     "eight. It's {name} and my number's {phone}.", "saturday", "20:15", 2, None, ""),
    ("book", "Yes hello, {name} calling, I want to reserve for five people, {day} at six pm "
     "please, my phone number is {phone}.", "tomorrow", "18:00", 5, None, ""),
    ("change", "Hi, it's {name}, number {phone}. We booked for {day} but can we change it to "
     "nine o'clock?", "friday", "21:00", 2, ("friday", "19:30", 2), "Nine o'clock, please."),
    ("change", "Hello, I have a table booked on {day} under {name}. Could we make it a table "
     "for six instead? My number's {phone}.", "saturday", "19:00", 6, ("saturday", "19:00", 4),
     "Six people, please."),
    ("change", "Good afternoon. {name}, {phone}. I want to move my reservation from Thursday "
     "to {day}, same time.", "friday", "19:30", 2, ("thursday", "19:30", 2), "Friday, please."),
    ("cancel", "Hi, I won't be able to make it on {day}, can you cancel it? Name's {name}, "
     "number {phone}.", "saturday", "19:00", 2, ("saturday", "19:00", 2), ""),
    ("cancel", "Hello, {name} here. I'd like to cancel, please. The booking's for {day}. My "
     "number is {phone}.", "tomorrow", "20:00", 4, ("tomorrow", "20:00", 4), ""),
    ("cancel", "Could you cancel my table for {day}? It's under {name}, {phone}.", "friday",
     "18:30", 2, ("friday", "18:30", 2), ""),
)  # fmt: skip
NAMES = ("Oliver Grant", "Hannah Cole", "Rahul Mehta", "Grace Fletcher", "Louis Girard",
         "Isla Campbell", "Ethan Price", "Zara Ahmed", "Felix Wagner", "Megan Doyle",
         "Sam Okafor", "Ruth Bennett", "Leo Marsh", "Nadia Karim", "Gareth Powell",
         "Julia Novak", "Tom Ellis", "Priya Nair")  # fmt: skip


@dataclass(frozen=True)
class TuningCallScript(CallScript):
    """A tuning caller: says the task again in its own words when not understood."""

    def again(self, asked: str, attempt: int) -> str:
        if asked == "opening" and attempt % 3 == 1:
            return TASK_LINES[self.task]
        return super().again(asked, attempt)


def scripted_calls(scripts, names, first_phone: int) -> list[TuningCallScript]:
    """Callers from (task, opening, day, time, party, booking before, change words) rows, each
    with its name and a made-up number of its own (`phone_of(first_phone + row)`)."""
    calls = []
    for i, (task, opening, day, at, party, booked, change) in enumerate(scripts):
        e164, said = phone_of(first_phone + i)
        spoken_day = day if day == "tomorrow" else day.capitalize()
        calls.append(
            TuningCallScript(
                task,
                names[i],
                e164,
                said,
                opening.format(name=names[i], phone=said, day=spoken_day),
                day,
                at,
                party,
                booked=booked,
                change_words=change,
            )
        )
    return calls


CALLS = scripted_calls(SCRIPTS, NAMES, first_phone=500)
