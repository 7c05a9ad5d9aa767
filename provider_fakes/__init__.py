"""Local servers that speak the cloud providers' wire protocols: a fault-injection harness.

Tests and benchmarks share them (they sit on top, like `harness/`; nothing in
the product imports them). Each fake answers at a provider's published median
timing when asked (`provider_fakes.faults.HEALTHY`), and a `Fault` can be scripted for
any request or connection of a call (`provider_fakes.faults`).
"""

import socket


def closed_port() -> int:
    """A local port nothing listens on, so connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
