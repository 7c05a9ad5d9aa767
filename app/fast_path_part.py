"""The fast path as a pipeline part: built only when it has an LLM to stand in front of."""

from flows.fast_path import RestaurantFastPath
from flows.restaurant import Restaurant
from processors.fast_path import FastPathRouter
from settings import Settings


def fast_path(settings: Settings) -> FastPathRouter | None:
    """The call's fast path; None when `FAST_PATH=off`, or when the on-device brain is the
    LLM (it answers every turn on the device already)."""
    if not settings.fast_path or settings.llm == "ondevice":
        return None
    return FastPathRouter(RestaurantFastPath(Restaurant.from_settings(settings)))
