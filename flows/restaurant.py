"""The restaurant the bot answers for, and how a generative LLM should speak for it."""

from dataclasses import dataclass

from settings import Settings

CALLER_VOCABULARY = (
    "table for one two three four five six seven eight nine ten eleven twelve people, "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday, tonight tomorrow, "
    "half past, quarter past, quarter to, o'clock, booking reservation"
)
"""What callers booking a table say, for the speech recogniser to expect."""


@dataclass(frozen=True)
class Restaurant:
    name: str
    hours: str
    address: str

    def vocabulary(self) -> str:
        """Words to bias the speech recogniser towards: the restaurant's name and a booking's."""
        return f"{self.name}, {CALLER_VOCABULARY}"

    @classmethod
    def from_settings(cls, settings: Settings) -> "Restaurant":
        return cls(
            name=settings.restaurant_name,
            hours=settings.restaurant_hours,
            address=settings.restaurant_address,
        )


def system_prompt(restaurant: Restaurant) -> str:
    """The instruction a generative LLM (Claude, any OpenAI-compatible model) receives."""
    return (
        f"You are the voice assistant of {restaurant.name}, answering the phone. "
        f"Opening hours: {restaurant.hours}. Address: {restaurant.address}. "
        "Your words are spoken aloud: answer in one or two short sentences, plain text, "
        "no lists, no markdown, no emoji. If you do not know something, say so. "
        "When the caller says goodbye, say a short goodbye and call end_call; if a booking, "
        "change or cancellation is still under way, first ask whether they want to end the call."
    )
