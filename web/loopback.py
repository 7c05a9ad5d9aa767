"""Let the bot offer a 127.0.0.1 ICE candidate, for callers on the same machine.

aioice, the ICE agent under aiortc, leaves 127.0.0.1 out of the addresses it
gathers candidates on. On a machine (or network namespace) whose only
interface is `lo`, the bot then offers no candidate at all and no call can
connect. `WEBRTC_LOOPBACK` decides whether the bot adds the loopback address:
`auto` does so only when the bot listens on loopback, where every caller is on
this machine; with a real interface the gathered candidates are unchanged.
"""

import aioice.ice

from settings import Settings

LOOPBACK_IPV4 = "127.0.0.1"
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def loopback_wanted(settings: Settings, host: str) -> bool:
    """Whether to offer a loopback candidate when the bot listens on `host`."""
    if settings.webrtc_loopback == "auto":
        return host in LOOPBACK_HOSTS
    return settings.webrtc_loopback == "on"


def offer_loopback_candidate() -> None:
    """From now on, every ICE agent in this process also gathers on 127.0.0.1."""
    gather = aioice.ice.get_host_addresses
    if getattr(gather, "adds_loopback", False):
        return

    def host_addresses_with_loopback(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        addresses = gather(use_ipv4=use_ipv4, use_ipv6=use_ipv6)
        if use_ipv4 and LOOPBACK_IPV4 not in addresses:
            addresses.append(LOOPBACK_IPV4)
        return addresses

    host_addresses_with_loopback.adds_loopback = True
    aioice.ice.get_host_addresses = host_addresses_with_loopback
