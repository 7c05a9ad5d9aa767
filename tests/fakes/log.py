"""Capture what the bot logs, to check that no secret lands in it."""

from collections.abc import Iterator
from contextlib import contextmanager

from loguru import logger


@contextmanager
def captured_log() -> Iterator[list[str]]:
    """Every loguru line, at every level, written while the block runs."""
    lines: list[str] = []
    sink = logger.add(lines.append, level="TRACE")
    try:
        yield lines
    finally:
        logger.remove(sink)
