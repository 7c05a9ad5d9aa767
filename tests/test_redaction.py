"""Personal data is redacted from transcripts and log lines, kind by kind."""

import pytest

from conversation.redaction import ADDRESS, CARD, EMAIL, NAME, NUMBER, PHONE, REDACTED, Redactor

RESTAURANT = ("Luigi's Trattoria", "12 Harbour Street, next to the fish market")


@pytest.fixture
def redactor() -> Redactor:
    return Redactor("GB", allowed=RESTAURANT)


@pytest.mark.parametrize(
    "said",
    [
        "Call me back on 07911 123456, please.",
        "My number is +44 7911 123456.",
        "It's 020 7946 0958.",
    ],
)
def test_a_written_phone_number_is_redacted(redactor, said):
    redacted = redactor.redact(said)
    assert PHONE in redacted
    assert not any(ch.isdigit() for ch in redacted)


@pytest.mark.parametrize(
    "said",
    [
        "It's oh seven nine one one, one two three, four five six.",
        "It's all 7 9 1 1 1 2 3 4 5 6",  # as Whisper heard the line above
        "five five five, one two three, four five six seven",
    ],
)
def test_a_phone_number_said_digit_by_digit_is_redacted(redactor, said):
    redacted = redactor.redact(said)
    assert NUMBER in redacted
    assert "seven nine one one" not in redacted and "7 9 1 1" not in redacted


@pytest.mark.parametrize(
    "heard",
    [
        "It's O7911, 1, 2, 3, 4, 5, 6.",  # Whisper wrote the spoken "oh" as a letter
        "It's O 7 9 1 1 1 2 3 4 5 6",
        "It's all seven 9 1 1 1 2 3 456",  # "oh" heard as "all"
        "It's o seven nine one one one two three four five six",
    ],
)
def test_a_phone_number_is_redacted_however_whisper_wrote_it(redactor, heard):
    redacted = redactor.redact(heard)
    assert NUMBER in redacted
    assert not any(ch.isdigit() for ch in redacted), redacted


@pytest.mark.parametrize(
    "heard",
    [
        "You can email me at sarah.johnson@example.com",
        "You can email me at Sarah Dot Johnson at example dot com",
    ],
)
def test_an_email_address_holding_a_name_the_call_knows_is_redacted_whole(redactor, heard):
    redactor.remember("name", "Sarah Johnson")
    assert redactor.redact(heard) == f"You can email me at {EMAIL}"


@pytest.mark.parametrize(
    ("said", "gone"),
    [
        ("Email me at anna.kowalski@example.com please", "anna.kowalski@example.com"),
        ("it's anna dot kowalski at example dot co dot uk", "kowalski at example"),
        ("You can email me at sera.johnsonatexample.com", "johnson"),  # Whisper glued "at"
        ("mail anna at example.com", "anna at example"),
    ],
)
def test_an_email_address_written_or_spoken_is_redacted(redactor, said, gone):
    redacted = redactor.redact(said)
    assert EMAIL in redacted
    assert gone not in redacted


@pytest.mark.parametrize(
    "said",
    ["A table at 7.30 please", "We are at 12 Harbour Street.", "Come at nine. Thanks"],
)
def test_times_and_places_said_with_at_are_not_taken_for_email(redactor, said):
    assert EMAIL not in redactor.redact(said)


def test_a_card_number_is_redacted_as_a_card(redactor):
    redacted = redactor.redact("My card is 4111 1111 1111 1111, expiry 12/27.")
    assert redacted == f"My card is {CARD}, expiry 12/27."


def test_a_long_number_that_fails_the_luhn_check_is_still_redacted_but_not_as_a_card(redactor):
    redacted = redactor.redact("The code is 1234 5678 9012 3456.")
    assert CARD not in redacted
    assert NUMBER in redacted


@pytest.mark.parametrize(
    "said",
    [
        "I live at 42 Baker Street.",
        "Send it to flat 3, 221b Baker Street please",
        "It's forty two baker street",
        "my address is the old mill on the green",
        "And we love that 4E2 Baker Street.",  # as Whisper heard "and we live at 42..."
        "We live on Baker Street.",
    ],
)
def test_a_street_address_is_redacted(redactor, said):
    redacted = redactor.redact(said)
    assert ADDRESS in redacted
    assert "baker" not in redacted.lower() and "mill" not in redacted


def test_a_postcode_is_redacted(redactor):
    assert redactor.redact("The postcode is NW1 6XE.") == f"The postcode is {ADDRESS}."


@pytest.mark.parametrize(
    "said",
    [
        "My name is Anna Kowalski.",
        "Hi, this is Anna Kowalski calling.",
        "Put it under the name of anna kowalski please",
        "So that's a table for 4, under the name Anna Kowalski. Shall I book it?",
        "{'name': 'Anna Kowalski', 'party_size': 4}",
    ],
)
def test_a_name_after_a_cue_is_redacted(redactor, said):
    redacted = redactor.redact(said)
    assert NAME in redacted
    assert "kowalski" not in redacted.lower() and "anna" not in redacted.lower()


def test_a_name_the_call_revealed_is_redacted_wherever_it_appears_later(redactor):
    redactor.remember("name", "Anna Kowalski")
    assert redactor.redact("Thank you, Anna. See you Friday, Ms Kowalski.") == (
        f"Thank you, {NAME}. See you Friday, Ms {NAME}."
    )


def test_a_bare_name_given_as_the_answer_to_what_name_is_redacted(redactor):
    assert redactor.redact("Um, Zofia Nowak.", answering="name") == f"Um, {NAME}."


def test_a_name_spelled_out_is_redacted(redactor):
    assert redactor.redact("That's N O W A K.") == f"That's {NAME}."


def test_words_after_a_weak_cue_are_kept_when_they_are_no_name(redactor):
    said = "It's Saturday at 7, I'm looking for a table for 4 on 2026-11-22 at 19:30."
    assert redactor.redact(said) == said


def test_the_restaurants_own_name_and_address_are_kept(redactor):
    said = "Thank you for calling Luigi's Trattoria. You will find us at 12 Harbour Street."
    assert redactor.redact(said) == said


def test_ids_and_measurements_in_log_lines_are_kept(redactor):
    line = "cleaning up context 64dc89bf-1234-5678-bac0-46151cedbb8b after 0.00034809112548828"
    assert redactor.redact(line) == line


def test_tool_arguments_and_results_lose_their_personal_fields(redactor):
    data = {
        "name": "Anna Kowalski",
        "phone": "+447911123456",
        "party_size": 4,
        "booking": {"spoken_phone": "07911 123456", "notes": "call 07911 123456 if late"},
    }
    assert redactor.redact_data(data) == {
        "name": NAME,
        "phone": PHONE,
        "party_size": 4,
        "booking": {"spoken_phone": PHONE, "notes": f"call {PHONE} if late"},
    }


def test_a_log_line_drops_transcripts_while_the_caller_answers_a_personal_question(redactor):
    redactor.answering = "name"
    assert redactor.redact_log("Transcription: [ Zofia Nowak. ]") == f"Transcription: {REDACTED}"


def test_a_log_line_drops_transcripts_while_the_caller_answers_the_phone_question(redactor):
    redactor.answering = "phone"
    line = "Transcription: [ three four five six seven eight. ]"
    assert redactor.redact_log(line) == f"Transcription: {REDACTED}"


def test_a_log_line_hides_part_of_a_number_said_in_pieces(redactor):
    line = "Transcription: [ It's oh seven nine one two, it's oh seven nine one two. ]"
    assert redactor.redact_log(line) == f"Transcription: [ It's {NUMBER}, it's {NUMBER}. ]"


def test_an_answer_to_what_number_hides_a_piece_of_the_number(redactor):
    said = "It's oh seven nine one two it's oh seven nine one two three four five six seven eight."
    assert redactor.redact(said, answering="phone") == f"It's {NUMBER} it's {NUMBER}."


def test_a_log_line_keeps_a_date_and_a_time_in_its_payload(redactor):
    line = "Tool args: [ 2030-01-04 at 19:30 for 4 ]"
    assert redactor.redact_log(line) == line


def test_a_long_reply_to_what_name_is_not_taken_for_a_name(redactor):
    said = "Sorry, what are your opening hours on Sunday evening?"
    assert redactor.redact(said, answering="name") == said
