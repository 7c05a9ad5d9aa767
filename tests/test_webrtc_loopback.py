"""WEBRTC_LOOPBACK: the bot offers a 127.0.0.1 ICE candidate only when it should."""

import aioice.ice
import pytest
from aioice import Connection

from settings import Settings
from web.loopback import loopback_wanted, offer_loopback_candidate


@pytest.fixture
def restore_aioice(monkeypatch):
    """Whatever a test does to aioice's address gathering is undone after it."""
    monkeypatch.setattr(aioice.ice, "get_host_addresses", aioice.ice.get_host_addresses)


async def host_candidate_addresses() -> set[str]:
    connection = Connection(ice_controlling=True)
    try:
        await connection.gather_candidates()
        return {c.host for c in connection.local_candidates if c.type == "host"}
    finally:
        await connection.close()


@pytest.mark.parametrize(
    ("setting", "host", "wanted"),
    [
        ("auto", "localhost", True),
        ("auto", "127.0.0.1", True),
        ("auto", "0.0.0.0", False),
        ("auto", "192.168.1.20", False),
        ("on", "0.0.0.0", True),
        ("off", "localhost", False),
    ],
)
def test_loopback_is_offered_when_the_setting_and_the_host_say_so(setting, host, wanted):
    settings = Settings(_env_file=None, webrtc_loopback=setting)
    assert loopback_wanted(settings, host) is wanted


async def test_aioice_alone_offers_no_loopback_candidate(restore_aioice):
    assert "127.0.0.1" not in await host_candidate_addresses()


async def test_with_loopback_on_the_bot_offers_a_127_0_0_1_candidate(restore_aioice):
    offer_loopback_candidate()
    assert "127.0.0.1" in await host_candidate_addresses()


async def test_loopback_keeps_every_real_interface(restore_aioice):
    real = set(aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True))
    offer_loopback_candidate()
    offer_loopback_candidate()  # twice is the same as once
    with_loopback = aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True)
    assert set(with_loopback) == real | {"127.0.0.1"}
    assert with_loopback.count("127.0.0.1") == 1


def test_an_unknown_loopback_setting_is_refused():
    with pytest.raises(ValueError, match="webrtc_loopback"):
        Settings(_env_file=None, webrtc_loopback="maybe")
