"""Booking details from free speech, as Whisper writes it: words, digits, British and American."""

from datetime import date, time

import pytest

from flows.booking_slots import (
    Slots,
    parse_date,
    parse_name,
    parse_notes,
    parse_party_size,
    parse_reference,
    parse_slots,
    parse_time,
    reference_cued,
)
from flows.phone_numbers import guess_phone, parse_phone, unusable_phone

TODAY = date(2030, 1, 2)  # a Wednesday


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("tomorrow", date(2030, 1, 3)),
        ("the day after tomorrow", date(2030, 1, 4)),
        ("tonight", TODAY),
        ("next Friday", date(2030, 1, 4)),
        ("a week on Friday", date(2030, 1, 11)),  # British: the Friday after the coming one
        ("Friday week", date(2030, 1, 11)),
        ("in two weeks time on Friday", date(2030, 1, 18)),
        ("a table on 04/01 at 8pm", date(2030, 1, 4)),  # typed, day first
        ("Friday, weekends are busy", date(2030, 1, 4)),
        ("on Saturday", date(2030, 1, 5)),
        ("Wednesday", date(2030, 1, 9)),
        ("the 14th of February", date(2030, 2, 14)),
        ("March 3rd", date(2030, 3, 3)),
        ("on the twenty first", date(2030, 1, 21)),
        ("the 1st", date(2030, 2, 1)),  # the 1st has passed this month: next month's
        ("Friday the 11th", date(2030, 1, 11)),
        ("in three days", date(2030, 1, 5)),
        ("1st of January", date(2031, 1, 1)),  # passed this year: next year's
        ("the 14th and February", date(2030, 2, 14)),  # "of" misheard
        ("Sunday 13th", date(2030, 1, 13)),  # the 13th, not the next Sunday (the 6th)
        ("on Sunday, 13th at eight", date(2030, 1, 13)),
        ("the 4th of May", date(2030, 5, 4)),
        ("May the 4th", date(2030, 5, 4)),
        ("room for 8 on January 30th", date(2030, 1, 30)),  # 8 is the party, not the day
        # "Today" from a garbled name ("The name is Noah Fischer" heard so): the booking's day
        ("cancel my booking for Friday. Today is all official", date(2030, 1, 4)),
        ("today", TODAY),
        ("a week today", date(2030, 1, 9)),
        ("in two weeks on Friday", date(2030, 1, 18)),
        ("a fortnight on Friday", date(2030, 1, 18)),
        ("Table for 4 on the 5th of next month at 8.", date(2030, 2, 5)),
        ("next month on the 10th", date(2030, 2, 10)),
        ("the 31st of next month", None),  # no such day: flows/impossible_dates.py says so
        ("Christmas Eve", date(2030, 12, 24)),
        ("Boxing Day lunch", date(2030, 12, 26)),
        ("New Year's Eve", date(2030, 12, 31)),
        ("on Sat", date(2030, 1, 5)),
        ("Wed 9th", date(2030, 1, 9)),
        ("we sat by the window last time", None),  # "sat" is no Saturday
        ("Now the second one please, Friday for 4 at 8", date(2030, 1, 4)),  # no 2nd
        ("That's the one.", None),  # no 1st
        ("on satur day at eight", date(2030, 1, 5)),  # a day's name heard in two words
        ("Friday next week", date(2030, 1, 11)),  # next week's, not this week's Friday
        ("next week on Thursday", date(2030, 1, 10)),
        ("the Friday after next", date(2030, 1, 11)),
    ],
)
def test_dates(said, day):
    assert parse_date(said, TODAY) == day


def test_a_day_written_short_is_read_among_other_details():
    slots = parse_slots("Table for 2 on Sat at 8, Dev Patel, 07845 202931.", TODAY, "GB")
    assert slots.day == date(2030, 1, 5)


@pytest.mark.parametrize("said", ["Saturday eightish", "at eightish", "about eight-ish"])
def test_an_hour_in_words_run_into_ish_is_the_hour(said):
    assert parse_time(said) == time(20, 0)


@pytest.mark.parametrize(
    "said",
    [
        "a table for 4 May name is Maria",  # Whisper's "my"
        "for 4 may I ask",
        "May 4 of us come at 8",
    ],
)
def test_may_the_verb_or_a_misheard_my_is_not_a_month(said):
    assert parse_date(said, TODAY) is None


def test_hesitations_between_a_word_and_its_detail_are_no_break():
    said = (
        "Hi, um, I'd like to, er, book a table for, um, four people, on, er, Friday, at, um, seven."
    )
    slots = parse_slots(said, TODAY, "GB")
    assert (slots.party_size, slots.day, slots.at) == (4, date(2030, 1, 4), time(19, 0))


def test_a_booking_made_earlier_today_is_not_for_today():
    assert parse_date("I booked a table earlier today, can I change it?", TODAY) is None


def test_the_two_of_us_is_not_the_2nd():
    assert parse_date("just the two of us", TODAY) is None


@pytest.mark.parametrize(
    ("said", "at"),
    [
        ("at half past seven", time(19, 30)),
        ("half seven", time(19, 30)),
        ("Friday, 19 hours", time(19, 0)),  # the 24-hour clock, said as such
        ("at 20h", time(20, 0)),
        ("seven thirty pm", time(19, 30)),
        ("7:30", time(19, 30)),
        ("7.45 p.m.", time(19, 45)),
        ("19:30", time(19, 30)),
        ("8pm", time(20, 0)),
        ("eight o'clock", time(20, 0)),
        ("quarter to nine", time(20, 45)),
        ("a quarter past one", time(13, 15)),
        ("at noon", time(12, 0)),
        ("at 12", time(12, 0)),
        ("11 am", time(11, 0)),
        ("eight thirty in the evening", time(20, 30)),
        ("at 1930", time(19, 30)),  # Whisper dropped the colon
        ("quarter pass one", time(13, 15)),  # and misheard "past"
        ("half past six", time(18, 30)),
        ("half-pass six", time(18, 30)),  # Whisper's hyphen
        ("at half seven", time(19, 30)),  # British: 7:30, an evening hour
        ("quarter to eight", time(19, 45)),
        ("Saturday at 815", time(20, 15)),  # "eight fifteen" without its colon
        ("at 850", time(20, 50)),
        ("at about eight", time(20, 0)),
        ("at twenty to eight", time(19, 40)),
        ("five to eight", time(19, 55)),
        ("on Saturday night, say eight?", time(20, 0)),
        ("Wednesday, 7ish, just the two of us", time(19, 0)),
        ("8 in the evening on Friday", time(20, 0)),
        ("11 in the morning", time(11, 0)),
        ("about seven-thirty-ish", time(19, 30)),
        ("Friday early evening, like 6", time(18, 0)),
        ("I want to move my booking to 8 on Saturday", time(20, 0)),
        ("Sunday at quarter to one please", time(12, 45)),  # not 00:45
        ("at ten to one", time(12, 50)),
        ("at a quarter after 7", time(19, 15)),  # American
        ("at a quarter of eight", time(19, 45)),
        ("at twenty after seven", time(19, 20)),
    ],
)
def test_times(said, at):
    assert parse_time(said) == at


def test_a_bare_number_said_to_how_many_is_no_time():
    slots = parse_slots("Let's say five.", TODAY, "GB", asked="party_size")
    assert (slots.party_size, slots.at) == (5, None)  # it was 5 pm too


@pytest.mark.parametrize(
    "said",
    [
        # Whisper's words for "Phone zero seven nine one one" and "zero seven nine, one one one".
        "Only around seven nine one one eight one So far one.",
        "Three around seven nine. One one one one. seven nine nine three seven one",
    ],
)
def test_an_hour_said_before_more_digits_is_a_phone_number_not_a_time(said):
    assert parse_time(said) is None


def test_a_time_said_before_a_phone_number_after_a_comma_is_the_time():
    assert parse_time("Friday at eight, zero seven nine one one") == time(20, 0)


def test_a_time_taken_back_is_not_the_time():
    assert parse_slots("a table at 8 rather than 7:30", TODAY, "GB").at == time(20, 0)


def test_a_clause_about_some_of_the_party_after_the_number_is_no_digit_of_it():
    said = "Wilf Garside, 07845 661228. One of them is allergic to nuts."
    assert parse_slots(said, TODAY, "GB").phone == "+447845661228"


@pytest.mark.parametrize(
    ("said", "at"),
    [
        ("Half seven's good, there'll be two of us.", time(19, 30)),
        ("Eight's fine for us, and we're four.", time(20, 0)),
        ("Seven thirty's fine.", time(19, 30)),
        ("Seven's perfect.", time(19, 0)),
    ],
)
def test_a_time_run_into_is_answers_what_time(said, at):
    assert parse_slots(said, TODAY, "GB", asked="at").at == at


def test_a_number_word_heard_as_free_counts_alone_only_when_the_party_size_was_asked_for():
    assert parse_party_size("Free, please.") is None
    assert parse_party_size("Free, please.", bare=True) == 3


@pytest.mark.parametrize(
    ("said", "at"),
    [
        ("Hi. Table for two. Friday. Seven. Jack Lee. 07911 123456.", time(19, 0)),
        ("Friday. Four people. Seven thirty.", time(19, 30)),
        ("Friday. Four people.", None),
        ("Table for two. Friday. Seven. Eight.", None),  # two: which one?
    ],
)
def test_an_hour_said_as_a_sentence_of_its_own_with_day_and_party_is_the_time(said, at):
    assert parse_slots(said, TODAY, "GB").at == at


@pytest.mark.parametrize(
    ("said", "at"),
    [
        ("There'll be three of us. Is 7 okay?", time(19, 0)),
        ("Would 8 work for you?", time(20, 0)),
        ("Is 9 too late?", time(21, 0)),
        ("How about 7?", time(19, 0)),
        ("Is 4 of us okay?", None),
    ],
)
def test_an_hour_offered_as_a_question_is_the_time(said, at):
    assert parse_time(said) == at


def test_a_bare_hour_counts_only_when_the_time_was_asked_for():
    assert parse_time("eight") is None
    assert parse_time("eight", bare=True) == time(20, 0)


@pytest.mark.parametrize(
    ("said", "at", "size"),
    [
        ("Actually make it 8.", time(20, 0), None),
        ("7 then. There'll be 3 of us.", time(19, 0), 3),
        ("Let's say 8 for 3, please.", time(20, 0), 3),
        ("Can we do 8 or 9?", None, None),
        ("In 10 minutes.", None, None),
    ],
)
def test_the_one_number_in_an_answer_to_what_time_that_is_no_party_size_is_the_hour(said, at, size):
    slots = parse_slots(said, TODAY, "GB", asked="at")
    assert (slots.at, slots.party_size) == (at, size)


@pytest.mark.parametrize(
    ("said", "size"),
    [
        ("a table for four", 4),
        ("for two people", 2),
        ("party of twelve", 12),
        ("we are 3 people", 3),
        ("two of us", 2),
        ("just me", 1),
        ("a group of eight", 8),
        ("For people, Saturday at 8.", 4),  # Whisper's homophones of four and two
        ("a table for to on Friday", 2),
        ("my wife and I", 2),
        ("me and my partner, tomorrow at 8", 2),
        ("the two of us", 2),
        ("for 2 friday around half seven", 2),  # a weekday after "for 2", no "on"
        ("a party of six", 6),
        ("a table for free", 3),  # Whisper's "three"
        ("for free people on Saturday", 3),
        ("a family of five", 5),
        ("two adults and two children", 4),
        ("me and three friends", 4),
        ("anything at ten past seven tomorrow for two?", 2),
        ("a party of 300 people", 300),  # too many, as said: the staff are offered
        ("a table for a thousand people", 1000),
        ("a table for minus 3 people", 0),  # no guest: "A booking needs at least one guest."
        ("a table for 3-4 people", 4),  # a range, no minus
        ("We're now only three.", 3),
        ("we're going to be five now", 5),
        ("there'll be six", 6),
        ("myself and four colleagues", 5),
        ("It'll be me and my two kids", 3),
        ("just me and my partner", 2),
        ("there is me, my husband and our two grandchildren", 4),
        ("the two of us and our son", 3),
        ("me and three mates", 4),
        ("me plus three others", 4),
        ("me, my wife and the two kids", 4),
        ("me, my wife and my parents", 4),
        ("myself, my boss and 3 colleagues", 5),
        ("It will be me and my mum and dad", 3),
        ("could we make it for 4 and come at 8 instead?", 4),
        ("a table for half a dozen on Saturday", 6),
        ("a dozen of us tomorrow evening", 12),
        ("Table for 10 past 7 tomorrow for 2", 2),  # "for 10 past 7" is the time
        ("2 for dinner tomorrow at 7", 2),
        ("for four on Friday at 7. Oh, and one of us uses a wheelchair.", 4),  # not 1
        ("there's only one of us", 1),
        ("two adults one toddler", 3),
        ("three adults plus a baby", 4),
    ],
)
def test_party_sizes(said, size):
    assert parse_party_size(said) == size


@pytest.mark.parametrize(
    "said",
    [
        "a table for 7:30",
        "one of us has a nut allergy",
        "at 8 on the 4th",
        "for tomorrow",
        "we went for people watching",
        "my wife and I and our two kids",  # more than two: ask
        "me and my kids",  # how many kids: ask
        "me, my wife and the kids",
        "gluten-free people",
        "is the parking free?",
        "Booking for 512 stay at eight o'clock",  # Whisper's "for five, Tuesday": no party of 200
        "we'll be 10 minutes late",
        "We'll be there at 7",
    ],
)
def test_what_is_not_a_party_size(said):
    assert parse_party_size(said) is None


@pytest.mark.parametrize(
    "said",
    [
        "07911 123456",
        "It's oh seven nine one one, one two three, four five six.",
        "zero seven nine one one one two three four five six",
        "+44 7911 123456",
    ],
)
def test_phone_numbers_are_normalised(said):
    assert parse_phone(said, "GB", bare=True) == "+447911123456"


@pytest.mark.parametrize(
    "said",
    [
        "zero seven, one two three four hundred and fifty six thousand seven hundred and eighty nine",
        "Zero seven, one, two, three, four hundred and fifty-six thousand, seven hundred and "
        "eighty-nine.",
        "Zero-seven-one-two-three-four-five-six-seven-eight-nine.",
        "07123 four five six seven eight nine",
    ],
)
def test_a_phone_number_said_as_numbers_in_a_sentence_is_read(said):
    assert parse_phone(f"My number is {said}", "GB") == "+447123456789"


@pytest.mark.parametrize(
    "said",
    [
        "zero seven seven one two, nine hundred, four five six",
        "oh seven seven one two nine hundred four five six",
    ],
)
def test_digits_said_one_by_one_after_hundred_are_not_added_to_it(said):
    assert parse_phone(f"It's {said}", "GB") == "+447712900456"


@pytest.mark.parametrize(
    ("said", "bare", "digits"),
    [
        ("My number is 07700 900123.", False, "07700900123"),  # a drama number: not valid
        ("zero seven one two three", True, "07123"),
        ("My number is 07911 123456.", False, ""),  # valid
        ("A table for 4 at 7 30 on the 14th", False, ""),  # no try at a number
        ("It's a million world.", False, ""),  # "It's Amelia Ward", misheard: a round number
        ("It's a million world.", True, ""),
        ("Two thousand pounds", True, ""),
    ],
)
def test_the_digits_of_a_phone_number_that_is_no_valid_number_are_kept(said, bare, digits):
    assert unusable_phone(said, "GB", bare=bare) == digits


@pytest.mark.parametrize("bare", [False, True])
def test_a_round_number_said_as_one_word_is_no_phone_number(bare):
    # Whisper's "At eight billion." for "At 8 pm" was the freephone number 0800 000 0000.
    assert parse_phone("At eight billion.", "GB", bare=bare) is None


def test_saturn_after_on_is_saturday():
    assert parse_slots("No. It's for two people, on Saturn 8 8pm.", TODAY, "GB").day == date(
        2030, 1, 5
    )


def test_a_short_number_is_not_a_phone_number():
    assert parse_phone("it's 12345", "GB", bare=True) is None


def test_double_digits_are_spelled_out():
    assert parse_phone("oh two oh, seven nine four six, double oh one eight", "GB", bare=True) == (
        "+442079460018"
    )


@pytest.mark.parametrize(
    ("said", "bare", "name"),
    [
        ("My name is Anna Smith.", False, "Anna Smith"),
        ("It's under the name of Jones, please.", False, "Jones"),
        ("It's Tom.", True, "Tom"),
        ("um, yeah, Priya Patel", True, "Priya Patel"),
        ("I'm looking for a table", False, None),
        ("Hi, this is Maria Lopez. A table for four next Friday.", False, "Maria Lopez"),
        ("Four people, and it's Maria Lopez.", False, "Maria Lopez"),
        ("May name is Maria Lopez", False, "Maria Lopez"),  # Whisper's "my"
        ("Maria de la Cruz", True, "Maria de la Cruz"),
        ("Smith. S M I T H.", True, "Smith"),  # spelled out after it
        ("It's Smith, S-M-I-T-H.", True, "Smith"),
        ("Lopez. Maria Lopez.", True, "Maria Lopez"),  # said again in full
        ("No, the name is Marie, not Maria", False, "Marie"),
        ("my name is anna smith here", False, "Anna Smith"),
        ("For two people tomorrow at 8 o'clock, under Smith", False, "Smith"),
        ("The surname is Harper, first name Ben.", True, "Ben Harper"),
        ("My first name is Ben and my surname is Harper.", False, "Ben Harper"),
        ("Under Harper please, first name Ben.", False, "Ben Harper"),
        ("It's Harper. Ben Harper.", True, "Ben Harper"),
        ("I'm Ben, surname Harper.", False, "Ben Harper"),
        ("3 people. This Friday. At 1pm. Surname is Ng. Number 07911254370.", False, "Ng"),
        ("For three? I'm Ahmed, Ahmed Khan. Phone 07911 123456.", False, "Ahmed Khan"),
        ("I've got a reservation on Friday, Vogel is the name, and", False, "Vogel"),
        ("Smith's the name.", False, "Smith"),
        ("I have a booking for tonight, is that ok? Lena Vogel 07911 254346.", False, "Lena Vogel"),
        ("It is the name of the place", False, None),
        # A surname Whisper wrote as a word, in a short answer to "what name?".
        ("And a smith.", True, "Smith"),  # "Anna Smith."
        ("The baker.", True, "Baker"),
        # Accented letters are a name's too (a typed chat, a cloud STT): not cut at the accent.
        ("Under the name Ana-María García-López, please.", False, "Ana-María García-López"),
        ("My name is Mark, M-A-R-K, Spencer.", False, "Mark Spencer"),  # spelled: no part
        ("I'm calling on behalf of my boss, Mr. Richard Hale.", False, "Mr Richard Hale"),
        ("It's Mrs. Jones.", False, "Mrs Jones"),  # a title's dot ends no sentence
        (
            "Table for two, Friday, eight, Smith, oh seven nine one one, two five four.",
            False,
            "Smith",
        ),
        ("The name is Siobhan, that's S-I-O-B-H-A-N, Kelly.", False, "Siobhan Kelly"),
        ("This is Łukasz Nowak.", False, "Łukasz Nowak"),
        ("Élodie Durand.", True, "Élodie Durand"),
        # A name just before a number said in words; an introduction after fillers, "its".
        ("Lena Vogel zero seven nine double one two five four, cancel it.", False, "Lena Vogel"),
        ("hi um so its Lena Vogel and er the number is 07911 254346", False, "Lena Vogel"),
        ("Friday at 8, for Mrs Hughes-Darcy, 07908 361534.", False, "Mrs Hughes-Darcy"),
        ("Name's Tyler Brooks, cell is 07700 834215.", False, "Tyler Brooks"),
        ("Hi, it's Mr and Mrs Featherstonehaugh, for two.", False, "Mrs Featherstonehaugh"),
        ("The name is Parker, as in Peter Parker.", False, "Parker"),
        ("The name is Ciarán Ó Briain.", False, "Ciarán Ó Briain"),
        # Someone else's name for the booking, after the caller's own.
        ("This is Tom Foley, put it under my wife's name, Siobhan Foley.", False, "Siobhan Foley"),
        ("It's in my mother-in-law's name, Joan Hart.", False, "Joan Hart"),
    ],
)
def test_names(said, bare, name):
    assert parse_name(said, bare=bare) == name


@pytest.mark.parametrize(
    "said",
    [
        "Yes, that's right, please book it.",
        "That's right.",
        "Yes please",
        "seven thirty",
        "Four.",
        "Friday",
        "next Friday at eight",
        "Sorry, what did you say?",
        "Just a minute.",
        "In a bit.",
        "Give me a second.",
        "I'd like a table.",
        "It's for my wife.",
        "<script>alert(1)</script>",
        "My name is " + "A" * 200 + " and I want a table for 2 tomorrow at 7.",
        "Oui.",  # a yes in another language
        "Put it under his name.",
        "The name is wrong.",
    ],
)
def test_a_reply_to_what_name_that_is_plainly_not_a_name_is_not_taken_as_one(said):
    assert parse_name(said, bare=True) is None


@pytest.mark.parametrize(
    "said", ["Cancel booking 349858", "reservation number 3 4 9 8 5 8", "my reference is 349858"]
)
def test_six_digits_said_as_a_booking_are_its_reference(said):
    assert reference_cued(said) and parse_reference(said) == "349858"


def test_a_phone_number_after_booking_is_no_reference():
    assert not reference_cued("the booking is under 07911 254346")


def test_a_reference_said_digit_by_digit():
    assert parse_reference("it's four eight two, one nine three") == "482193"


def test_a_reference_is_the_six_digits_after_the_word_whatever_else_is_said():
    said = "My booking on Friday, reference 1 4 6 9 8 1, I need to change it to 4 people."
    assert parse_reference(said) == "146981"


def test_oh_before_a_number_written_with_its_own_zero_is_a_sigh():
    # Said back as "0 0 7 7 0 0 ..." when the "oh" was read as a zero too.
    assert unusable_phone("Oh, 07700 900123.", "GB", bare=True) == "07700900123"


def test_one_sentence_fills_several_slots_and_a_phone_is_not_a_time():
    slots = parse_slots(
        "A table for four tomorrow at half past seven, my number is 07911 123456", TODAY, "GB"
    )
    assert slots == Slots(
        day=date(2030, 1, 3), at=time(19, 30), party_size=4, phone="+447911123456"
    )


@pytest.mark.parametrize(
    "said",
    ["My number is 07911 123456, 2 people on Friday.", "07911 123456. Two of us, on Friday."],
)
def test_a_party_size_said_after_a_phone_number_is_no_digit_of_it(said):
    slots = parse_slots(said, TODAY, "GB")
    assert (slots.phone, slots.party_size, slots.unsure) == ("+447911123456", 2, frozenset())


@pytest.mark.parametrize(
    ("said", "note"),
    [
        (
            "A table for 3 on Sunday at 1, and can you note that one of us is in a wheelchair?",
            "one of us is in a wheelchair",
        ),
        (
            "Friday at 8 for two. It's my wife's birthday, so a quiet table please. Thanks!",
            "It's my wife's birthday, so a quiet table please",
        ),
        ("Could you put down that we need a high chair?", "we need a high chair"),
        ("Table for 2 tomorrow at 7, no nuts please, my son is allergic.", "no nuts please"),
        ("Table for 4 on Friday at 8, by the window if possible.", "by the window if possible"),
        (
            "Hi, a table, it's for my mum's 70th birthday, there will be 6 of us, Saturday at 1.",
            "it's for my mum's 70th birthday",
        ),
        (
            "It's for my parents' anniversary, so two people, the twelfth of January.",
            "It's for my parents' anniversary",
        ),
        (
            "Table for 4 on Friday at 7, it's for my mum's retirement do.",
            "it's for my mum's retirement do",
        ),
        ("Saturday at 8 for two. It's my mum's 70th.", "It's my mum's 70th"),
        ("We're celebrating our engagement.", "We're celebrating our engagement"),
    ],
)
def test_a_note_is_the_clause_that_names_it_not_the_whole_request(said, note):
    assert parse_notes(said) == note


@pytest.mark.parametrize(
    ("said", "phone"),
    [
        ("My number is 07911 248135, sorry, 07911 248136.", "+447911248136"),
        ("It's 07911 248135 or my landline 020 7946 0958.", "+447911248135"),
    ],
)
def test_a_phone_number_corrected_in_the_same_breath_is_the_one_said_last(said, phone):
    assert parse_slots(said, TODAY, "GB").phone == phone


def test_oh_after_the_number_in_the_next_sentence_is_no_zero_of_it():
    said = "You can reach me on 07911 248135. Oh, and one of us is vegetarian."
    slots = parse_slots(said, TODAY, "GB")
    assert (slots.phone, slots.unsure, slots.notes) == (
        "+447911248135",
        frozenset(),
        "one of us is vegetarian",
    )


def test_newer_slots_overwrite_older_ones():
    older = Slots(day=TODAY, party_size=2)
    assert older.merged(Slots(party_size=6)) == Slots(day=TODAY, party_size=6)


def test_may_heard_for_my_before_a_companion_is_two_people_to_confirm():
    said = parse_slots("May wife and I would like to come at 8 tomorrow", TODAY, "GB")
    assert (said.day, said.party_size, said.unsure) == (
        date(2030, 1, 3),
        2,
        frozenset({"party_size"}),
    )


def test_may_before_a_companion_is_not_the_month():
    assert parse_date("May husband and I, on the 19th", TODAY) == date(2030, 1, 19)


@pytest.mark.parametrize(
    ("said", "slot", "value"),
    [
        ("a table for 2 at seven thirteen", "at", time(19, 30)),  # "-thirty" heard as "-teen"
        ("on Sunday two thirteen after noon", "at", time(14, 30)),
        ("for ten on Friday and eight", "at", time(20, 0)),  # "at" heard as "and"
        ("for ten on Friday, eight.", "at", time(20, 0)),
        ("on the 14th on February 8th at o'clock", "at", time(20, 0)),  # the hour as a day
        ("the 3rd on February 6th, PM", "at", time(18, 0)),
        ("on the 18th on January 8th for the 5pm", "at", time(20, 45)),  # "forty-five"
        ("a table for 6 at eight fifty one Friday night", "at", time(20, 50)),  # or fifteen
        ("a table for four to model at half past seven", "day", date(2030, 1, 3)),
        ("a table for 2 this three day at eight pm", "day", date(2030, 1, 4)),  # "Friday"
        ("two people on Friday, mid 11th at 9pm", "day", date(2030, 1, 11)),
        ("a group of eight, Thursday, 10 at seven pm", "day", date(2030, 1, 10)),
        ("a table for four to date at one o'clock", "day", TODAY),
        ("table for two to night at 8", "day", TODAY),
        ("a table for two on Monday the 9th at 7:30", "day", date(2030, 1, 9)),  # a Wednesday
        ("can I book four seven on the 18th", "party_size", 7),  # "for" heard as "four"
        ("a table for a party on 12 on the 3rd", "party_size", 12),  # "of" heard as "on"
        ("we are a group of made, Thursday", "party_size", 8),  # "of eight"
        ("a table for ate at 8pm", "party_size", 8),
        ("can I work for free to model at one", "party_size", 3),
    ],
)
def test_a_detail_read_from_words_that_sound_like_it_is_a_guess_to_confirm(said, slot, value):
    slots = parse_slots(said, TODAY, "GB")
    assert (getattr(slots, slot), slot in slots.unsure) == (value, True)


@pytest.mark.parametrize(
    ("said", "slot", "value"),
    [
        ("at six, 30pm tomorrow", "at", time(18, 30)),  # a comma in the time
        ("a table for one tomorrow afternoon", "at", None),  # not noon
        ("on the 20 second at seven", "day", date(2030, 1, 22)),  # "twenty second"
        ("on the 2nd of January", "day", TODAY),  # today's own date, not next year's
        ("a table for 2 in three days", "day", date(2030, 1, 5)),  # not "Friday"
        ("a table for 2 for the 5pm sitting", "at", time(17, 0)),  # not "forty-five"
        ("a party on 12 February at 8", "party_size", None),  # a date, not 12 people
        ("on Friday, 4 people", "at", None),  # a party, not an hour
        ("tomorrow, 2 of us at 8", "at", time(20, 0)),  # the hour said later wins
    ],
)
def test_words_that_sound_like_a_detail_only_where_one_belongs(said, slot, value):
    slots = parse_slots(said, TODAY, "GB")
    assert (getattr(slots, slot), slot in slots.unsure) == (value, False)


def test_a_weekday_and_a_date_that_disagree_are_no_date_unless_guessing():
    assert parse_date("on Monday the 9th", TODAY, hear_alike=False) is None
    assert parse_date("on Wednesday the 9th", TODAY, hear_alike=False) == date(2030, 1, 9)


@pytest.mark.parametrize(
    ("said", "day"),
    [
        # "number zero seven nine one one ..." as Whisper wrote it in a cancellation (3 Dec 2026)
        (
            "This is Hugo Ren, February 7, 9 1 1 9 3 4 8 9. We can't come on Friday.",
            date(2030, 1, 4),
        ),
        ("Can I book February 7, 2030?", date(2030, 2, 7)),
        ("February 7, 8 people.", date(2030, 2, 7)),
    ],
)
def test_a_date_followed_by_single_digits_is_the_start_of_a_phone_number(said, day):
    assert parse_slots(said, TODAY, "GB").day == day


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("Can we move it from Thursday to Saturday, same time?", date(2030, 1, 5)),
        ("Could you shift it from the 9th to the 10th?", date(2030, 1, 10)),
        ("I need to move Friday's table to Saturday, same time.", date(2030, 1, 5)),
    ],
)
def test_a_move_from_one_day_to_another_is_the_day_it_goes_to(said, day):
    assert parse_date(said, TODAY) == day


def test_a_range_of_times_alone_names_no_day():
    assert parse_date("from seven to eight", TODAY) is None


def test_o_clock_written_apart_is_a_time():
    assert parse_time("Make it ten o clock please.") == time(22, 0)


def test_a_number_heard_with_a_digit_too_many_is_not_made_valid_by_dropping_its_start():
    said = "My number is oh seven one six one two eight four five five three nine."
    assert parse_slots(said, TODAY, "GB").phone is None
    assert unusable_phone(said, "GB") == "071612845539"


@pytest.mark.parametrize(
    ("said", "number"),
    [
        ("four seven seven nine one two nine nine four six three", "+447791299463"),  # "oh" as 4
        ("two four seven seven one nine three nine one one nine zero", "+447719391190"),
        ("oh seven nine one one one one two three four five six", "+447911123456"),  # one 1 more
        ("It's zero seven, I one one. One seven nine. Two four six.", "+447911179246"),  # I: 9
        # A group's last digit echoed after the pause: "two. two nine two".
        ("It's zero seven nine one one two. two nine two. Five nine six.", "+447911292596"),
    ],
)
def test_a_number_one_common_mishearing_away_is_guessed_and_marked_unsure(said, number):
    slots = parse_slots(said, TODAY, "GB", asked="phone")
    assert (slots.phone, "phone" in slots.unsure) == (number, True)


def test_a_number_heard_whole_is_not_marked_unsure():
    assert (
        "phone"
        not in parse_slots(
            "oh seven seven nine one, two nine nine, four six three", TODAY, "GB", asked="phone"
        ).unsure
    )


def test_no_number_is_guessed_when_more_than_one_mishearing_fits():
    # "0 7 5 0 0 9 9 9 1 1 1" with a 1 too many: any of three runs may hold the extra copy.
    assert guess_phone("0 7 5 0 0 0 9 9 9 1 1 1", "GB", bare=True) is None


def test_a_repeated_digit_echoed_across_two_pauses_is_not_guessed():
    assert guess_phone("0 7 8 2. 2 4 5 6. 6 7 8 9", "GB", bare=True) is None


def test_of_two_repeated_runs_the_longer_holds_the_copy_too_many():
    # "zero seven nine one one, one four three, three seven five", the "one"s heard four times.
    assert guess_phone("0 7 9 1 1 1 1 4 3 3 7 5", "GB", bare=True) == (
        "+447911143375",
        "0 7 9 1 1 1 1 4 3 3 7 5",
    )


def test_no_number_is_guessed_from_a_few_digits():
    assert guess_phone("7 9 1 1 1 2 3", "GB", bare=True) is None


def test_a_guess_is_never_a_premium_line_or_a_call_abroad():
    # "0" + 0 7 9 ... would be +7 (abroad); 0 + 9 1 1 1 ... a premium line: neither is a guess.
    assert guess_phone("0 7 9 1 1 1 1 2 3 4 5 6", "GB", bare=True) == (
        "+447911123456",
        "0 7 9 1 1 1 1 2 3 4 5 6",
    )


def test_a_zero_written_for_the_minutes_is_on_the_hour():
    assert parse_time("Can we do 6.0pm instead?") == time(18, 0)


@pytest.mark.parametrize("said", ["Friday at 15, please.", "at 20"])
def test_minutes_whose_hour_was_lost_are_no_time(said):
    assert parse_time(said) is None


def test_minutes_alone_answering_what_time_are_no_time():
    assert parse_time("15", bare=True) is None


@pytest.mark.parametrize(
    "said, slot, value",
    [
        ("A table for four on Friday at 7, no sorry, make that 8.", "at", time(20, 0)),
        ("A table for two at 7 for four, no, make that five", "party_size", 5),
        ("a table for 2 at 8, actually make it 3 people", "party_size", 3),
        ("for 4 on Friday, actually Saturday, at 8", "day", date(2030, 1, 5)),
        ("a table for four at 7. I mean 8pm", "at", time(20, 0)),
        ("a table for 4 at 7 tomorrow, or rather at 8", "at", time(20, 0)),
        ("A table for 4, no wait, 5 people, tomorrow at 8.", "party_size", 5),
        ("A table for 4 tomorrow at 8. Scratch that, Friday at 8.", "day", date(2030, 1, 4)),
        ("Table for two on Friday at 7, on second thoughts, at 8.", "at", time(20, 0)),
    ],
)
def test_a_detail_corrected_in_the_same_sentence_is_the_new_one(said, slot, value):
    assert getattr(parse_slots(said, TODAY, "GB"), slot) == value


def test_details_said_after_a_corrected_number_are_kept_with_it():
    said = parse_slots("Can I book for 4 people? Actually make that 5. Tomorrow at 6.", TODAY, "GB")
    assert (said.party_size, said.at, said.day) == (5, time(18, 0), date(2030, 1, 3))


def test_the_time_said_rather_than_another_is_kept():
    assert parse_slots("Table for 2 at 7, rather than 8", TODAY, "GB").at == time(19, 0)


@pytest.mark.parametrize("said", ["under Grant, Tyler Grant.", "The name is Grant, Tyler Grant."])
def test_a_surname_said_before_the_whole_name_is_said_once(said):
    assert parse_slots(said, TODAY, "GB").name == "Tyler Grant"


def test_a_party_size_corrected_in_answer_to_what_time_is_no_time():
    said = parse_slots("Eight people. No sorry, six.", TODAY, "GB", asked="at")
    assert (said.party_size, said.at) == (6, None)


def test_for_a_number_then_is_the_party_size():
    said = parse_slots("Right, 8pm for 4 then.", TODAY, "GB", asked="at")
    assert (said.party_size, said.at) == (4, time(20, 0))


def test_digits_said_after_a_correction_replace_those_before_it():
    assert unusable_phone("07911 555 666? No wait, 07911 556 677.", "GB", bare=True) == (
        "07911556677"
    )


@pytest.mark.parametrize(
    "said, size, at",
    [
        ("I need to change the number of people to three and the time to 8.", 3, time(20, 0)),
        ("change the party size to 5", 5, None),
    ],
)
def test_a_party_size_named_as_such_is_no_time(said, size, at):
    said = parse_slots(said, TODAY, "GB")
    assert (said.party_size, said.at) == (size, at)


@pytest.mark.parametrize("said", ["Oh sorry, it's Friday, not tomorrow.", "Not tomorrow, Friday."])
def test_a_day_taken_back_with_not_is_no_day(said):
    assert parse_slots(said, TODAY, "GB").day == date(2030, 1, 4)


def test_a_name_introduced_after_an_introduction_that_names_no_one_is_read():
    said = "I'd like to cancel please, I'm not coming anymore. It's Vogel."
    assert parse_slots(said, TODAY, "GB").name == "Vogel"


@pytest.mark.parametrize(
    ("said", "at"),
    [("Seven pm.", time(19)), ("At seven.", time(19)), ("Half seven.", time(19, 30))],
)
def test_a_time_said_to_how_many_people_is_no_party_size(said, at):
    # The caller answers the question before it: no party of 7.
    slots = parse_slots(said, TODAY, "GB", asked="party_size")
    assert (slots.party_size, slots.at) == (None, at)


def test_a_bare_number_to_how_many_people_is_the_party_size():
    assert parse_slots("Seven.", TODAY, "GB", asked="party_size").party_size == 7


def test_a_party_size_corrected_in_a_bare_answer_is_the_last_one():
    said = parse_slots("Four. Actually five.", TODAY, "GB", asked="party_size")
    assert said.party_size == 5


@pytest.mark.parametrize(
    ("said", "at"),
    [("Eight. Actually nine.", time(21)), ("Half seven. Actually eight.", time(20))],
)
def test_a_time_corrected_in_a_bare_answer_to_what_time_is_the_last_one(said, at):
    slots = parse_slots(said, TODAY, "GB", asked="at")
    assert (slots.at, slots.party_size) == (at, None)


@pytest.mark.parametrize(
    "said",
    [
        "It's for Friday at 7, can we do 8 instead?",
        "My booking is Friday at 7 but I'd like eight instead.",
        "A table on Friday at 7, how about 8 instead?",
    ],
)
def test_a_number_asked_for_instead_corrects_the_one_said_before_it(said):
    assert parse_slots(said, TODAY, "GB").at == time(20, 0)


def test_the_day_settled_on_after_two_is_the_day():
    said = "Maybe Friday. Or Saturday. Let's say Saturday."
    assert parse_slots(said, TODAY, "GB").day == date(2030, 1, 5)


@pytest.mark.parametrize(
    "said",
    [
        "It's oh seven nine one one, two five four, three four six... no wait, three four seven.",
        "07911 254 346, sorry, 347",
    ],
)
def test_a_numbers_last_group_said_again_corrected_replaces_it(said):
    assert parse_phone(said, "GB", bare=True) == "+447911254347"


@pytest.mark.parametrize(
    "said", ["My number is 07911 254346. No, 4 at 8.", "07911 254 346, no, 4 people."]
)
def test_a_number_said_after_a_phone_number_and_a_no_is_no_group_of_it(said):
    assert parse_phone(said, "GB", bare=True) == "+447911254346"
