"""One circuit breaker per backend (`circuitbreaker`), shared by every call of the process."""

from collections.abc import Callable

from circuitbreaker import CircuitBreaker


class Breakers:
    """One circuit breaker per backend, shared by every session of the process."""

    def __init__(
        self,
        failure_threshold: int = 3,
        recovery_secs: float = 30.0,
        is_failure: Callable[[BaseException], bool] = lambda _: True,
    ):
        """
        Args:
            failure_threshold: Failures in a row that open a backend's breaker.
            recovery_secs: How long an open breaker refuses calls before it tries one.
            is_failure: Which exceptions count against the backend.
        """
        self._threshold = failure_threshold
        self._recovery = recovery_secs
        self._is_failure = is_failure
        self._breakers: dict[str, CircuitBreaker] = {}

    def __getitem__(self, backend: str) -> CircuitBreaker:
        if backend not in self._breakers:
            self._breakers[backend] = CircuitBreaker(
                failure_threshold=self._threshold,
                recovery_timeout=self._recovery,
                expected_exception=lambda _, error: self._is_failure(error),
                name=backend,
            )
        return self._breakers[backend]
