"""Local servers that speak the cloud providers' wire protocols, for offline tests."""

import socket


def closed_port() -> int:
    """A local port nothing listens on, so connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
