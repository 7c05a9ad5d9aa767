"""The caller's name, from free speech.

A name is read after words that mark it ("my name is", "under the name of"),
after an introduction at the start of a sentence ("Hi, this is Maria Lopez"),
or, when the bot has just asked for it, from a bare answer ("Priya Patel"); given out of
turn, one capitalised word next to a phone number or as the whole answer to another
question ("Jones." to "What phone number?") is a name too.
A bare answer that is plainly something else ("Yes, that's right, please book
it", "seven thirty", "Friday") is not a name: the bot asks again.
"""

import re

from rapidfuzz import fuzz
from text_to_num import alpha2digit

from flows.spoken_numbers import DIGIT_WORD
from function_calls import is_affirmative, is_negative, is_question

CAPITAL = "[A-ZÀ-ÖØ-ÞĀ-ſ]"
"""A name's first letter: a capital, accented ones too ("Élodie", "Łukasz"); Latin Extended-A
holds its capitals and small letters in turn, so both count there."""

NAME_MARKERS = r"(?:my name is|my name's|name is|name's|the name is|under the name(?: of)?|booking under|book it under|put it under)"
SOMEONE_ELSES = re.compile(r"\b(?:under|in) (?:my|his|her|our) [\w-]+'s name\s+(.*)", re.IGNORECASE)
"""Whose name the booking is in: "put it under my wife's name, Siobhan Foley" names the
booking, not the caller who said "this is Tom Foley" before it."""
INTRODUCTION = re.compile(
    r"(?:^|[.!?,;]\s*)(?:and\s+)?"
    r"(?:(?:hi|hello|hey|um|uh|er|erm|so|yeah|yes|well|oh|good (?:morning|afternoon|evening))[\s,]+)*"
    rf"(?:this is|it'?s|it is|i'm|i am)\s+(?-i:(?={CAPITAL}))|\bunder\s+(?-i:(?={CAPITAL}))"
    rf"|\bname[,:]?\s+(?-i:(?={CAPITAL}))|\b(?:booking|reservation)\s+for\s+(?-i:(?={CAPITAL}))"
    rf"|\bshould be\s+(?-i:(?={CAPITAL}))",
    flags=re.IGNORECASE,
)
"""An introduction, "under Smith", "name James Wilson", "the booking for Tom Baker", "(the
name is wrong,) it should be Tom Barker", after
greetings and fillers ("hi um so its Lena Vogel"); what follows must be capitalised ("this is
Maria", not "I'm looking"; until 3 Dec 2026 the flag made any word do, and "It's for two
people, on Saturn" named the booking Saturn)."""
NAME_BEFORE = re.compile(
    rf"\b({CAPITAL}[\w'-]*(?:\s+{CAPITAL}[\w'-]*){{0,2}}),?(?:\s+is|'s)\s+(?:the|my|our)\s+"
    r"(?:name|surname|last name)\b"
)
"""A name said before the word: "Vogel is the name", "Smith's the name"."""
SIGNED = re.compile(
    r"(?:^|[.!?,;]\s*)(?:(?:hi|hello|hey|good (?:morning|afternoon|evening))[\s,]+)?"
    rf"((?:{CAPITAL}[\w'-]*\s+){{0,2}}{CAPITAL}[\w'-]*)\s+(?:speaking|here|calling)\b"
)
"""A name said before "speaking", "here" or "calling" at the start of a sentence ("Hi, Tom
Baker here")."""
NUMBER_SAID = rf"(?:\+?\d|(?i:(?:oh|zero) {DIGIT_WORD}\b))"
"""A phone number's start, in digits or in words ("oh seven ...")."""
ALONE = re.compile(
    rf"(?:^|[.!?,;:]\s*(?:for\s+)?|(?<=\d{{3}})\s+)((?:{CAPITAL}[\w'-]*\s+){{1,2}}{CAPITAL}[\w'-]*)\s*"
    rf"(?=[.!,;:]|$|\s*\+?\d{{3}}|\s*(?i:(?:oh|zero) {DIGIT_WORD}\b))"
)
"""Two or three capitalised words standing alone between stops or commas (or before a phone
number, in digits or in words, or after one), as a caller gives a name among other details ("Table for three, Saturday at one.
Samir Haddad, 07911 249859.", "Cancel it. Lena Vogel 07911 254346.");
every one of them must read as part of a name, and a question ("Hello, Chez Test?") is none."""
BY_NUMBER = re.compile(
    rf"(?:^|[.!?,;:]\s*)({CAPITAL}[\w'-]*)[,.]\s*(?={NUMBER_SAID})|"
    rf"(?:(?<=\d)[,.]\s*|(?<=\d{{3}})\s+)({CAPITAL}[\w'-]*)\s*(?=[.!;:]|$)"
)
"""One capitalised word standing alone next to a phone number: "Jones, 07911 123456.",
"Cancel. Jones. 07911 123456.", "07911 123456 Jones"."""
LONE = re.compile(rf"({CAPITAL}[\w'-]*)[.!]?")
"""A whole answer of one capitalised word (after fillers: "Oh, it's Jones.")."""
NOT_NAMES = {
    "for", "and", "please", "thanks", "thank", "you", "calling", "looking", "wondering", "trying",
    "a", "an", "the", "to", "at", "on", "it", "is", "yes", "no", "yeah", "sure", "okay", "ok",
    "um", "uh", "er", "hi", "hello", "so", "well", "just", "table", "booking", "phone", "number",
    "oh", "ah", "ooh", "oops", "wow", "aha",
    # A reply to "what name?" that answers something else.
    "right", "correct", "fine", "good", "great", "perfect", "lovely", "cheers", "yep", "yup",
    "nope", "alright", "sorry", "pardon", "what", "that", "that's", "thats", "this", "sounds",
    "book", "booked", "reserve", "confirm", "go", "ahead", "do", "it's", "its", "me", "my", "i", "i'm",
    "we", "us", "our", "of", "in", "with", "name", "under", "people", "person", "guests",
    "today", "tonight", "tomorrow", "next", "day", "week", "morning", "afternoon", "evening",
    "half", "past", "quarter", "o'clock", "oclock", "am", "pm", "noon", "midday", "free",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "july", "august", "september", "october", "november",
    "december", "reservation", "cancel", "change", "can", "could", "would", "have",
    # A caller asking for a moment before the name: "Hold on.", "Wait.", "Hmm, let me see."
    "hold", "hang", "wait", "let", "hmm", "hm", "erm", "umm", "moment", "second", "see",
    "minute", "sec", "bit", "tick", "give", "get",
    # What follows a name: "Marie, not Maria", "Anna Smith here", "Tom speaking".
    "not", "but", "or", "actually", "instead", "here", "speaking", "from", "by", "if",
    # Days that are no one's name ("A table for four, Christmas Eve, at seven").
    "christmas", "eve", "easter", "boxing", "new", "year", "year's", "valentine's", "valentines",
    # One word answering another question ("What phone number?" "Mobile?").
    "mobile", "landline", "home", "work", "why", "who", "how", "when", "where", "again",
    "repeat", "nothing", "none", "nobody", "bye", "goodbye", "brilliant", "excellent", "super",
    "absolutely", "definitely", "certainly", "really", "huh", "indeed", "exactly", "done", "also",
    "then", "anyway", "now", "look", "listen", "basically", "honestly", "otherwise", "mine",
    # A time without its value ("Later, please." to "What name is the booking under?").
    "later", "earlier", "sooner", "lunch", "lunchtime", "dinner", "brunch", "breakfast",
    # The word before a part of a name ("Surname Karim.").
    "surname", "firstname", "lastname", "forename", "full",
    # What a caller says of a name read back ("The name is wrong, it should be Tom Barker").
    "wrong", "incorrect", "spelt", "spelled", "misspelt", "misspelled", "off", "slightly",
    "should", "be", "missing",
    # A phone's kind after the name ("Tyler Brooks, cell is ..."); a name explained ("Parker,
    # as in Peter Parker").
    "cell", "cellphone", "as",
    # "Put it under his name": whose, not the name.
    "his", "her", "hers", "their", "him", "them", "he", "she", "they", "put",
    # A yes or no in another language ("oui" to "And what name is the booking under?").
    "oui", "non", "si", "sí", "ja", "nein", "sim", "não", "nao",
}  # fmt: skip
LONGEST_NAME_WORD = 30
"""No part of a name is longer ("Wolfeschlegelsteinhausenberger" is 30 letters); a run of
letters longer than that is noise or a crafted line, not a name."""
PARTICLES = {
    "de", "da", "del", "della", "di", "du", "la", "le", "van", "von", "der", "bin", "al",
    "ó", "ní", "nic", "uí", "mac", "ibn", "bint", "dos", "das",
}  # fmt: skip
"""Lower-case parts of a name ("Maria de la Cruz")."""
FILLERS = re.compile(
    r"^\s*(?:(?:um|uh|er|oh|ah|yes|yeah|sure|ok|okay|so|well|hi|hello)\b[\s,]*)*"
    r"(?:it's|it is|this is|i'm|i am|that's|that is|call me)?\s*",
    flags=re.IGNORECASE,
)


def parse_name(text: str, bare: bool = False, answering: bool = False) -> str | None:
    """The caller's name after "my name is" and the like, or after an introduction at the
    start of a sentence; `bare`: the caller was just asked, so the answer may be the name
    alone; `answering`: another question was asked, and an answer of one capitalised word
    that is nothing else ("Jones." to "What phone number?") is the name, given out of turn."""
    text = MARKUP.sub(" ", ELEMENT.sub(" ", text))
    text = COUPLE.sub(r"\2", text)  # "Mr and Mrs Featherstonehaugh"
    text = SPELLED_OUT.sub(" ", TITLE_DOT.sub(r"\1", text))
    text = TRAILING.sub(r"\1", text.replace("\u2019", "'"))
    return _whole(_said_name(text, bare, answering), text)


COUPLE = re.compile(r"\b(Mr|Mrs|Ms|Dr)\.? and (Mr|Mrs|Ms|Dr)\b")
"""A couple's titles: the name is the second title's ("Mr and Mrs Featherstonehaugh")."""
TITLE_DOT = re.compile(r"\b(Mr|Mrs|Ms|Mx|Dr|Prof)\.(?=\s)")
"""A title's full stop ("Mr. Richard Hale"), which is no end of a sentence."""
SPELLED_OUT = re.compile(
    r",?\s*\b(?:that's |that is |spelt |spelled )?(?:[A-Za-z][-. ]\s?){2,}[A-Za-z]\b\.?(?=\s*[,.]?)",
)
"""A name spelled out letter by letter ("Mark, M-A-R-K, Spencer"): no part of the name said."""
ELEMENT = re.compile(r"<(\w+)[^<>]*>.*?</\1\s*>", re.DOTALL)
MARKUP = re.compile(r"<[^<>]*>")
"""Markup typed into a chat ("<script>alert(1)</script>"), its tags and what they enclose: no
one's name (speech never has it)."""


TRAILING = re.compile(
    r"(?<=[^\W\d_])[\s,]+(?:actually|please|thanks|thank you|sorry|then|instead)\s*([.!?]?)\s*$",
    re.IGNORECASE,
)
"""A word after the last one of a name that is none of it: "Sam Smith actually."."""


def _said_name(text: str, bare: bool, answering: bool) -> str | None:
    words_said = _words(text)
    found = re.search(rf"\b{NAME_MARKERS}\s+(.*)", words_said, flags=re.IGNORECASE)
    introductions = [*INTRODUCTION.finditer(text)]
    signed = SIGNED.search(text)
    before = NAME_BEFORE.search(text)
    if before and (named := _name_words(before[1].split(), cased=True)):
        return _spelled(named)
    if (theirs := SOMEONE_ELSES.search(words_said)) and (
        name := _spelled(_name_words(theirs[1].split(), cased=True))
    ):
        return name
    if found and (name := _spelled(_name_words(found[1].split(), cased=False, first=True))):
        return name
    # An introduction that leads to no name ("a booking for tonight but ...", "I'm not
    # coming") leaves the rest, and the next one ("... It's Vogel.").
    for introduced in introductions:  # to the end of its sentence: "It's Harper. Ben Harper."
        rest = _words(re.split(r"[.!?]", text[introduced.end() :])[0])  # is no Harper Ben
        if name := _spelled(_name_words(rest.split(), cased=True)):
            return name
    if signed and (name := _spelled(_name_words(_words(signed[1]).split(), cased=True))):
        return name
    if alone := _standing_alone(text):
        return alone
    if by_number := BY_NUMBER.search(text):
        return _spelled(_name_words([by_number[1] or by_number[2]], cased=True))
    if bare:
        return _bare_name(text)
    if answering and (lone := LONE.fullmatch(FILLERS.sub("", text.strip()))):
        return _spelled(_name_words([lone[1]], cased=True))
    return None


FIRST_NAME = re.compile(rf"\b[Ff]irst name(?: is|'s)?[,:]?\s+({CAPITAL}[\w'-]*)")
SURNAME = re.compile(
    rf"\b(?:[Ss]urname|[Ll]ast name|[Ff]amily name)(?: is|'s)?[,:]?\s+({CAPITAL}[\w'-]*)"
)


def _whole(name: str | None, text: str) -> str | None:
    """The name whole when it comes in parts ("The surname is Harper, first name Ben", "Under
    Harper, first name Ben"), in one part alone ("Surname is Ng") or again in full ("It's
    Harper. Ben Harper.")."""
    first, last = (
        _spelled(_name_words([found[1]], cased=True)) if (found := part.search(text)) else None
        for part in (FIRST_NAME, SURNAME)
    )
    if first and last:
        return f"{first} {last}"
    if name is None:  # "Surname is Ng."
        return last or first
    words = name.split()
    if len(words) == 1 and (first or last) and (first or last) != name:
        return f"{first} {name}" if first else f"{name} {last}"
    fuller = _standing_alone(text)
    if words and fuller and set(words) < set(fuller.split()):
        return fuller
    return name


SAME_PART = 60
"""The least `rapidfuzz.fuzz.ratio` for a one-word name to correct that part of the name held
("Barker" for Baker scores 91, "Farrah" for Farrow 67, "Tim" for Baker 25)."""


def completed_name(held: str | None, said: str | None, text: str) -> str | None:
    """The name said, joined to the one-word name already held when the caller gave only the
    other part ("Surname Karim." after "this is Nadia": Nadia Karim), or put in place of the
    part of a whole name it corrects ("No, it's Barker, not Baker." after Tom Baker: Tom
    Barker)."""
    if not held or not said or len(said.split()) != 1 or held == said:
        return said
    if len(held.split()) > 1:
        *first, last = held.split()
        if SURNAME.search(text) or fuzz.ratio(said.lower(), last.lower()) >= SAME_PART:
            return " ".join([*first, said])
        if FIRST_NAME.search(text) or fuzz.ratio(said.lower(), first[0].lower()) >= SAME_PART:
            return " ".join([said, *held.split()[1:]])
        return said
    surname, first = SURNAME.search(text), FIRST_NAME.search(text)
    if surname and not first:
        return f"{held} {said}"
    if first and not surname:
        return f"{said} {held}"
    return said


def _standing_alone(text: str) -> str | None:
    """The first clause of two or three words that are all a name's (see ALONE)."""
    for found in ALONE.finditer(text):
        words = found[1].split()
        if len(_name_words(words, cased=True)) == len(words):
            return _spelled(words)
    return None


SHORT_ANSWER_WORDS = 4
WORD_AFTER_ARTICLE = re.compile(r"\b(?i:a|an|the)\s+([a-z][\w'-]*)\s*[.!]?\s*$")
"""In a short answer to "what name?" with no capitalised name, a last word after an article
is the name: Whisper writes a surname that is also a word as the word ("Anna Smith." heard
as "And a smith.", "Tom Baker." as "The baker.")."""


def _bare_name(text: str) -> str | None:
    """A name said alone: of the sentences of the answer, the one with the fullest name
    ("Lopez. Maria Lopez." is Maria Lopez; "Smith. S M I T H." is Smith), or a surname
    Whisper wrote as a word (see WORD_AFTER_ARTICLE)."""
    cased = _is_cased(text)
    sentences = [s for s in re.split(r"[.!?;]+", text) if s.strip()]
    names = [_name_words(FILLERS.sub("", _words(s)).split(), cased) for s in sentences]
    name = max(names, key=len, default=[])
    short = len(_words(text).split()) <= SHORT_ANSWER_WORDS
    if not name and cased and short and (word := WORD_AFTER_ARTICLE.search(text.strip())):
        name = _name_words([word[1]], cased=False)
    return _spelled(name)


def _spelled(name: list[str]) -> str | None:
    """The name as written: each part capitalised, particles as said, a part said twice in a
    row once ("I'm Ahmed, Ahmed Khan"), a surname said before the whole name dropped ("under
    Grant, Tyler Grant")."""
    name = [part for i, part in enumerate(name) if not i or part.lower() != name[i - 1].lower()]
    if len(name) >= 3 and name[0].lower() == name[-1].lower():
        name = name[1:]
    if not name:
        return None
    return " ".join(
        part if part.lower() in PARTICLES else part[:1].upper() + part[1:] for part in name
    )


def _words(text: str) -> str:
    """The text's letters, apostrophes, hyphens and spaces: accented letters kept ("María")."""
    return re.sub(r"(?:[^\w' -]|[\d_])+", " ", text)


def _is_cased(text: str) -> bool:
    """Whether the transcript capitalises (then a lower-case word is not a name)."""
    return any(c.isupper() for c in text)


CONTRACTION = re.compile(r"\w+'(?:d|ve|ll|m|re|s|t)")
""""I'd", "I've", "we're", "don't": no one's name (O'Brien and D'Arcy are)."""


MARKER_FILLERS = {"um", "uh", "er", "erm", "umm", "oh", "well", "so", "just", "actually", "like"}
"""What may stand between "the name is" and the name: "The name is, um, Anna"; any other
word there says something else ("the name is wrong, it should be ...")."""


def _name_words(words: list[str], cased: bool, first: bool = False) -> list[str]:
    """Up to three words of a name (besides particles): words that are not names are skipped
    before it and end it; `first`: only fillers are skipped before it (`MARKER_FILLERS`)."""
    name: list[str] = []
    for word in words:
        if first and not name and word.strip("'-,.").lower() not in MARKER_FILLERS:
            first = False
            if word.strip("'-,.").lower() in NOT_NAMES:
                return []
        plain = word.strip("'-")
        lower = plain.lower()
        lower_case_part = cased and plain[:1].islower() and not (name and lower in PARTICLES)
        particle = bool(name) and lower in PARTICLES  # "Ciarán Ó Briain": no letter spelled
        spelled_out = not particle and all(len(letter) == 1 for letter in lower.split("-"))
        contraction = CONTRACTION.fullmatch(lower) is not None
        if len(plain) > LONGEST_NAME_WORD:
            break  # the name said, garbled: no later word is it ("My name is AAAA... I want")
        if (
            not plain
            or spelled_out
            or contraction
            or lower in NOT_NAMES
            or _is_number(lower)
            or lower_case_part
        ):
            if name:
                break
            continue
        name.append(plain)
        if len([part for part in name if part.lower() not in PARTICLES]) == 3:
            break
    return name


def _is_number(word: str) -> bool:
    """A number said in words ("seven", "thirty"), which is no one's name."""
    return any(c.isdigit() for c in alpha2digit(word, "en", threshold=0))


HEARD_NAME_WORDS = 5
"""At most this many words are kept as a name Whisper could not spell (see `heard_for_name`)."""
NOT_AN_ANSWER = {
    "know", "sorry", "pardon", "what", "repeat", "again", "table", "booking", "reservation",
    "number", "phone", "people", "time", "day", "wait", "hold", "moment", "cancel", "change",
}  # fmt: skip
"""Words of an answer to "what name?" that is about something else ("I don't know",
"Sorry, what?"), not a name heard wrong."""


def heard_for_name(text: str) -> str | None:
    """What Whisper wrote for a name it could not make a name of ("It's a live yale mess." for
    "It's Elif Yilmaz."): the words after any "it's" or "the name is", capitalised, for the
    staff to check; None for a yes, a no, a question, digits, words of another answer or more
    words than a name has."""
    if is_question(text) or is_affirmative(text) or is_negative(text):
        return None
    if any(c.isdigit() for c in text):
        return None
    said = re.split(rf"\b{NAME_MARKERS}\b", text, flags=re.IGNORECASE)[-1]
    words = [w.strip("'-") for w in _words(FILLERS.sub("", said)).split()]
    words = [w for w in words if w and w.lower() not in MARKER_FILLERS | {"please", "thanks"}]
    if not 0 < len(words) <= HEARD_NAME_WORDS:
        return None
    if any(
        len(w) > LONGEST_NAME_WORD or w.lower() in NOT_AN_ANSWER or _is_number(w) for w in words
    ):
        return None
    return " ".join(w[:1].upper() + w[1:] for w in words)
