"""The cloud providers' fakes for `bench.load`, in a process of their own.

`python -m bench.load_fakes [--instant] LINE...` starts Deepgram's, Claude's and Cartesia's fakes
(provider_fakes/) at their published timings (Deepgram's final 250 ms after the
Finalize, Claude's first token 640 ms, Cartesia's first audio 150 ms; `--instant`: at once, for
the leak calls, which measure no latency), prints their
URLs as one JSON line, and serves until its standard input closes (the benchmark
ends). Each Deepgram connection says the LINEs in turn; Claude answers every turn
with the same short reply, and the state extractor's request with an empty reading.
So the fakes' own work (JSON, base64 audio) never counts against the bot's process.
"""

import asyncio
import json
import sys
from typing import Any

from provider_fakes.anthropic_server import FakeAnthropic, Text
from provider_fakes.cartesia_server import FakeCartesia
from provider_fakes.deepgram_server import FakeDeepgram
from provider_fakes.faults import HEALTHY, INSTANT, Timing

REPLY = ["Certainly, I can help with that. ", "Is there anything else?"]
READING = {"intent": "none", "slots": [], "summary": "", "open_questions": []}


def reply(body: dict[str, Any]) -> Text:
    """A turn's answer; a request that does not stream is the state extractor's."""
    return Text(REPLY) if body.get("stream") else Text([json.dumps(READING)])


async def serve(lines: list[str], timing: Timing):
    async with (
        FakeDeepgram(timing=timing, lines=lines) as deepgram,
        FakeAnthropic(reply, timing=timing) as claude,
        FakeCartesia(timing=timing) as cartesia,
    ):
        urls = {"deepgram": deepgram.base_url, "claude": claude.base_url, "cartesia": cartesia.url}
        print(json.dumps(urls), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    instant = sys.argv[1:2] == ["--instant"]
    asyncio.run(serve(sys.argv[2:] if instant else sys.argv[1:], INSTANT if instant else HEALTHY))
