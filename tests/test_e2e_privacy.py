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

pytestmark = pytest.mark.e2e

SCRIPT = [
    "Hi, I'd like to book a table for four tomorrow at seven.",
    "Sarah Johnson.",  # a bare answer to "What name should I put the booking under?"
    "It's oh seven nine one one, one two three, four five six.",
    "You can email me at sarah.johnson@example.com.",
    "My card number is 4111 1111 1111 1111, and we live at 42 Baker Street.",
]
# Digits may be heard or written with spaces, dashes, dots or commas between them.
SEP = r"[\s\-.,]{0,2}"
PHONE_START = r"(?<![#\d])0?" + SEP.join("7911")
PERSONAL = [
    r"sarah",
    r"johnson",
    PHONE_START,  # the phone number, as said, heard, or written by the bot
    r"(?<![#\d])" + SEP.join("123456"),
    r"(?<!#)4,? ?111\b",  # the card (a frame id such as "Frame#4111" is not it)
    r"(?<!#)\b1111\b",
    r"baker",
    r"@example",
]
PERSONAL_PATTERN = re.compile("|".join(PERSONAL), re.IGNORECASE)


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

    # The personal data really went through: Whisper heard it (so it was logged raw by
    # Pipecat before redaction), and the bot read the name and number back.
    assert re.search(r"sarah", " ".join(heard), re.IGNORECASE), heard
    assert re.search(PHONE_START, " ".join(heard)), heard

    leaks = [line for line in lines if PERSONAL_PATTERN.search(line)]
    assert leaks == [], leaks[:5]

    store = CallRecordStore.open(settings.conversations_database_url)
    stored = stored_text(store)
    assert len(stored) >= 2 * len(SCRIPT)
    assert [value for value in stored if PERSONAL_PATTERN.search(value)] == []

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
