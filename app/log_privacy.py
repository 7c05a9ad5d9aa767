"""Log privacy for the whole process: installed once at start-up, before the server serves.

The call's pipeline re-installs the same thing (app/worker.py) and binds each
call, so its lines carry the call's id; this makes every line before the first
call (the server's, uvicorn's, a failed SDP offer's) redacted too.
"""

from conversation.logs import install_log_privacy
from flows.restaurant import Restaurant
from settings import Settings


def protect_logs(settings: Settings) -> None:
    """Redact every loguru and standard-library log record of this process from now on."""
    restaurant = Restaurant.from_settings(settings)
    # The restaurant's own name and address are not personal data.
    install_log_privacy(settings.restaurant_phone_region, (restaurant.name, restaurant.address))
