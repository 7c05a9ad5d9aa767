"""Log privacy covers the whole process from start-up: standard-library logging as well as
loguru, and a caller's network details (SDP credentials, IP addresses, peer-connection ids)."""

import io
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from loguru import logger
from pipecat.transports.smallwebrtc.request_handler import SmallWebRTCRequest
from uvicorn.logging import AccessFormatter

from conversation.logs import install_log_privacy

ROOT = Path(__file__).resolve().parent.parent
CALLER_SDP = (
    "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "a=ice-ufrag:Xq7Z\r\na=ice-pwd:k9ZqLMNoPq1234567890abcd\r\n"
    "a=fingerprint:sha-256 9C:1A:44:0B:7E:AA:10:5D:3F:21:8B:C6:7D:4E:90:12:"
    "9C:1A:44:0B:7E:AA:10:5D:3F:21:8B:C6:7D:4E:90:12\r\n"
    "a=candidate:842163049 1 udp 1677729535 203.0.113.47 51234 typ srflx "
    "raddr 192.168.1.23 rport 51234\r\n"
    "a=candidate:1 1 udp 2122262783 2001:db8:85a3::8a2e:370:7334 50000 typ host\r\n"
)
PC_ID = "SmallWebRTCConnection#0-3f2a9b1c4d5e6f708192a3b4c5d6e7f8"


@pytest.fixture
def loguru_lines():
    install_log_privacy("GB")
    captured: list[str] = []
    sink = logger.add(captured.append, level="TRACE", format="{message}")
    yield captured
    logger.remove(sink)


@pytest.fixture
def stdlib_stream():
    """A handler added after privacy was installed, as uvicorn adds its own when it starts."""
    install_log_privacy("GB")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    named = logging.getLogger("uvicorn.error")
    named.addHandler(handler)
    named.setLevel(logging.DEBUG)
    yield stream
    named.removeHandler(handler)


def test_a_stdlib_line_is_redacted(stdlib_stream):
    logging.getLogger("uvicorn.error").warning("caller said %s", "my name is Anna Kowalski")
    assert stdlib_stream.getvalue() == "WARNING caller said my name is [NAME]\n"


def test_a_stdlib_traceback_is_folded_into_the_line_and_redacted(stdlib_stream):
    try:
        raise ValueError("no table for anna.kowalski@example.com")
    except ValueError:
        logging.getLogger("uvicorn.error").exception("booking failed")
    line = stdlib_stream.getvalue()
    assert "Traceback" in line and "ValueError" in line
    assert "[EMAIL]" in line and "anna.kowalski" not in line


def test_uvicorns_access_log_keeps_working_with_the_client_address_redacted():
    install_log_privacy("GB")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False)
    )
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        access.info(
            '%s - "%s %s HTTP/%s" %d', "203.0.113.47:51234", "POST", "/api/offer", "1.1", 200
        )
    finally:
        access.removeHandler(handler)
    assert stream.getvalue() == '[IP]:51234 - "POST /api/offer HTTP/1.1" 200 OK\n'


def test_a_failed_offers_sdp_logged_at_debug_loses_ice_credentials_and_addresses(loguru_lines):
    request = SmallWebRTCRequest(sdp=CALLER_SDP, type="offer")
    logger.debug(f"SmallWebRTC request details: {request}")
    (line,) = loguru_lines
    for secret in ("Xq7Z", "k9ZqLMNoPq", "9C:1A:44", "203.0.113.47", "192.168.1.23", "2001:db8"):
        assert secret not in line
    assert "a=ice-ufrag:[REDACTED]" in line and "a=ice-pwd:[REDACTED]" in line
    assert "a=fingerprint:[REDACTED]" in line
    assert "typ srflx" in line  # the rest of the SDP is still there to debug with


def test_loopback_addresses_and_times_are_kept(loguru_lines):
    logger.info("listening on 127.0.0.1:7860 and ::1, table at 19:30:00")
    assert loguru_lines == ["listening on 127.0.0.1:7860 and ::1, table at 19:30:00\n"]


def test_a_peer_connection_id_stays_out_of_info_lines(loguru_lines):
    # What Pipecat's SmallWebRTCRequestHandler logs at INFO.
    logger.info(f"Reusing existing connection for pc_id: {PC_ID}")
    assert loguru_lines == ["Reusing existing connection for pc_id: [PC_ID]\n"]


def test_a_peer_connection_id_stays_out_of_debug_lines_too(loguru_lines):
    logger.debug(f"webrtc_connection_callback executed successfully for peer: {PC_ID}")
    assert loguru_lines == ["webrtc_connection_callback executed successfully for peer: [PC_ID]\n"]


def test_bot_py_redacts_stdlib_and_loguru_lines_before_the_server_starts(tmp_path):
    # bot.py as `python bot.py` runs it, with its server's serve() replaced by one that
    # logs the way uvicorn and a failed offer would.
    script = textwrap.dedent(
        """
        import logging, runpy, sys
        import web.serve
        from loguru import logger

        def serve(*args, **kwargs):
            logger.remove()
            logger.add(sys.stderr, format="{message}")
            logging.getLogger("uvicorn.error").warning("client 203.0.113.47: my name is Anna Kowalski")
            logger.info("call me on 07911 123456")

        web.serve.serve = serve
        runpy.run_path("bot.py", run_name="__main__")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path}/reservations.db",
            "CONVERSATIONS_DATABASE_URL": f"sqlite:///{tmp_path}/conversations.db",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "client [IP]: my name is [NAME]" in result.stderr
    assert "call me on [PHONE]" in result.stderr
    assert "203.0.113.47" not in result.stderr and "07911" not in result.stderr
