"""How a failed service earns its way back: probes with backoff, and a cool-down for flapping.

Pure bookkeeping over a clock, so it is tested without waiting: the failover
switcher (services/failover.py) records failures and asks when to probe next.
"""

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RecoveryPolicy:
    """When a failed service is probed, and when it counts as flapping.

    Args:
        probe_secs: Wait before the first probe after a failure; doubled after each failed
            probe, up to `probe_max_secs`.
        probe_max_secs: The longest wait between probes.
        flap_failures: This many failures within `flap_window_secs` make a service flap.
        flap_window_secs: The window the failures are counted in.
        cooldown_secs: A flapping service is not probed for this long after its last failure.
    """

    probe_secs: float = 5.0
    probe_max_secs: float = 60.0
    flap_failures: int = 3
    flap_window_secs: float = 300.0
    cooldown_secs: float = 600.0


@dataclass
class ServiceHealth:
    """One service's failures and probes."""

    policy: RecoveryPolicy
    clock: Callable[[], float] = time.monotonic
    failures: deque[float] = field(default_factory=deque)
    failed_probes: int = 0
    healthy: bool = True

    def record_failure(self):
        now = self.clock()
        self.failures.append(now)
        while self.failures and now - self.failures[0] > self.policy.flap_window_secs:
            self.failures.popleft()
        self.healthy = False
        self.failed_probes = 0

    def record_probe(self, ok: bool):
        if ok:
            self.healthy = True
            self.failed_probes = 0
        else:
            self.failed_probes += 1

    @property
    def flapping(self) -> bool:
        """Failed `flap_failures` times within the window."""
        now = self.clock()
        recent = [t for t in self.failures if now - t <= self.policy.flap_window_secs]
        return len(recent) >= self.policy.flap_failures

    def next_probe_in(self) -> float:
        """Seconds from now until the next probe."""
        backoff = min(self.policy.probe_secs * 2**self.failed_probes, self.policy.probe_max_secs)
        if self.flapping:
            since = self.clock() - self.failures[-1]
            return max(self.policy.cooldown_secs - since, backoff)
        return backoff


def recovery_policy(settings) -> RecoveryPolicy:
    """The recovery knobs of `settings` (FAILOVER_*)."""
    return RecoveryPolicy(
        probe_secs=settings.failover_probe_secs,
        probe_max_secs=settings.failover_probe_max_secs,
        flap_failures=settings.failover_flap_failures,
        flap_window_secs=settings.failover_flap_window_secs,
        cooldown_secs=settings.failover_cooldown_secs,
    )
