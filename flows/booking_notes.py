"""What the caller asks the staff to know: allergies, occasions, seating wishes.

The note is kept as said, from the clause that names it to the end of its thought, without
the request around it and without the booking's own details, so that the read-back and the
staff hear "one of us is in a wheelchair", not the whole request.
"""

import re

NOTE_WORDS = re.compile(
    r"\b(?:allerg\w*|intoleran\w*|vegan|vegetarian|gluten|coeliac|celiac|birthday|anniversary|"
    r"(?:pea)?nuts?|shellfish|dairy|lactose|sesame|halal|kosher|"
    r"wheelchair|high ?chairs?|pram|buggy|window|terrace|booth|"
    r"retirement|proposal|propose|engagement|graduation|christening|leaving do|hen do|stag do|"
    r"surprise|celebrat\w*|"
    r"(?:my|our|his|her|their|\w+'s) \d{2}(?:st|nd|rd|th))\b",
    re.IGNORECASE,
)
NOTE_LEAD_IN = re.compile(
    r"^(?:(?:and|also|oh|but|so)\b[\s,]*)*(?:(?:can|could|would) you (?:please |also )*"
    r"(?:note|add|put|write|mention)(?: (?:down|in|on))?(?: a note)?(?: that)?|"
    r"(?:please )?(?:note|be aware)(?: that)?|just so you know|fyi)?\b[\s,:]*",
    re.IGNORECASE,
)


GOES_ON = re.compile(r"(?:so|and|but|because|as|which|who|with|please|if|though)\b", re.I)
"""A clause that carries the note on ("..., so no nuts please"); any other clause after it is
the booking's own ("..., there will be 6 of us, Saturday at 1")."""
BOOKING_DETAIL = re.compile(
    r"\b(?:\w+ (?:people|persons|guests|of us)|party of|table for|o'clock|[ap]\.?m\.?|"
    r"at \d|tonight|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day)(?!\w)",
    re.IGNORECASE,
)
"""A booking's own detail, which ends the note even after "so" ("It's for our anniversary,
so two people, Saturday at 8")."""


QUESTION_ABOUT = re.compile(
    r"^(?:(?:and|also|oh|but|so|just)\b[\s,]*)*(?:do you (?:have|do|serve|offer|cater)|"
    r"is there|are there|have you got|do you guys have)\b(?![^?]*\b(?:tables?|space|room|"
    r"availab\w*|free|seats?|bookings?|reservations?|people|groups?|parties|party|"
    r"any(?:thing)?|\d+)\b)[^?]*\?$",
    re.IGNORECASE,
)
"""A sentence asking about the restaurant ("And do you have vegetarian options?", "Is there
parking?"): offline, no answer; one that names a note's subject is noted for the staff."""


def asked_about(text: str) -> str | None:
    """The sentence that asks about the restaurant (`QUESTION_ABOUT`), if one does."""
    return next(
        (
            sentence
            for sentence in re.split(r"(?<=[.!?;])\s+", text.strip())
            if QUESTION_ABOUT.match(sentence) and not BOOKING_DETAIL.search(sentence)
        ),
        None,
    )


def names_a_note(text: str) -> bool:
    """Whether the words name what a note is about (`NOTE_WORDS`)."""
    return NOTE_WORDS.search(text) is not None


def parse_notes(text: str) -> str | None:
    """Allergies, occasions, seating wishes, for the staff: as said, the clause that names one
    and the clauses that carry it on, without the request around it ("..., and can you note
    that one of us is in a wheelchair?" is "one of us is in a wheelchair")."""
    for sentence in re.split(r"(?<=[.!?;])\s+", text.strip()):
        clauses = sentence.split(", ")
        named = next((i for i, clause in enumerate(clauses) if NOTE_WORDS.search(clause)), None)
        if named is None:
            continue
        kept = [clauses[named]]
        for clause in clauses[named + 1 :]:
            if not GOES_ON.match(clause) or BOOKING_DETAIL.search(clause):
                break
            kept.append(clause)
        said = NOTE_LEAD_IN.sub("", ", ".join(kept)).rstrip(" .!?;")
        return said if NOTE_WORDS.search(said) else sentence.rstrip(" .!?;")
    return None
