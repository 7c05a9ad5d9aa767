"""Run a command in a network namespace of its own, where the only interface is `lo`.

Root gets one with `unshare --net`; anyone else with `unshare --net
--map-root-user` where the kernel allows user namespaces.
"""

import shutil
import subprocess
from functools import cache

CHROMIUM = "/usr/bin/chromium"

_PREFIXES = (["unshare", "--net"], ["unshare", "--net", "--map-root-user"])


@cache
def _unshare_prefix() -> list[str] | None:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return None
    for prefix in _PREFIXES:
        probe = subprocess.run(
            [*prefix, "ip", "link", "set", "lo", "up"], capture_output=True, timeout=10
        )
        if probe.returncode == 0:
            return prefix
    return None


def browser_skip_reason() -> str | None:
    """Why real-browser calls cannot run on this machine, or None when they can."""
    if not shutil.which(CHROMIUM):
        return f"{CHROMIUM} is missing (Debian package `chromium`; .ci/run installs it)"
    if _unshare_prefix() is None:
        return "no network namespace: `unshare --net` (util-linux) and `ip` (iproute2) need root or user namespaces"
    return None


def in_isolated_network(command: list[str]) -> list[str]:
    """`command`, run in a fresh network namespace with `lo` up and nothing else."""
    prefix = _unshare_prefix()
    assert prefix is not None, browser_skip_reason()
    return [*prefix, "sh", "-c", 'ip link set lo up && exec "$0" "$@"', *command]
