"""`PIPECAT_ICE_SERVERS`, checked at start-up the way Pipecat's runner and aiortc will read it.

Pipecat's runner parses the variable only when it starts; a malformed value then
logs one error and the runner returns with exit code 0, and a URL it accepts but
aiortc cannot read ("stun.example.com:3478", no scheme) fails on every call. Here
both are caught before the server starts, in one line naming the variable.
"""

import re
import sys
from typing import Any

from settings import Settings

VARIABLE = "PIPECAT_ICE_SERVERS"
# Parse errors quote the value: a TURN password must not reach the terminal or its logs.
_CREDENTIAL = re.compile(r"""(["']credential["']\s*:\s*)(["'])(?:(?!\2).)*\2?""")


def ice_servers_problem(value: str | None) -> str | None:
    """Why `value` cannot work as ICE servers, or None when it can (or is unset)."""
    if not value or not value.strip():
        return None
    from aiortc.rtcicetransport import parse_stun_turn_uri
    from pipecat.runner.run import _parse_ice_servers  # the runner's own reading

    try:
        servers: list[dict[str, Any]] = _parse_ice_servers(value)
    except ValueError as error:
        return str(error)
    for server in servers:
        urls = server["urls"] if isinstance(server["urls"], list) else [server["urls"]]
        for url in urls:
            if not isinstance(url, str):
                return f"{url!r} is not a STUN or TURN URL"
            try:
                parsed = parse_stun_turn_uri(url)
            except ValueError as error:
                return (
                    f"{url!r} is not a STUN or TURN URL ({error}; e.g. stun:stun.example.com:3478)"
                )
            if parsed["scheme"] in ("turn", "turns") and not (
                server.get("username") and server.get("credential")
            ):
                return f"{url!r} is a TURN server and needs a username and a credential"
    return None


def check_ice_servers_or_exit(settings: Settings) -> None:
    """Stop start-up with one clear line when the ICE servers cannot be used."""
    if problem := ice_servers_problem(settings.pipecat_ice_servers):
        problem = _CREDENTIAL.sub(r"\1\2[REDACTED]\2", " ".join(problem.split()))
        print(f"configuration error: {VARIABLE}: {problem}", file=sys.stderr)
        raise SystemExit(2)
