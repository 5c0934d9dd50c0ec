"""The limiter on the wire: what reaches the emulator, and when, after a 429 or a per-day quota;
and the emulator's own per-minute quota, as Gemini enforces it."""

from __future__ import annotations

import time

import anyio
import pytest

from agentkit.errors import RateLimitError
from agentkit.models import Gemini, RateLimit, RetryPolicy
from agentkit.testing.emulator import Emulator, EmulatorOptions, Fault, Quota
from agentkit.testing.emulator.quota import REQUESTS_QUOTA, TOKENS_QUOTA
from agentkit.types import Content, GenerateContentRequest

from ..mcp.conftest import eventually

QUICK = RetryPolicy(initial_delay=0.01, max_delay=0.05, jitter=0.0)


def ask(text: str) -> GenerateContentRequest:
    return GenerateContentRequest(contents=[Content.user(text)])


async def test_a_429_holds_every_request_of_the_limiter_for_its_retry_delay(
    emulator: Emulator,
) -> None:
    meter = Quota()  # no limits: it only records when each request was let in
    emulator.options = EmulatorOptions(quota=meter)
    emulator.inject(Fault.rate_limited(retry_delay=0.3))
    emulator.script(["first", "second"])
    limit = RateLimit()
    a = Gemini(base_url=emulator.url, rate_limit=limit, retry=QUICK)
    b = Gemini(base_url=emulator.url, rate_limit=limit, retry=QUICK)  # another model, same quota
    answers: dict[str, str | None] = {}

    async def run(name: str, model: Gemini) -> None:
        answers[name] = (await model.generate(ask(name))).text

    async with anyio.create_task_group() as group:
        group.start_soon(run, "a", a)
        await eventually(lambda: limit._epoch == 1)  # a's 429 has paused the limiter
        paused_until = limit._paused_until
        group.start_soon(run, "b", b)
    assert answers == {"a": "first", "b": "second"} or answers == {"a": "second", "b": "first"}
    arrivals = [at for at, _ in meter.admitted]
    assert len(arrivals) == 3  # a's refused try, then a's retry and b
    # Neither a's retry (which the transport would have sent after 0.01 s) nor b went before
    # the server's 0.3 s were over.
    assert min(arrivals[1:]) >= paused_until - 0.01
    assert paused_until - arrivals[0] >= 0.29


async def test_a_per_day_quota_stops_every_later_request_before_it_is_sent(
    emulator: Emulator,
) -> None:
    emulator.inject(Fault.per_day_quota())
    emulator.script(["never"])
    model = Gemini(base_url=emulator.url, rate_limit=RateLimit(rpm=100), retry=QUICK)
    with pytest.raises(RateLimitError) as first:
        await model.generate(ask("one"))
    with pytest.raises(RateLimitError) as second:
        await model.generate(ask("two"))
    assert first.value.is_per_day_quota and second.value.is_per_day_quota
    assert str(second.value) == str(first.value)
    assert len(emulator.requests) == 1  # the second was never sent
    assert emulator.script_remaining == 1


async def test_a_sent_request_is_counted_with_the_tokens_the_api_reported(
    emulator: Emulator,
) -> None:
    emulator.script(["fine"])
    limit = RateLimit(tpm=1_000_000)
    model = Gemini(base_url=emulator.url, rate_limit=limit)
    response = await model.generate(ask("count me"))
    assert response.usage_metadata is not None
    [slot] = limit._slots
    assert slot.tokens == response.usage_metadata.prompt_token_count
    assert limit._slot_tokens == slot.tokens


async def test_streamed_requests_are_paced_too(emulator: Emulator) -> None:
    meter = Quota()
    emulator.options = EmulatorOptions(quota=meter)
    emulator.script(["one", "two", "three"])
    # 120 a minute with no burst: one request every half second.
    model = Gemini(base_url=emulator.url, rate_limit=RateLimit(rpm=120, burst_seconds=0))
    started = time.monotonic()
    for text in ("a", "b", "c"):
        async for _ in model.stream(ask(text)):
            pass
    arrivals = [at for at, _ in meter.admitted]
    assert len(arrivals) == 3
    assert arrivals[1] >= started + 0.5 and arrivals[2] >= started + 1.0


class FrozenClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


async def test_the_emulator_refuses_requests_over_its_per_minute_quota(
    emulator: Emulator,
) -> None:
    clock = FrozenClock()
    emulator.options = EmulatorOptions(quota=Quota(rpm=2, clock=clock))
    emulator.script(["1", "2", "3"])
    model = Gemini(base_url=emulator.url, retry=RetryPolicy.none())
    await model.generate(ask("a"))
    clock.now += 20.5
    await model.generate(ask("b"))
    with pytest.raises(RateLimitError) as refused:
        await model.generate(ask("c"))
    assert refused.value.quota_ids == [REQUESTS_QUOTA]
    assert refused.value.retry_delay == 40.0  # the first request leaves the minute in 39.5 s
    clock.now += 39.5
    assert (await model.generate(ask("c"))).text == "3"


async def test_the_emulator_counts_input_tokens_per_minute(emulator: Emulator) -> None:
    clock = FrozenClock()
    quota = Quota(tpm=20, clock=clock)
    emulator.options = EmulatorOptions(quota=quota)
    emulator.script(["1", "2"])
    model = Gemini(base_url=emulator.url, retry=RetryPolicy.none())
    await model.generate(ask("a short one"))
    used = quota.admitted[0][1]
    assert 0 < used < 20 < 2 * used  # a second request of the same size does not fit
    with pytest.raises(RateLimitError) as refused:
        await model.generate(ask("a short one"))
    assert refused.value.quota_ids == [TOKENS_QUOTA]
    assert refused.value.retry_delay == 60.0
    assert quota.refused == 1


async def test_a_limited_model_matching_the_quota_gets_no_429s(emulator: Emulator) -> None:
    """Thirty requests at once against a quota of 20 a minute: unpaced, ten are refused; paced
    by the same limit (and a frozen minute), twenty go and the rest wait for the next one."""
    clock = FrozenClock()
    quota = Quota(rpm=20, clock=clock)
    emulator.options = EmulatorOptions(quota=quota)
    emulator.respond_with(lambda request: "ok")
    unpaced = Gemini(base_url=emulator.url, retry=RetryPolicy.none())
    outcomes: list[str] = []

    async def one(model: Gemini) -> None:
        try:
            await model.generate(ask("x"))
            outcomes.append("ok")
        except RateLimitError:
            outcomes.append("429")

    async with anyio.create_task_group() as group:
        for _ in range(30):
            group.start_soon(one, unpaced)
    assert sorted(outcomes) == ["429"] * 10 + ["ok"] * 20

    clock.now += 60.0
    quota.refused = 0
    limit = RateLimit(rpm=20, burst_seconds=60, clock=clock)
    paced = Gemini(base_url=emulator.url, rate_limit=limit, retry=RetryPolicy.none())
    outcomes.clear()
    async with anyio.create_task_group() as group:
        for _ in range(30):
            group.start_soon(one, paced)
        await eventually(lambda: len(outcomes) == 20 and limit.status().waiting == 10)
        group.cancel_scope.cancel()  # the other ten would wait for the next minute
    assert outcomes == ["ok"] * 20 and quota.refused == 0
    assert limit.status().waiting == 0
