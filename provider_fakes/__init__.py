"""Local servers that speak the cloud providers' wire protocols: a fault-injection harness.

Tests and benchmarks share them (they sit on top, like `harness/`; nothing in
the product imports them). Each fake answers at a provider's published median
timing when asked (`provider_fakes.faults.HEALTHY`), and a `Fault` can be scripted for
any request or connection of a call (`provider_fakes.faults`).
"""

import socket

from aiohttp import web


def closed_port() -> int:
    """A local port nothing listens on, so connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def serve_on_loopback(app: web.Application) -> tuple[web.AppRunner, str]:
    """Start `app` on a free port of 127.0.0.1: its runner (to clean up) and "host:port"."""
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"{host}:{port}"
