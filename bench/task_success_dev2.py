"""A second batch of development callers for bench.task_success (`--dev 2`): read in full to
find failures, so tuned on, like bench/task_success_dev.py.

Written on 3 Dec 2026 apart from the other three sets: their own names, numbers and openings
(a caller who corrects a detail mid-sentence, "me and three friends", "bring it forward",
"call off"), and six voices no other set uses: five espeak-ng variants (two Whisper tiny.en
mishears more than most: en-us+m4 drops digits, en-gb+f3 runs words together) and Piper at a
slower pace. The voices follow the calls in turn, so each task meets two of them.
"""

from bench.task_success_tuning import scripted_calls

VOICES = (
    "espeak-ng en-gb-scotland+m3",
    "espeak-ng en-us+m4",
    "espeak-ng en-gb+f3",
    "piper x0.9",
    "espeak-ng en-gb+Andy",
    "espeak-ng en-us+Annie",
)
# (task, opening with {name}, {phone} and {day}, day, time, party, the booking before the call,
# change words)
SCRIPTS = (
    ("book", "Hello, could I book a table for {day} at seven, no sorry, half past seven, for "
     "four people? I'm {name} and my mobile is {phone}.", "friday", "19:30", 4, None, ""),
    ("change", "Hi, this is {name}. We're booked in for {day} at eight but could you bring it "
     "forward to seven? The number is {phone}.", "saturday", "19:00", 2,
     ("saturday", "20:00", 2), "Seven o'clock, please."),
    ("cancel", "Hello, I'm afraid I need to call off my reservation on {day}. It's {name}, "
     "{phone}.", "wednesday", "19:00", 4, ("wednesday", "19:00", 4), ""),
    ("book", "Hi there, it's for me and three friends, so four of us, {day} evening at eight. "
     "Name's {name}, you can ring me on {phone}.", "saturday", "20:00", 4, None, ""),
    ("change", "Hello, {name} calling about my booking on {day}. Can we make it for six people "
     "now? My phone is {phone}.", "thursday", "19:30", 6, ("thursday", "19:30", 4),
     "Six people, please."),
    ("cancel", "Hi, it's {name}, I've got a table on {day} that I need to cancel. My number is "
     "{phone}. Sorry about that.", "friday", "20:00", 2, ("friday", "20:00", 2), ""),
    ("book", "Good evening, my number is {phone} and my name is {name}. I'd like a table for "
     "two on {day} at quarter to eight.", "thursday", "19:45", 2, None, ""),
    ("change", "Hi, I need to change a booking under the name {name}, phone number {phone}. "
     "It's on {day}, and we'd like to come at half past seven instead.", "monday", "19:30", 3,
     ("monday", "18:30", 3), "Half past seven, please."),
    ("cancel", "Hello, please could you cancel my booking? The name is {name}. It was for "
     "{day}. My phone number is {phone}.", "tuesday", "18:30", 2, ("tuesday", "18:30", 2), ""),
    ("book", "Hi, yes, I'd like to book a table. {day} at six pm for three. {name}. {phone}.",
     "wednesday", "18:00", 3, None, ""),
    ("change", "Hi, {name}, on {phone}. Our table on {day} is for four but two more are "
     "coming, so six please.", "friday", "19:00", 6, ("friday", "19:00", 4),
     "Six people, please."),
    ("cancel", "Good morning, this is {name}. I have to cancel the booking for {day} night. "
     "You can find it under {phone}.", "saturday", "20:30", 5, ("saturday", "20:30", 5), ""),
    ("book", "Hello, I'm after a table for five people {day} lunchtime, about one o'clock. "
     "It's {name}, and my number is {phone}.", "tomorrow", "13:00", 5, None, ""),
    ("change", "Hello, it's {name} here, phone {phone}. I booked a table for {day} at seven, "
     "can we push it to eight instead?", "wednesday", "20:00", 2, ("wednesday", "19:00", 2),
     "Eight o'clock, please."),
    ("cancel", "Hi, I'd like to cancel a table. {name}, {phone}, it's for {day}.", "thursday",
     "19:15", 3, ("thursday", "19:15", 3), ""),
    ("book", "Hi, {name} here. Do you have anything on {day} at half past six for a party of "
     "seven? My number is {phone}.", "tuesday", "18:30", 7, None, ""),
    ("change", "Hiya, I've got a reservation on {day} under {name}. We're only three now, not "
     "four. My number is {phone}.", "sunday", "13:00", 3, ("sunday", "13:00", 4),
     "Three people, please."),
    ("cancel", "Hello, this is {name}, number {phone}. We can't come on {day} any more, could "
     "you cancel our table?", "monday", "20:00", 6, ("monday", "20:00", 6), ""),
)  # fmt: skip
NAMES = ("Helen Ward", "Kofi Asante", "Margot Leclerc", "Dylan Rhys", "Amira Saleh",
         "Callum Reid", "Freya Lund", "Joseph Okoro", "Mei Chen", "Patrick Nolan",
         "Ines Duarte", "Stuart Bell", "Lucy Hart", "Omar Farouk", "Rosa Alvarez",
         "Adam Kowalski", "Tessa Moore", "Hugo Brandt")  # fmt: skip

CALLS = scripted_calls(SCRIPTS, NAMES, first_phone=1200)
