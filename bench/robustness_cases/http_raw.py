"""HTTP below the framework, on a plain socket: 5 MB bodies, huge and many headers, a control
character, request smuggling, bytes that are not HTTP, slow senders (issue 13: bodies and
headers are capped, a sender too slow to finish a request is cut off)."""

import asyncio
import contextlib
import time

from bench.robustness_cases.common import HANG_SECS, Case, Got

CUT_GRACE_SECS = 1.0
"""A server that cuts slow senders at exactly the hang limit (10 s) is allowed its timer's slack."""


async def raw(bot, data: bytes, *, read_secs: float = HANG_SECS) -> bytes:
    """Send `data` on a plain socket; what comes back before the server closes or `read_secs`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", bot.port)
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.read(65536), read_secs)
    finally:
        writer.close()


def _raw_status(reply: bytes) -> int | None:
    try:
        return int(reply.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def raw_case(name: str, data: bytes, want: tuple[int | None, ...], expected: str) -> Case:
    async def run(bot) -> Got:
        reply = await raw(bot, data)
        status = _raw_status(reply)
        return Got(status in want, f"{status} {reply[:60]!r}", status=status)

    return Case(name, "http", expected, run, server=True)


def _huge_header(size: int) -> bytes:
    return b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * size + b"\r\n\r\n"


def _many_headers(count: int) -> bytes:
    lines = b"".join(b"X-H%d: v\r\n" % i for i in range(count))
    return b"GET / HTTP/1.1\r\nHost: x\r\n" + lines + b"\r\n"


async def _slow(bot, head: bytes, trickle: bytes) -> Got:
    """Send `head`, then `trickle` a byte a second: the server must answer or cut us off
    within the hang budget."""
    reader, writer = await asyncio.open_connection("127.0.0.1", bot.port)
    began = time.monotonic()
    try:
        writer.write(head)
        await writer.drain()
        for byte in trickle:
            writer.write(bytes([byte]))
            await writer.drain()
            try:
                reply = await asyncio.wait_for(reader.read(1024), 1.0)
            except TimeoutError:
                if time.monotonic() - began > HANG_SECS + CUT_GRACE_SECS:
                    return Got(False, f"still connected after {HANG_SECS:.0f} s", hang=True)
                continue
            took = time.monotonic() - began
            status = _raw_status(reply)
            return Got(True, f"cut off after {took:.1f} s ({status or 'closed'})", status=status)
        return Got(False, "the whole request trickled in uncut")
    except (ConnectionError, OSError):
        return Got(True, f"cut off after {time.monotonic() - began:.1f} s (reset)")
    finally:
        writer.close()


async def _slow_headers(bot) -> Got:
    return await _slow(bot, b"GET / HTTP/1.1\r\nHost: x\r\n", b"X-Slow: " + b"a" * 60)


async def _slow_body(bot) -> Got:
    head = (
        b"POST /api/offer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n"
    )
    return await _slow(bot, head, b'{"sdp": "' + b"a" * 60)


async def _big_body(bot, path: str, size: int = 5_000_000) -> Got:
    """A `size`-byte body: the server must refuse it (413), or cut the upload short; it may
    answer before the body is all sent, so this reads whatever comes back."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {size}\r\n\r\n"
    ).encode()
    body = b'{"sdp": "' + b"a" * (size - 12) + b'"}\r\n'  # exactly `size` bytes
    reader, writer = await asyncio.open_connection("127.0.0.1", bot.port)
    sent = 0
    try:
        writer.write(head)
        with contextlib.suppress(ConnectionError, OSError):
            while sent < size:
                writer.write(body[sent : sent + 65536])
                await writer.drain()
                sent = min(size, sent + 65536)
        try:
            reply = await asyncio.wait_for(reader.read(1024), HANG_SECS)
        except (ConnectionError, OSError):
            reply = b""
    finally:
        writer.close()
    status = _raw_status(reply)
    ok = status == 413 or (status is None and sent < size)
    how = f"{status}" if status else "no answer"
    return Got(ok, f"{how} after {sent // 1000} kB of {size // 1000} kB sent", status=status)


def big_body(name: str, path: str) -> Case:
    async def run(bot) -> Got:
        return await _big_body(bot, path)

    return Case(
        name,
        "http",
        "413, or the upload cut short; never accepted",
        run,
        server=True,
        budget=HANG_SECS * 2,
    )


SMUGGLE = (
    b"POST /api/offer HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n"
)

CASES = [
    big_body("offer: 5 MB body", "/api/offer"),
    big_body("/start: 5 MB body", "/start"),
    raw_case("64 kB header", _huge_header(64 * 1024), (400, 413, 431), "431 (or 400/413)"),
    raw_case("2000 headers", _many_headers(2000), (400, 413, 431), "431 (or 400/413)"),
    raw_case(
        "header with a control character",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n",
        (400, 200),
        "400, or the character ignored (RFC 9110 allows either); never a 5xx",
    ),
    raw_case("request smuggling (CL and TE)", SMUGGLE, (400,), "400"),
    raw_case(
        "not HTTP at all",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
        (400, None),
        "400 or closed",
    ),
    raw_case(
        "absurd content-length",
        b"POST /api/offer HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{}",
        (400, 413),
        "413 (or 400)",
    ),
    Case(
        "slow sender: headers a byte a second",
        "http",
        "cut off within 10 s",
        _slow_headers,
        server=True,
        budget=HANG_SECS + 5,
    ),
    Case(
        "slow sender: body a byte a second",
        "http",
        "cut off within 10 s (408 or closed)",
        _slow_body,
        server=True,
        budget=HANG_SECS + 5,
    ),
]
