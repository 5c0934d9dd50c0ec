"""When and how long to wait before retrying a failed model call.

The policy is data (a frozen dataclass) so a run can override it without touching the model
object; ``RetryPolicy.none()`` turns retrying off. The decision rules follow the protocol
reference: retry 408/429/500/502/503/504 and transport failures; never a per-day quota (it
resets at midnight Pacific); wait at least what the server's ``RetryInfo`` asks; stay within a
total deadline.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from agentkit.errors import APIConnectionError, APIError, ConfigurationError

RETRYABLE_STATUS_CODES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a model call is retried.

    Attributes:
        max_attempts: total tries including the first (1 means no retry).
        initial_delay: backoff before the first retry, in seconds.
        max_delay: cap of the exponential backoff (not of a server-requested delay).
        multiplier: growth of the backoff per retry.
        jitter: fraction of the backoff that is randomised. 0.5 ("equal jitter") keeps at least
            half the backoff, so a crowd of clients spreads out without any of them retrying
            almost at once against an overloaded server.
        deadline: seconds from the first try after which no retry starts; None for no limit.
        retry_on_status: HTTP statuses worth retrying.
    """

    max_attempts: int = 5
    initial_delay: float = 1.0
    max_delay: float = 60.0
    multiplier: float = 2.0
    jitter: float = 0.5
    deadline: float | None = 300.0
    retry_on_status: frozenset[int] = RETRYABLE_STATUS_CODES
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError("RetryPolicy.max_attempts must be at least 1")
        if not 0.0 <= self.jitter <= 1.0:
            raise ConfigurationError("RetryPolicy.jitter must be between 0 and 1")
        if self.initial_delay < 0 or self.max_delay < 0:
            raise ConfigurationError("RetryPolicy delays must not be negative")

    @classmethod
    def none(cls) -> RetryPolicy:
        return cls(max_attempts=1)

    def is_retryable(self, error: BaseException) -> bool:
        if isinstance(error, APIError):
            return error.status_code in self.retry_on_status and not error.is_per_day_quota
        return isinstance(error, APIConnectionError)

    def backoff(self, retry_number: int) -> float:
        """The randomised backoff before retry ``retry_number`` (1 for the first retry)."""
        base = min(self.max_delay, self.initial_delay * self.multiplier ** (retry_number - 1))
        return base * (1.0 - self.jitter * self.rng.random())

    def delay_before(self, retry_number: int, error: BaseException) -> float:
        """Wait before the retry: the backoff, but never less than the server asked for."""
        delay = self.backoff(retry_number)
        server_delay = error.retry_delay if isinstance(error, APIError) else None
        if server_delay is not None:
            delay = max(delay, server_delay)
        return delay
