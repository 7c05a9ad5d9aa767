"""What the on-device brain can do for the restaurant with no LLM at all.

The engine (services/ondevice_llm.py) matches the caller's words to these
intents; the replies and their wording live here, with the domain.
"""

from conversation.state import ConversationState
from flows.booking_notes import asked_about, names_a_note
from flows.booking_rules import BookingRules
from flows.ondevice_answers import LEAVING
from flows.ondevice_bookings import CANNOT_ANSWER, OfflineBookings
from flows.phone_heard import NOT_CAUGHT
from flows.restaurant import Restaurant
from services.ondevice_llm import Dialogue, DialogueTurn, Intent, Match, Reply

QUESTION_NOTED = (
    "Sorry, I can't answer that while I'm offline, so I have noted your question for our staff."
)

MENU = (
    "Our menu starts with bruschetta and cured meats. "
    "Then comes fresh pasta, like carbonara or a slow-cooked beef ragu. "
    "Our pizzas are baked in a wood-fired oven. "
    "And for dessert there is tiramisu or lemon sorbet."
)
OFFLINE_SCOPE = "our opening hours and our address"
OFFLINE_SCOPE_WITH_BOOKINGS = (
    "booking, changing or cancelling a table, our opening hours and our address"
)


# How callers ask; the fast path in front of an LLM (flows/fast_path.py) starts from these.
HOURS_ASKED = (
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
)

ADDRESS_ASKED = (
    "address",
    "where are you",
    "where are you located",
    "where is the restaurant",
    "how do i get there",
    "how do i find you",
    "whats your location",
    "directions",
)

REPEAT_ASKED = (
    "repeat that",
    "can you repeat",
    "say that again",
    "come again",
    "pardon",
    "sorry what",
    "i didnt catch that",
    "one more time",
)

GOODBYES = (
    "goodbye",
    "bye",
    "bye bye",
    "thats all thank you",
    "thats all",
    "thanks bye",
    "have a good night",
    "see you",
    "talk to you later",
    "ta ra",
    "tara",
    "cheerio",
    "see ya",
    "take care",
)

MENU_ASKED = (
    "whats on the menu",
    "what is on the menu",
    "tell me about the menu",
    "read me the menu",
    "what food do you serve",
    "what dishes do you have",
)


def restaurant_dialogue(
    restaurant: Restaurant,
    rules: BookingRules | None = None,
    state: ConversationState | None = None,
    caller_phone: str | None = None,
    bookings: OfflineBookings | None = None,
) -> Dialogue:
    """The restaurant's offline conversation; with `rules`, it also takes bookings
    (one dialogue per call: it remembers where the booking stands), reading what the
    caller said earlier from the call's `state`. `bookings`: that booking desk, when the
    caller of this function needs it too (the offline agents read the task under way)."""
    if bookings is None and rules is not None:
        bookings = OfflineBookings(rules, state, caller_phone)
    scope = OFFLINE_SCOPE if bookings is None else OFFLINE_SCOPE_WITH_BOOKINGS

    def greeting(_: DialogueTurn) -> Reply:
        offer = (
            f"I can tell you {OFFLINE_SCOPE}"
            if bookings is None
            else "I can book, change or cancel a table, or tell you our opening hours and address"
        )
        return Reply(f"Hello, thank you for calling {restaurant.name}. {offer}. How can I help?")

    hours_said = f"We are open {restaurant.hours}."
    address_said = f"You will find us at {restaurant.address}."

    def resumed(answer: str) -> Reply:
        """An answer mid-booking, then the booking's question again."""
        question = bookings.resume() if bookings is not None else ""
        return Reply(f"{answer} {question}".rstrip())

    def hours(_: DialogueTurn) -> Reply:
        return resumed(hours_said)

    def address(_: DialogueTurn) -> Reply:
        return resumed(address_said)

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
            f"Sorry, while I'm offline I can only help with {scope}. "
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
            HOURS_ASKED,
            hours,
        ),
        Intent(
            "address",
            ADDRESS_ASKED,
            address,
        ),
        Intent(
            "repeat",
            REPEAT_ASKED,
            repeat,
        ),
        Intent(
            "goodbye",
            GOODBYES,
            goodbye,
        ),
        # A long answer, read sentence by sentence (callers talk over it: docs/interruptions.md).
        Intent(
            "menu",
            MENU_ASKED,
            lambda _: Reply(MENU),
        ),
    ]
    if bookings is None:
        return Dialogue(intents=intents, opening=greeting, fallback=offline)

    intents += [
        Intent(
            "book",
            (
                "book a table",
                "make a reservation",
                "make a booking",
                "reserve a table",
                "a table for",
                "can i book",
                "id like to book",
                "i want to book",
                "a reservation for",
            ),
            lambda turn: bookings.start("book", turn.user_text or ""),
        ),
        Intent(
            "change",
            (
                "change my booking",
                "change my reservation",
                "change the booking",
                "move my booking",
                "move my reservation",
                "modify my booking",
                "reschedule my booking",
                "update my booking",
                "change the time of my booking",
                "change the time of my reservation",
            ),
            lambda turn: bookings.start("change", turn.user_text or ""),
        ),
        Intent(
            "cancel",
            (
                "cancel my booking",
                "cancel my reservation",
                "cancel the booking",
                "cancel the reservation",
                "cancel a booking",
            ),
            lambda turn: bookings.start("cancel", turn.user_text or ""),
        ),
        Intent(
            "human",
            (
                "speak to a person",
                "talk to a person",
                "speak to someone",
                "talk to someone",
                "a real person",
                "a human",
                "speak to the manager",
                "member of staff",
                "put me through",
            ),
            lambda _: bookings.human(),
        ),
    ]

    # Asked along with a booking ("What time do you close on Friday? And a table for 2 at
    # 9?"): answered first, then the booking goes on. Surer matches only (90, not 80).
    asides = Dialogue(
        intents=(
            Intent("hours", HOURS_ASKED, lambda _: Reply(hours_said)),
            Intent("address", ADDRESS_ASKED, lambda _: Reply(address_said)),
        ),
        opening=offline,
        fallback=offline,
        min_score=90.0,
    )

    def interpret(turn: DialogueTurn, found: Match) -> Reply | None:
        reply = bookings.interpret(turn, found)
        if reply is LEAVING:
            return goodbye(turn)
        if reply is not None and (aside := asides.match(turn.user_text or "")).intent:
            said = aside.intent.respond(turn).text
            if reply.text.startswith(said):
                return reply  # answered already, by the same intent
            return Reply(f"{said} {reply.text}".rstrip(), reply.calls)
        question = asked_about(turn.user_text or "")
        if (
            question
            and reply is not None
            and (reply.text or reply.calls)
            and CANNOT_ANSWER not in reply.text
        ):
            # "A table for 2 at 7 tonight? And do you have vegetarian options?": not the
            # booking's to answer; one about a note's subject is in the note.
            said = QUESTION_NOTED if names_a_note(question) else CANNOT_ANSWER
            rest = reply.text.removeprefix(f"{NOT_CAUGHT} ")  # the question was caught
            return Reply(f"{said} {rest}".rstrip(), reply.calls)
        return reply

    return Dialogue(
        intents=intents,
        opening=greeting,
        fallback=offline,
        interpret=interpret,
        on_tool_results=bookings.on_tool_results,
        memory=bookings,
    )
