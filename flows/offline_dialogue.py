"""What the on-device brain can do for the restaurant with no LLM at all.

The engine (services/ondevice_llm.py) matches the caller's words to these
intents; the replies and their wording live here, with the domain.
"""

from flows.restaurant import Restaurant
from services.ondevice_llm import Dialogue, DialogueTurn, Intent, Reply

OFFLINE_SCOPE = "our opening hours and our address"


def restaurant_dialogue(restaurant: Restaurant) -> Dialogue:
    def greeting(_: DialogueTurn) -> Reply:
        return Reply(
            f"Hello, thank you for calling {restaurant.name}. "
            f"I can tell you {OFFLINE_SCOPE}. How can I help?"
        )

    def hours(_: DialogueTurn) -> Reply:
        return Reply(f"We are open {restaurant.hours}.")

    def address(_: DialogueTurn) -> Reply:
        return Reply(f"You will find us at {restaurant.address}.")

    def repeat(turn: DialogueTurn) -> Reply:
        if not turn.last_bot_text:
            return Reply("I have not said anything yet. How can I help?")
        return Reply(f"Of course. {turn.last_bot_text}")

    def goodbye(_: DialogueTurn) -> Reply:
        return Reply(
            f"Thank you for calling {restaurant.name}. Goodbye!", calls=(("end_call", {}),)
        )

    def offline(_: DialogueTurn) -> Reply:
        return Reply(
            f"Sorry, while I'm offline I can only help with {OFFLINE_SCOPE}. "
            "Is there anything about those I can do for you?"
        )

    intents = [
        Intent(
            "greeting",
            ("hello", "hi there", "hey", "good morning", "good evening", "good afternoon"),
            greeting,
        ),
        Intent(
            "hours",
            (
                "opening hours",
                "what are your hours",
                "when are you open",
                "when do you open",
                "what time do you open",
                "what time do you close",
                "when do you close",
                "are you open today",
                "are you open tonight",
                "are you open on sunday",
                "how late are you open",
                "until what time",
            ),
            hours,
        ),
        Intent(
            "address",
            (
                "address",
                "where are you",
                "where are you located",
                "where is the restaurant",
                "how do i get there",
                "how do i find you",
                "whats your location",
                "directions",
            ),
            address,
        ),
        Intent(
            "repeat",
            (
                "repeat that",
                "can you repeat",
                "say that again",
                "come again",
                "pardon",
                "sorry what",
                "i didnt catch that",
                "one more time",
            ),
            repeat,
        ),
        Intent(
            "goodbye",
            (
                "goodbye",
                "bye",
                "bye bye",
                "thats all thank you",
                "thats all",
                "thanks bye",
                "have a good night",
                "see you",
                "talk to you later",
            ),
            goodbye,
        ),
    ]
    return Dialogue(intents=intents, opening=greeting, fallback=offline)
