"""What a caller says when they want a person or are fed up, and what the bot says when it did
not understand: the escalation monitor's word lists (flows/escalation_monitor.py).

Lower case; matched as whole words inside the turn, so "a real person please" matches
"real person". A phrase here should be unambiguous on its own: a wrong offer of a person
costs one question, a missed one a caller who hangs up.
"""

ASKS_FOR_PERSON = (
    "real person",
    "speak to a person",
    "talk to a person",
    "a human",
    "speak to someone",
    "talk to someone",
    "speak to a manager",
    "speak to the manager",
    "member of staff",
    "an operator",
    "put me through",
    "transfer me",
    "get me a manager",
    "get me the manager",
    "get me someone",
    "speak to a real",
    "talk to a real",
)
"""Not "a person" or "the manager" alone: "a table for a person and a baby", "the manager's
birthday" are bookings."""
FRUSTRATED = (
    "this is useless",
    "you're useless",
    "you are useless",
    "useless bot",
    "stupid bot",
    "useless machine",
    "stupid machine",
    "i already told you",
    "i've already told you",
    "i just told you",
    "are you even listening",
    "you're not listening",
    "this is ridiculous",
    "waste of time",
    "not helpful",
)
DID_NOT_UNDERSTAND = (
    "sorry, i didn't catch",
    "i didn't catch that",
    "i didn't understand",
    "i did not understand",
    "i'm not sure i understood",
    "could you say that again",
    "could you repeat",
    "can you repeat",
    "sorry, what was that",
    "i'm sorry, i didn't get",
    "i did not catch",
    "i can only help with",
)
"""The bot's own words when a turn went over its head; the last two are the on-device
brain's ("Sorry, I did not catch that.", "while I'm offline I can only help with ...")."""
