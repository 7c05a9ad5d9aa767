"""The restaurant's fast path: the requests a fixed reply answers in front of the LLM, and
the replies (processors/fast_path.py speaks them, services/fast_router.py decides).

The examples, the words allowed around them and the vetoes were tuned on
bench/routing_sets/tuning.tsv only; bench/routing.py measures them on the
held-out set too (docs/fast-path.md).
"""

from flows.ondevice_dialogue import ADDRESS_ASKED, GOODBYES, MENU, MENU_ASKED, REPEAT_ASKED
from flows.restaurant import Restaurant
from processors.fast_path import FastReply
from services.fast_router import FastIntent, FastRouter
from services.ondevice_llm import normalise

# Only what the restaurant has told us: no dish is promised as vegan or gluten-free.
DIETARY = (
    "The kitchen can tell you which dishes suit a vegetarian, vegan or gluten-free diet. "
    "Please mention it, or any allergy, when you book, and they will advise."
)
REPEAT_PREFIX = "Of course. "

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WHEN = (
    *DAYS,
    *(f"{day}s" for day in DAYS),
    "today", "tonight", "tomorrow", "this evening", "tomorrow night", "the weekend",
    "weekends", "at the weekend", "on", "on a", "on the", "at", "for", "for lunch",
    "for dinner", "in the evening", "usually", "normally", "exactly", "the restaurant",
    "you", "your", "is", "it", "and close", "and open",
)  # fmt: skip

FILLERS = (
    "please", "um", "uh", "er", "erm", "so", "oh", "well", "just", "hi", "hello", "hey",
    "excuse me", "could you tell me", "can you tell me", "could you let me know",
    "can i ask", "may i ask", "do you know", "i was wondering", "i wanted to ask",
    "id like to know", "quick question", "guys", "you guys", "the", "a", "there", "hi there",
)  # fmt: skip
"""Words that change no request, wherever they stand."""

VETOES = (
    # bookings, and anything about the caller's own ("my booking", "my table")
    "book", "booking", "booked", "bookings", "reservation", "reservations", "reserve",
    "table", "tables", "cancel", "change", "move", "my", "mine", "our", "people",
    # a person
    "manager", "person", "human", "someone", "staff", "speak to", "talk to a", "talk to the",
    # what no fixed reply knows
    "how much", "price", "prices", "cost", "costs", "pay", "kids", "children", "childrens",
    "child", "wine", "drinks", "set menu", "christmas", "easter", "new years", "holiday",
    "bank", "party", "parties", "group", "private", "online", "allergy", "allergic",
    "allergies", "nut", "nuts", "peanut", "peanuts", "shellfish", "halal", "kosher",
    "contain", "contains", "made with", "without", "parking", "park", "car", "station",
    "bus", "train", "text", "send", "email", "last", "seating", "kitchen", "latest",
    "arrive", "confirmation", "dessert menu", "drinks menu", "kids menu",
    # the menu's own dishes: a question about one is not a question about the menu
    "bruschetta", "carbonara", "ragu", "tiramisu", "sorbet", "cured",
    # corrections, complaints, more to come
    "wait", "actually", "but", "another", "else", "wrong", "not",
)  # fmt: skip
"""Words that send a turn to the LLM wherever they stand."""


def fast_intents(restaurant: Restaurant) -> list[FastIntent]:
    name = normalise(restaurant.name)
    short = name.split()[0]  # "luigis"
    return [
        FastIntent(
            "greeting",
            (
                "hello",
                "hi",
                "hi there",
                "hey",
                "hiya",
                "good morning",
                "good evening",
                "good afternoon",
                "morning",
                "evening",
                "hey there",
            ),  # fmt: skip
            may_also_say=(
                "how are you",
                "anyone there",
                "is anyone there",
                "is this",
                "is that",
                name,
                short,
                "to you",
                "hi",
                "hello",
                "hey",
            ),  # fmt: skip
            soft=True,
        ),
        FastIntent(
            "hours",
            (
                "opening hours",
                "what are your hours",
                "what are your opening hours",
                "when are you open",
                "when do you open",
                "what time do you open",
                "what time do you close",
                "when do you close",
                "are you open",
                "how late are you open",
                "until what time",
                "what time do you shut",
                "opening times",
                "your hours",
                "are you open today",
                "are you open tonight",
            ),  # fmt: skip
            may_also_say=WHEN,
        ),
        FastIntent(
            "address",
            (
                *ADDRESS_ASKED,
                "where can i find you",
                "whereabouts are you",
                "wheres the restaurant",
                "what is your address",
                f"where is {short}",
                f"where is {name}",
            ),  # fmt: skip
            may_also_say=(
                "exactly",
                "the restaurant",
                "is",
                "your",
                "whats",
                "what is",
                "tell me",
                "could you tell me",
                "please",
                "located",
                "guys",
                "give me",
                "can you give me",
            ),  # fmt: skip
        ),
        FastIntent(
            "menu",
            (
                *MENU_ASKED,
                "whats on your menu",
                "what do you have on the menu",
                "what kind of food",
                "what sort of food",
                "what kind of dishes",
                "do you serve pasta",
                "do you do pizza",
                "what do you serve",
            ),  # fmt: skip
            may_also_say=(
                "today",
                "tonight",
                "do you serve",
                "do you have",
                "is it",
                "can you",
                "could you",
                "do you do",
            ),  # fmt: skip
        ),
        FastIntent(
            "dietary",
            (
                "vegetarian options",
                "vegan options",
                "gluten free options",
                "vegetarian",
                "vegetarians",
                "vegan",
                "vegans",
                "gluten free",
                "veggie",
                "coeliac",
                "coeliacs",
                "celiac",
            ),  # fmt: skip
            may_also_say=(
                "do you have",
                "do you do",
                "do you cater for",
                "can you cater for",
                "is there anything",
                "anything",
                "any",
                "are there any",
                "options",
                "dishes",
                "food",
                "on the menu",
                "pizza",
                "pasta",
                "for",
                "can you do",
                "what",
                "are there",
                "im a",
                "im",
                "i am",
                "what can i eat",
                "is there anything for me",
                "what can a",
                "eat",
                "there",
                "have",
                "can",
            ),  # fmt: skip
        ),
        FastIntent(
            "repeat",
            (
                *REPEAT_ASKED,
                "say again",
                "i missed that",
                "could you repeat",
                "pardon me",
            ),  # fmt: skip
            may_also_say=("sorry", "that", "please", "could you", "can you", "again"),
        ),
        FastIntent(
            "goodbye",
            (
                *GOODBYES,
                "have a good evening",
                "have a good day",
                "see you soon",
                "thats it",
                "thats everything",
            ),  # fmt: skip
            may_also_say=(
                "ok",
                "okay",
                "no",
                "thanks",
                "thank you",
                "thank you very much",
                "very much",
                "great",
                "lovely",
                "perfect",
                "cheers",
                "alright",
                "then",
                "for now",
            ),  # fmt: skip
        ),
    ]


def asked_mid_task(last_bot_text: str | None) -> bool:
    """Whether the bot's last words asked the caller something other than "anything else?"
    or "how can I help?": a goodbye then may be Whisper's, heard from noise, mid-booking."""
    words = normalise(last_bot_text or "")
    if not (last_bot_text or "").rstrip().endswith("?"):
        return False
    return not any(done in words for done in ("anything else", "how can i help"))


def restaurant_router(restaurant: Restaurant) -> FastRouter:
    return FastRouter(fast_intents(restaurant), fillers=FILLERS, vetoes=VETOES)


class RestaurantFastPath:
    """The restaurant's fast replies: a `FastAnswer` for processors/fast_path.py."""

    def __init__(self, restaurant: Restaurant):
        """
        Args:
            restaurant: Whose name, hours and address the replies give.
        """
        self._restaurant = restaurant
        self.router = restaurant_router(restaurant)

    def __call__(self, text: str, last_bot_text: str | None) -> FastReply | None:
        route = self.router.route(text)
        if route.intent is None:
            return None
        if route.intent == "goodbye" and asked_mid_task(last_bot_text):
            return None  # the LLM, which knows the task is open, answers it
        return FastReply(route.intent, *self._reply(route.intent, last_bot_text))

    def _reply(self, intent: str, last_bot_text: str | None) -> tuple[str, bool]:
        r = self._restaurant
        if intent == "greeting":
            return f"Hello, thank you for calling {r.name}. How can I help?", False
        if intent == "hours":
            return f"We are open {r.hours.rstrip('.')}.", False
        if intent == "address":
            return f"You will find us at {r.address.rstrip('.')}.", False
        if intent == "menu":
            return MENU, False
        if intent == "dietary":
            return DIETARY, False
        if intent == "repeat":
            if not last_bot_text:
                return "I have not said anything yet. How can I help?", False
            return REPEAT_PREFIX + last_bot_text.removeprefix(REPEAT_PREFIX), False
        return f"Thank you for calling {r.name}. Goodbye!", True
