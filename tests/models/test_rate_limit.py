"""The limiter's schedule, read off with a clock the test sets: no waiting, exact times."""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, datetime

import pytest

from agentkit.errors import ConfigurationError, RateLimitError, RequestOverRateLimitError
from agentkit.models.rate_limit import RateLimit, seconds_to_pacific_midnight


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def most_in_any_minute(times: list[float], weights: list[int] | None = None) -> int:
    """The largest total in any half-open 60-second window [t, t + 60)."""
    weights = weights or [1] * len(times)
    best = 0
    for start, at in enumerate(times):
        end = bisect_left(times, at + 60.0)
        best = max(best, sum(weights[start:end]))
    return best


def test_requests_go_evenly_after_a_burst_of_two_seconds_share() -> None:
    clock = Clock()
    limit = RateLimit(rpm=600, clock=clock)
    slots = [limit.reserve().at for _ in range(2000)]
    assert most_in_any_minute(slots) == 600  # never more than the limit in any minute
    times = [at - clock.now for at in slots]
    # 600 a minute is one every 0.1 s; two seconds' share (20) may go at once.
    assert times[:20] == pytest.approx([0.0] * 20, abs=1e-9)
    assert times[20] == pytest.approx(0.1)
    gaps = [round(b - a, 9) for a, b in zip(times, times[1:], strict=False)]
    # The burst is paid back at the end of each minute (a 2 s gap, and the half second the
    # sliding minute keeps for arrivals out of step), never exceeded.
    assert set(gaps) == {0.0, 0.1, 2.5}
    assert sum(1 for at in times if at < 181.5 - 1e-6) == 1800  # and exactly the limit


def test_a_slow_limit_sends_one_request_at_a_time() -> None:
    clock = Clock()
    limit = RateLimit(rpm=10, clock=clock)
    times = [limit.reserve().at - clock.now for _ in range(12)]
    assert times == [6.0 * n for n in range(10)] + [60.5, 66.5]


def test_input_tokens_per_minute_hold_in_every_minute() -> None:
    clock = Clock()
    limit = RateLimit(tpm=1000, clock=clock)
    sizes = [300, 50, 700, 120, 999, 1, 400, 400, 400, 250] * 5
    times = [limit.reserve(size).at for size in sizes]
    assert times == sorted(times)  # first come, first served
    assert most_in_any_minute(times, sizes) <= 1000
    # Paced at 1,000 a minute: 300 tokens take 18 s of the rate, 50 take 3 s.
    assert times[1] - times[0] == pytest.approx(18.0)
    # 700 more do not fit beside 350 until the first request leaves the minute.
    assert times[2] - times[0] == pytest.approx(60.5)


def test_both_limits_together_and_the_cause_of_a_wait() -> None:
    clock = Clock()
    limit = RateLimit(rpm=60, tpm=6000, clock=clock, burst_seconds=0)
    first, second, third = limit.reserve(10), limit.reserve(10), limit.reserve(5000)
    assert (first.at, second.at) == (clock.now, clock.now + 1.0)  # requests: one a second
    assert third.at == pytest.approx(clock.now + 2.0)
    fourth = limit.reserve(100)
    # 5,000 tokens at 6,000 a minute take 50 s of the token rate.
    assert fourth.at == pytest.approx(third.at + 50.0)
    assert limit._causes[id(fourth)] == "input tokens per minute"
    assert limit._causes[id(second)] == "requests per minute"


def test_reported_tokens_replace_the_estimate() -> None:
    clock = Clock()
    estimated = RateLimit(tpm=1000, clock=clock, burst_seconds=0)
    slot = estimated.reserve(900)
    estimated.settle(slot, 90)  # the API counted far fewer
    after_settling = estimated.reserve(100).at
    unsettled = RateLimit(tpm=1000, clock=clock, burst_seconds=0)
    unsettled.reserve(900)
    assert after_settling == pytest.approx(clock.now + 5.4)  # 90 tokens' share: 5.4 s
    assert unsettled.reserve(100).at == pytest.approx(clock.now + 54.0)


def test_a_released_slot_frees_its_place_in_the_minute() -> None:
    clock = Clock()
    limit = RateLimit(rpm=2, clock=clock, burst_seconds=60)
    a, b = limit.reserve(), limit.reserve()
    assert a.at == b.at == clock.now
    limit.release(b)
    assert limit.reserve().at == clock.now  # b's place went back
    assert limit.reserve().at == clock.now + 60.5
    limit.release(b)  # twice: nothing happens


def test_a_429_pauses_everyone_and_halves_the_rate_for_a_minute() -> None:
    clock = Clock()
    limit = RateLimit(rpm=60, clock=clock, burst_seconds=0)
    limit.reserve()
    clock.now += 10
    limit.pause(5.0)
    paused = limit.reserve()
    assert paused.at == clock.now + 5.0
    assert limit._causes[id(paused)] == "a 429 from the API"
    # Half the rate: two seconds apart instead of one, right after the pause...
    assert limit.reserve().at == pytest.approx(paused.at + 2.0, abs=0.2)
    # ...and the full rate a minute later.
    clock.now += 120
    first = limit.reserve()
    assert limit.reserve().at == pytest.approx(first.at + 1.0)


def test_a_pause_without_limits_still_holds_requests() -> None:
    clock = Clock()
    limit = RateLimit(clock=clock)
    assert limit.reserve().at == clock.now
    limit.pause(3.0)
    assert limit.reserve().at == clock.now + 3.0
    clock.now += 3.0
    assert limit.reserve().at == clock.now


def test_a_per_day_quota_refuses_every_request_until_midnight_pacific() -> None:
    clock = Clock()
    limit = RateLimit(rpm=100, clock=clock)
    quota = RateLimitError(
        429, "quota", status="RESOURCE_EXHAUSTED", quota_ids=["GenerateRequestsPerDay"]
    )
    limit.exhaust(quota)
    with pytest.raises(RateLimitError) as first:
        limit.reserve()
    with pytest.raises(RateLimitError) as second:
        limit.reserve()
    assert first.value is not quota and first.value is not second.value
    assert first.value.is_per_day_quota and str(first.value) == str(quota)
    clock.now += 86400.0 + 1
    assert limit.reserve().at == clock.now  # a new day


def test_pacific_midnight_across_daylight_saving() -> None:
    # 23:00 PST on 7 March 2026; and 01:00 on the 8th, when the clocks have sprung forward.
    assert seconds_to_pacific_midnight(datetime(2026, 3, 8, 7, tzinfo=UTC).timestamp()) == 3600
    assert seconds_to_pacific_midnight(datetime(2026, 3, 8, 9, tzinfo=UTC).timestamp()) == 22 * 3600


def test_a_request_no_minute_can_hold_is_refused() -> None:
    limit = RateLimit(tpm=1000)
    with pytest.raises(RequestOverRateLimitError) as refused:
        limit.reserve(1001)
    assert str(refused.value) == (
        "not sent: the request has about 1,001 input tokens and the rate limit allows "
        "1,000 input tokens per minute"
    )
    assert refused.value.status_code == 429 and not refused.value.is_per_day_quota


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"rpm": 0}, "RateLimit(rpm=0): must be at least 1"),
        ({"tpm": -5}, "RateLimit(tpm=-5): must be at least 1"),
        ({"rpm": 1.5}, "RateLimit(rpm=1.5): give a whole number"),
        ({"rpm": True}, "RateLimit(rpm=True): give a whole number"),
        ({"burst_seconds": -1}, "RateLimit(burst_seconds=-1): must be >= 0"),
    ],
)
def test_bad_settings_name_what_was_wrong(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        RateLimit(**arguments)  # type: ignore[arg-type]
    assert str(error.value) == message
