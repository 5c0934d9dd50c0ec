"""How close the rate limiter keeps to its limit: requests per minute actually sent.

Many runs (far more than the limit lets through) send requests for a while through one
``RateLimit`` to an emulator (in this process) that enforces the same per-minute quota as
Gemini does (``Quota``: a sliding minute, 429 with RetryInfo over it) and records when it let
each request in. Measured, from the server's side:

- the most requests in any 60 seconds against the limit (must not exceed it: the ratio is
  at most 1.0), and the rate sent after the first burst against the limit (how much of the
  quota the limiter uses: close to 1.0);
- the 429s the quota gave (0 for the limiter; the same load unpaced, for comparison, fills
  the quota at once and then meets a 429 for nearly every request).

A full run lasts ``FULL_SECONDS`` (over a minute, so "any minute" is a real minute); the smoke
run lasts a few seconds at a high rate and reads the steady rate only.
Run alone: ``python -m benchmarks.rate_limit [--smoke]``.
"""

from __future__ import annotations

import json
import sys
import time
from bisect import bisect_left
from typing import Any

import anyio

from agentkit.errors import RateLimitError
from agentkit.models import Gemini, RateLimit, RetryPolicy
from agentkit.testing.emulator import Emulator, EmulatorOptions, Quota
from agentkit.types import Content, GenerateContentRequest

FULL_SECONDS, FULL_RPM = 70.0, 1200
SMOKE_SECONDS, SMOKE_RPM = 4.0, 600
SENDERS = 64  # runs sending at once: many more than the limit lets through


def most_in_any_minute(times: list[float]) -> int:
    return max((bisect_left(times, at + 60.0) - i for i, at in enumerate(times)), default=0)


async def _load(url: str, limit: RateLimit | None, seconds: float) -> int:
    """Send from many runs until ``seconds`` are up; the 429s met."""
    model = Gemini(base_url=url, api_key="bench", rate_limit=limit, retry=RetryPolicy.none())
    request = GenerateContentRequest(contents=[Content.user("what time is it?")])
    refused = 0
    end = time.monotonic() + seconds

    async def sender() -> None:
        nonlocal refused
        while time.monotonic() < end:
            try:
                await model.generate(request)
            except RateLimitError:
                refused += 1
                await anyio.sleep(0.05)  # an unpaced client's crude backoff

    with anyio.move_on_after(seconds + 1.0):
        async with anyio.create_task_group() as group:
            for _ in range(SENDERS):
                group.start_soon(sender)
    await model.aclose()
    return refused


def measure(seconds: float, rpm: int) -> dict[str, Any]:
    results: dict[str, Any] = {"seconds": seconds, "rpm": rpm}
    for paced in (True, False):
        quota = Quota(rpm=rpm)
        options = EmulatorOptions(record=False, strict=False, quota=quota)
        with Emulator(options=options) as emulator:
            emulator.respond_with(lambda request: "noon")
            limit = RateLimit(rpm=rpm) if paced else None
            refused = anyio.run(_load, emulator.url, limit, seconds)
        times = [at for at, _ in quota.admitted]
        if not paced:
            results["unpaced_sent"], results["unpaced_429s"] = len(times), refused
            continue
        burst = RateLimit(rpm=rpm).burst_seconds * rpm / 60
        steady = [at for at in times if at >= times[0] + 1.0]
        steady_rate = (len(steady) - 1) / (steady[-1] - steady[0]) * 60 if len(steady) > 1 else 0
        results.update(
            sent=len(times),
            burst_allowed=int(burst),
            most_in_any_minute=most_in_any_minute(times) if seconds >= 60 else None,
            most_in_any_minute_x=(most_in_any_minute(times) / rpm if seconds >= 60 else None),
            steady_rate_x=steady_rate / rpm,
            paced_429s=refused,
        )
    return results


def print_rows(results: dict[str, Any]) -> None:
    print(
        f"\nrate limiter at {results['rpm']} requests/min for {results['seconds']:.0f} s "
        f"({SENDERS} runs sending): {results['sent']} sent, 429s {results['paced_429s']} "
        f"(unpaced: {results['unpaced_sent']} let in, {results['unpaced_429s']} 429s)"
    )
    if results["most_in_any_minute"] is not None:
        print(
            f"  most in any minute: {results['most_in_any_minute']} "
            f"({results['most_in_any_minute_x']:.3f}x the limit)"
        )
    print(f"  steady rate: {results['steady_rate_x']:.3f}x the limit")


def main(argv: list[str]) -> int:
    smoke = "--smoke" in argv
    results = measure(SMOKE_SECONDS, SMOKE_RPM) if smoke else measure(FULL_SECONDS, FULL_RPM)
    print_rows(results)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
