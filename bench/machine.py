"""What machine a benchmark ran on, recorded beside its numbers."""

import os
import platform
from datetime import UTC, datetime


def describe_machine() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "gpu": None,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
