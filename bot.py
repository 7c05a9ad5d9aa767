"""The restaurant voice agent's entry point: checks the configuration, then serves callers.

Run `python bot.py` (or `make run`) and open the printed URL. With no keys it is
fully offline: Whisper, the on-device brain and Piper. The bot's own server
(web/server.py, with its limits, drain and health checks) serves the page and
the eval websocket; `-t daily`/`-d` go to Pipecat's runner (app/serving.py).
Either calls `bot()` once per call, as Pipecat Cloud does; the pipeline itself is
built in app/worker.py, from the parts `PIPELINE_PARTS` chooses
(`python bot.py --list-parts` lists them).
"""

import sys

from pipecat.runner.types import RunnerArguments
from pipecat.runner.utils import create_transport

from app.caller_id import caller_phone
from app.log_privacy import protect_logs
from app.part_choice import choose_parts_or_exit
from app.parts import part_lines
from app.resources import open_call_records_or_exit, open_reservations_or_exit
from app.serving import runner_line, serve_own, serve_with_pipecat_runner
from app.worker import run_bot, transport_params
from settings import load_settings_or_exit
from web.command_line import OWN_TRANSPORTS
from web.ice_servers import check_ice_servers_or_exit
from web.loopback import loopback_wanted, offer_loopback_candidate
from web.rooms import check_room_or_exit, peek_runner_options


async def bot(runner_args: RunnerArguments):
    """Entry point the server (ours, Pipecat's runner or Pipecat Cloud's) calls for each session."""
    async with runner_line(runner_args) as taken:
        if taken:
            settings = load_settings_or_exit()
            transport = await create_transport(runner_args, transport_params())
            caller = caller_phone(runner_args, settings.restaurant_phone_region)  # Daily dial-in
            await run_bot(
                transport, settings, handle_sigint=runner_args.handle_sigint, caller_phone=caller
            )


if __name__ == "__main__":
    if "--list-parts" in sys.argv[1:]:  # before Pipecat's runner reads the command line
        print("\n".join(part_lines()))
        raise SystemExit(0)
    # A bad configuration stops here, before the server starts.
    settings = load_settings_or_exit()
    protect_logs(settings)  # every log line from here on, loguru's and the stdlib's, redacted
    parts = choose_parts_or_exit(settings)
    options = peek_runner_options(sys.argv[1:])
    check_room_or_exit(settings, options)
    check_ice_servers_or_exit(settings)
    open_reservations_or_exit(settings)  # migrates the database to the latest schema
    if "call_records" in parts:
        open_call_records_or_exit(settings)  # and the call records' own
    if loopback_wanted(settings, options.host):
        offer_loopback_candidate()

    if options.transport in OWN_TRANSPORTS:
        serve_own(bot, settings, sys.argv[1:])
    else:
        serve_with_pipecat_runner(settings)
