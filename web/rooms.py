"""Which room callers join, read from the runner's command line before it starts.

Locally callers join through the page (SmallWebRTC); in production through a
Daily room (`-t daily`, or `-d` to join at once). Pipecat's runner only asks
Daily for a room when the first caller arrives, and fails there with a
traceback, so a missing key is caught here, at start-up, in one line.
"""

import argparse
import sys
from dataclasses import dataclass

from settings import Settings


@dataclass(frozen=True)
class RunnerOptions:
    """The runner options the bot acts on before handing over to the runner."""

    transport: str | None
    host: str


def peek_runner_options(argv: list[str]) -> RunnerOptions:
    """Read `-t/--transport`, `-d/--direct` and `--host` as the runner will."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-t", "--transport")
    parser.add_argument("-d", "--direct", action="store_true")
    parser.add_argument("--host", default="localhost")
    args, _ = parser.parse_known_args(argv)
    return RunnerOptions(transport="daily" if args.direct else args.transport, host=args.host)


def daily_problem(settings: Settings) -> str | None:
    """Why the Daily transport cannot start with these settings, or None."""
    if settings.daily_api_key is None:
        return (
            "DAILY_API_KEY: the Daily transport (-t daily) needs a Daily API key to create a "
            "room, or a token for DAILY_ROOM_URL; set it, or run without -t daily"
        )
    return None


def check_room_or_exit(settings: Settings, options: RunnerOptions) -> None:
    """Stop start-up with one clear line when the chosen room cannot work."""
    if options.transport == "daily" and (problem := daily_problem(settings)):
        print(f"configuration error: {problem}", file=sys.stderr)
        raise SystemExit(2)
