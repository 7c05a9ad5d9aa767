"""A third batch of development callers for bench.task_success (`--dev 3`): read in full to
find failures, so tuned on, like bench/task_success_dev.py.

Written on 3 Dec 2026 apart from the other sets, weighted to new bookings (the task the
held-out calls complete least often): their own names and numbers, details in other orders
("{phone} is my number, {name} my name"), a booking with no number in it (asked for), "my
wife and me", "lunch, one o'clock", "bring it forward to half six", and six voices no other
set uses. The voices follow the calls in turn, so each task meets several of them.
"""

from bench.task_success_tuning import scripted_calls

VOICES = (
    "espeak-ng en-us+m2",
    "espeak-ng en-gb-x-gbcwmd+f1",
    "espeak-ng en+klatt4",
    "piper x1.1",
    "espeak-ng en-gb-scotland+f4",
    "espeak-ng en-us+Edward",
)
# (task, opening with {name}, {phone} and {day}, day, time, party, the booking before the call,
# change words)
SCRIPTS = (
    ("book", "Hiya, {name} here, I was hoping to get a table {day}, there'll be five of us, "
     "around seven if you can. Best number for me is {phone}.", "friday", "19:00", 5, None, ""),
    ("book", "Good afternoon, can I reserve a table please? It's for {day} night, eight "
     "o'clock, two people, and the name is {name}. Phone {phone}.", "saturday", "20:00", 2,
     None, ""),
    ("change", "Hi, it's {name}. I've a booking on {day} at seven for two, could we make it "
     "half past seven? My number's {phone}.", "friday", "19:30", 2, ("friday", "19:00", 2),
     "Half past seven, please."),
    ("book", "Hello, I'm ringing to book dinner for my wife and me on {day} at a quarter past "
     "seven. {name}, {phone}.", "thursday", "19:15", 2, None, ""),
    ("cancel", "Hello, {name} here. I'm really sorry but we need to cancel our booking on "
     "{day}. My phone number is {phone}.", "saturday", "20:00", 4, ("saturday", "20:00", 4),
     ""),
    ("book", "Hi, table for six at half six on {day} please. I'm {name}, on {phone}.",
     "saturday", "18:30", 6, None, ""),
    ("change", "Hello, I'm calling to move my reservation to {day}, it was Thursday, same "
     "time. {name}, {phone}.", "friday", "20:00", 4, ("thursday", "20:00", 4),
     "Friday, please."),
    ("book", "Hello there. My name is {name}. I'd love a table on {day} for three people at "
     "eight thirty. You can call me back on {phone}.", "friday", "20:30", 3, None, ""),
    ("cancel", "Hi, can I cancel a reservation? It's for {day}, the number is {phone}, name "
     "{name}.", "friday", "19:00", 2, ("friday", "19:00", 2), ""),
    ("book", "Hi, is it possible to book {day} lunch, one o'clock, a table for four? The name "
     "would be {name} and the mobile is {phone}.", "sunday", "13:00", 4, None, ""),
    ("change", "Hi there, {name}, {phone}. We're five people now instead of three for "
     "{day}.", "saturday", "19:00", 5, ("saturday", "19:00", 3), "Five people, please."),
    ("book", "Hello, can I book for seven people on {day} at seven thirty? I'm {name}.",
     "tuesday", "19:30", 7, None, ""),
    ("cancel", "Hiya, it's {name}, cancel my table on {day} please, the number is {phone}.",
     "sunday", "13:00", 3, ("sunday", "13:00", 3), ""),
    ("book", "Hi, {phone} is my number, {name} my name, and I want a table for two {day} at "
     "nine.", "friday", "21:00", 2, None, ""),
    ("change", "Hello, I'd like to change the time of my booking {day} to six o'clock please. "
     "It's under {name}, number {phone}.", "tomorrow", "18:00", 2, ("tomorrow", "19:30", 2),
     "Six o'clock, please."),
    ("book", "Evening. Looking for a table for four on {day}. About half past eight? Name of "
     "{name}, mobile {phone}.", "saturday", "20:30", 4, None, ""),
    ("change", "Hello, this is {name} on {phone}. Can I bring my {day} booking forward to "
     "half six?", "thursday", "18:30", 2, ("thursday", "19:30", 2), "Half past six, please."),
    ("cancel", "Hi, I booked a table for {day} under the name {name} but we can't make it, "
     "please cancel. Number {phone}.", "monday", "20:00", 2, ("monday", "20:00", 2), ""),
)  # fmt: skip
NAMES = ("Aisha Bello", "Conor Flynn", "Greta Lindqvist", "Lila Moreno", "Niall Quigley",
         "Simone Dubois", "Harvey Stone", "Bella Russo", "Jonah Pike", "Clara Vance",
         "Rohan Desai", "Elif Yilmaz", "Orla Burke", "Vikram Sethi", "Dora Kovacs",
         "Arjun Rao", "Molly Finch", "Theo Laurent")  # fmt: skip

CALLS = scripted_calls(SCRIPTS, NAMES, first_phone=1500)
