"""A call full of personal data, spoken through the real offline pipeline (Whisper ->
on-device brain -> Piper): afterwards no log line and no stored transcript holds any of it.

Logs are captured at DEBUG, the level Pipecat's dev runner logs at, where Pipecat's
own services write every transcript. The booking itself keeps the name and phone
it needs (in the reservations database, which is not searched here).
"""

import re

import pytest
from loguru import logger
from sqlalchemy import text

from conversation.call_records import CallRecordStore
from harness.call import ScriptedCall
from harness.voices import piper_speech
from settings import Settings
from tests.fakes.spelling import digit_runs, says_word, shares_digits

pytestmark = pytest.mark.e2e

SCRIPT = [
    "Hi, I'd like to book a table for four tomorrow at seven.",
    "Sarah Johnson.",  # a bare answer to "What name should I put the booking under?"
    # No digit twice in a row, which Whisper tiny may merge ("one one one" as two ones).
    "It's oh seven nine one two, three four five, six seven eight.",
    "You can email me at sarah.johnson@example.com.",
    "My card number is 4111 1111 1111 1111, and we live at 42 Baker Street.",
]
PHONE_DIGITS = "07912345678"
CARD_DIGITS = "4111111111111111"
# "@example", "at example", or glued as Whisper heard it: "johnsonatexample.com".
EMAIL_DOMAIN = re.compile(r"(?:@\s*|\bat\s+|[a-z]at)example\b", re.IGNORECASE)


def personal_data_in(text: str) -> set[str]:
    """Which of the caller's personal data `text` holds, in whatever spelling Whisper,
    the bot or a log gave it: digits in words, digits with any separators, close
    spellings of the names. A number counts once it has six of its digits in a row, or
    starts as the phone number or the card does."""
    found = set()
    for run in digit_runs(text):
        if shares_digits(run, PHONE_DIGITS) or run.startswith(("7912", "07912", "447912")):
            found.add("phone")
        if shares_digits(run, CARD_DIGITS) or run.startswith("4111") or run == "1111":
            found.add("card")
    if says_word(text, "sarah") or says_word(text, "johnson"):
        found.add("name")
    if says_word(text, "baker"):
        found.add("address")
    if EMAIL_DOMAIN.search(text):
        found.add("email")
    return found


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path}/reservations.db",
        conversations_database_url=f"sqlite:///{tmp_path}/conversations.db",
    )


def stored_text(store: CallRecordStore) -> list[str]:
    """Every text value in every table of the call records."""
    values = []
    with store.engine.connect() as connection:
        for table, columns in {
            "conversation_turns": ("caller_text", "bot_text"),
            "conversation_tool_calls": ("name", "arguments", "result"),
            "conversation_state_snapshots": ("state",),
        }.items():
            for row in connection.execute(text(f"select {', '.join(columns)} from {table}")):
                values += [str(value) for value in row if value is not None]
    return values


async def test_no_personal_data_reaches_a_log_line_or_a_stored_transcript(settings):
    speech = [piper_speech(line, settings.piper_voice, length_scale=1.15) for line in SCRIPT]
    lines: list[str] = []
    sink = logger.add(lines.append, level="DEBUG", format="{level} | {message}")
    try:
        async with ScriptedCall(settings) as call:
            await call.greet()
            turns = [await call.say(pcm, reply_timeout=25) for pcm in speech]
    finally:
        logger.remove(sink)
    heard = [turn.transcript for turn in turns]

    # The personal data really went through: what Whisper wrote (so Pipecat logged it
    # raw before redaction) holds the name and the phone number, however it spelled them.
    assert {"name", "phone"} <= personal_data_in(" ".join(heard)), heard

    leaks = [(line, found) for line in lines if (found := personal_data_in(line))]
    assert leaks == [], leaks[:5]

    store = CallRecordStore.open(settings.conversations_database_url)
    stored = stored_text(store)
    assert len(stored) >= 2 * len(SCRIPT)
    assert [(value, found) for value in stored if (found := personal_data_in(value))] == []

    # Every line logged inside the call carries its correlation id.
    in_call = [line for line in lines if "[call " in line]
    assert len(in_call) > 50
    assert all(re.search(r"\[call [0-9a-f]{8} turn \d+\]", line) for line in in_call)

    # At INFO and above, no transcript text at all, redacted or not: no three words in a
    # row of anything the caller or the bot said.
    said = [t.transcript for t in turns] + [t.reply for t in turns]
    phrases = {
        " ".join(words[i : i + 3])
        for t in said
        if (words := _words(t))
        for i in range(len(words) - 2)
    }
    info = [" ".join(_words(line)) for line in lines if not line.startswith("DEBUG")]
    assert info
    assert [line for line in info if any(phrase in line for phrase in phrases)] == []


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())
