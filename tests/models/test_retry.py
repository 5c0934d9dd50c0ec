"""Retry decisions: which failures, how long, and when to stop."""

from __future__ import annotations

import random

import pytest

from agentkit.errors import (
    APIConnectionError,
    BadRequestError,
    ConfigurationError,
    RateLimitError,
    ServerError,
)
from agentkit.models import RetryPolicy


def test_backoff_grows_and_caps_without_jitter() -> None:
    policy = RetryPolicy(initial_delay=1.0, multiplier=2.0, max_delay=5.0, jitter=0.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_equal_jitter_keeps_at_least_half_the_backoff() -> None:
    policy = RetryPolicy(initial_delay=4.0, jitter=0.5, rng=random.Random(7))
    delays = [policy.backoff(1) for _ in range(200)]
    assert min(delays) >= 2.0 and max(delays) <= 4.0
    assert len({round(d, 6) for d in delays}) > 100  # actually random


def test_server_retry_delay_is_a_floor() -> None:
    policy = RetryPolicy(initial_delay=0.5, jitter=0.0)
    slow = RateLimitError(429, "quota", retry_delay=26.0)
    assert policy.delay_before(1, slow) == 26.0
    quick = RateLimitError(429, "quota", retry_delay=0.1)
    assert policy.delay_before(1, quick) == 0.5


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (ServerError(500, "x"), True),
        (ServerError(503, "x"), True),
        (ServerError(504, "x"), True),
        (ServerError(408, "x"), True),
        (RateLimitError(429, "x", quota_ids=["GenerateRequestsPerMinutePerProjectPerModel"]), True),
        (
            RateLimitError(
                429, "x", quota_ids=["GenerateRequestsPerDayPerProjectPerModel-FreeTier"]
            ),
            False,
        ),
        (BadRequestError(400, "x"), False),
        (ServerError(501, "not implemented"), False),
        (APIConnectionError("reset"), True),
        (ValueError("a bug"), False),
    ],
)
def test_what_is_retried(error: BaseException, retryable: bool) -> None:
    assert RetryPolicy().is_retryable(error) is retryable


def test_invalid_policies_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ConfigurationError, match="jitter"):
        RetryPolicy(jitter=2.0)
    assert RetryPolicy.none().max_attempts == 1
