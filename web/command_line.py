"""The command line of `python bot.py` when the bot's own server runs it.

The flags are the ones Pipecat's development runner gave this bot for WebRTC
and the eval websocket, with the same names and defaults, so `make run ARGS=...`
and QA's `pipecat eval` spawn line work unchanged. `-t daily`, `-d` and the
runner's other transports still go to Pipecat's runner (bot.py).
"""

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# The transports the bot's own server takes; anything else is Pipecat's runner's.
OWN_TRANSPORTS = (None, "webrtc", "eval")


@dataclass(frozen=True)
class ServerArgs:
    """What the bot's own server reads from the command line."""

    host: str
    port: int
    verbose: int
    esp32: bool
    ice_servers: list[dict[str, Any]]
    allowed_origins: tuple[str, ...]
    runner_body: Any
    namespace: argparse.Namespace


def parse_server_args(argv: list[str], env_ice_servers: str | None) -> ServerArgs:
    """The server's flags; an unknown flag stops with argparse's usage line (exit 2)."""
    from pipecat.runner.run import _parse_ice_servers  # the runner's own reading

    parser = argparse.ArgumentParser(
        prog="bot.py", description="The restaurant voice agent (WebRTC page and eval websocket)"
    )
    parser.add_argument("--host", default="localhost", help="Host address (default: localhost)")
    parser.add_argument("--port", type=int, default=7860, help="Port number (default: 7860)")
    parser.add_argument(
        "-t", "--transport", choices=["webrtc", "eval"], default=None, help="webrtc (default)"
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="TRACE logs")
    parser.add_argument("--esp32", action="store_true", help="SDP munging for ESP32 clients")
    parser.add_argument(
        "--ice-servers",
        nargs="*",
        default=env_ice_servers,
        help="STUN/TURN servers (default: PIPECAT_ICE_SERVERS)",
    )
    parser.add_argument(
        "--allowed-origins", nargs="*", default=[], help="other origins (see ALLOWED_ORIGINS)"
    )
    parser.add_argument("--runner-body", help="YAML or JSON file: the body of each /ws session")
    args = parser.parse_args(argv)
    if args.esp32 and args.host == "localhost":
        parser.error("--esp32 needs --host with the bot's IP address, for the SDP munging")
    try:
        ice_servers = _parse_ice_servers(args.ice_servers)
    except ValueError as problem:
        parser.error(f"--ice-servers: {problem}")
    body = yaml.safe_load(Path(args.runner_body).read_text()) if args.runner_body else None
    return ServerArgs(
        host=args.host,
        port=args.port,
        verbose=args.verbose,
        esp32=args.esp32,
        ice_servers=ice_servers,
        allowed_origins=tuple(o.rstrip("/").lower() for o in args.allowed_origins),
        runner_body=body,
        namespace=args,
    )
