"""What the restaurant's callers are likely to say next, as prompts for Whisper.

services/turn_prompted_whisper.py gives Whisper, as the text "just before" the
caller's turn, a likely answer to the question the bot just asked: digits after
"what number?", a name after "what name?". Whisper then writes the same kind of
answer the same way (a number as digits, which the parser reads best). The
prompts are examples of form only; no slot is ever read from them.
"""

from flows.booking_changes import CHANGE_QUESTIONS
from flows.booking_progress import (
    BOOKING_DAY_QUESTION,
    FIND_NAME_QUESTION,
    FIND_QUESTION,
    QUESTIONS,
)
from flows.phone_heard import FIRST_PART, GO_ON, REST
from services.turn_prompts import TurnPrompts

REQUEST_PROMPT = "I'd like to book a table for two people on Saturday the 5th at half past seven."
"""After the greeting, "anything else?" and whatever the bot asked no question for."""
PHONE_PROMPT = "Oh seven seven zero zero, nine double one, two three four."
"""Digits as words: with "My number is 07911 123456." Whisper took the caller's first digits
for the prompt's and dropped them (bench.turn_prompts: 84 % of numbers right without a prompt,
60 % with that one, 92 % with this)."""
NAME_PROMPT = "The name is Sarah Jones."
DAY_PROMPT = "On Saturday the 5th, please."
TIME_PROMPT = "At half past seven."
PARTY_PROMPT = "Four people."
CHANGES_PROMPT = "Can you move it to eight o'clock on Friday?"

TURN_PROMPTS = {
    QUESTIONS["phone"]: PHONE_PROMPT,
    FIND_QUESTION: PHONE_PROMPT,
    "What number can we reach you on?": PHONE_PROMPT,
    "could you say the whole number again": PHONE_PROMPT,
    GO_ON: PHONE_PROMPT,
    FIRST_PART: PHONE_PROMPT,
    REST: PHONE_PROMPT,
    QUESTIONS["name"]: NAME_PROMPT,
    FIND_NAME_QUESTION: NAME_PROMPT,
    "What name is that booking under": NAME_PROMPT,
    "under the name": "Yes, that's right.",
    QUESTIONS["day"]: DAY_PROMPT,
    BOOKING_DAY_QUESTION: DAY_PROMPT,
    "What other day would suit you?": DAY_PROMPT,
    "Would Saturday or Sunday suit you?": DAY_PROMPT,
    QUESTIONS["at"]: TIME_PROMPT,
    QUESTIONS["party_size"]: PARTY_PROMPT,
    QUESTIONS["changes"]: CHANGES_PROMPT,
    CHANGE_QUESTIONS["party_size"]: PARTY_PROMPT,
    CHANGE_QUESTIONS["at"]: TIME_PROMPT,
    CHANGE_QUESTIONS["day"]: DAY_PROMPT,
    CHANGE_QUESTIONS["check"]: CHANGES_PROMPT,
    "Shall I book it?": "Yes, please book it.",
    "Shall I go ahead?": "Yes, please go ahead.",
    "Was that": "Yes, that's right.",
    "Can we reach you on": "Yes, that's right.",
}
"""The question the bot asked (as it says it) -> the prompt for the caller's answer."""

CALLER_PROMPTS = TurnPrompts(by_question=TURN_PROMPTS, default=REQUEST_PROMPT)

PROMPT_ASKS = {
    REQUEST_PROMPT: ("day", "at", "party_size"),
    DAY_PROMPT: ("day",),
    TIME_PROMPT: ("at",),
    PARTY_PROMPT: ("party_size",),
    CHANGES_PROMPT: ("day", "at", "party_size"),
}
"""The booking details an answer given each prompt is expected to hold (flows/listen_again.py):
after the greeting a booking request's, after "what time?" a time. Not a phone number: said in
groups, it comes in several segments, each of which lacks the whole number."""
