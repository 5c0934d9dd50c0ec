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

A full run lasts ``FULL_SECONDS`` (over a minute, so "any minute" is a real minute) on the real
clock, over HTTP; the unpaced comparison runs ``UNPACED_SECONDS``. The smoke run is the same
load on a virtual clock, in well under a second: the limiter (``reserve``, which never waits)
and the emulator's ``Quota`` share a clock that jumps from one event to the next, each sender
sending at its slot's moment and again ``LATENCY`` later, as ``RateLimit.acquire`` would.
``measure(smoke)``, ``print_rows`` and ``targets`` for ``benchmarks/run.py``; run alone:
``python -m benchmarks.rate_limit [--smoke]``.
"""

from __future__ import annotations

import heapq
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
from benchmarks.growth import Target, print_targets

FULL_SECONDS, FULL_RPM = 70.0, 1200
UNPACED_SECONDS = 5.0
SENDERS = 64  # runs sending at once: many more than the limit lets through
LATENCY = 0.05  # virtual seconds a request takes, in the smoke run


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


def _real(seconds: float, rpm: int, paced: bool) -> tuple[list[float], int]:
    """When the emulator let each request in, and the 429s the senders met."""
    quota = Quota(rpm=rpm)
    options = EmulatorOptions(record=False, strict=False, quota=quota)
    with Emulator(options=options) as emulator:
        emulator.respond_with(lambda request: "noon")
        limit = RateLimit(rpm=rpm) if paced else None
        refused = anyio.run(_load, emulator.url, limit, seconds)
    return [at for at, _ in quota.admitted], refused


def _virtual(seconds: float, rpm: int) -> tuple[list[float], int]:
    """The paced load on a virtual clock (see the module's docstring)."""
    now = [0.0]
    limit = RateLimit(rpm=rpm, clock=lambda: now[0])
    quota = Quota(rpm=rpm, clock=lambda: now[0])
    refused = 0
    # (moment, sender, has a slot): a sender asks for a slot, then sends at the slot's moment.
    events = [(0.0, sender, False) for sender in range(SENDERS)]
    while events:
        at, sender, holding = heapq.heappop(events)
        now[0] = at
        if at >= seconds:
            continue
        if not holding:
            heapq.heappush(events, (limit.reserve().at, sender, True))
        else:
            refused += quota.admit(100) is not None
            heapq.heappush(events, (at + LATENCY, sender, False))
    return [at for at, _ in quota.admitted], refused


def measure(smoke: bool) -> dict[str, Any]:
    """The paced run (virtual clock when ``smoke``), and the unpaced one for comparison."""
    seconds, rpm = FULL_SECONDS, FULL_RPM
    times, refused = _virtual(seconds, rpm) if smoke else _real(seconds, rpm, True)
    results: dict[str, Any] = {
        "seconds": seconds,
        "rpm": rpm,
        "clock": "virtual" if smoke else "real",
    }
    if not smoke:
        unpaced, unpaced_refused = _real(UNPACED_SECONDS, rpm, False)
        results["unpaced_seconds"] = UNPACED_SECONDS
        results["unpaced_sent"], results["unpaced_429s"] = len(unpaced), unpaced_refused
    burst = RateLimit(rpm=rpm).burst_seconds * rpm / 60
    steady = [at for at in times if at >= times[0] + 1.0]
    steady_rate = (len(steady) - 1) / (steady[-1] - steady[0]) * 60 if len(steady) > 1 else 0
    most = most_in_any_minute(times)
    results.update(
        sent=len(times),
        burst_allowed=int(burst),
        most_in_any_minute=most,
        most_in_any_minute_x=most / rpm,
        steady_rate_x=steady_rate / rpm,
        paced_429s=refused,
    )
    return results


def targets(results: dict[str, Any], smoke: bool) -> list[Target]:
    """Any minute holds at most the limit and at least 0.95 of it; the limiter met no 429."""
    ratio = results["most_in_any_minute_x"]
    return [
        Target("rate limit: most in any minute / limit", ratio, 1.0),
        Target("rate limit: most in any minute / limit (use)", ratio, 0.95, False),
        Target("rate limit: 429s met when paced", results["paced_429s"], 0),
    ]


def print_rows(results: dict[str, Any]) -> None:
    print(
        f"\nrate limiter at {results['rpm']} requests/min for {results['seconds']:.0f} s "
        f"({results['clock']} clock, {SENDERS} runs sending): {results['sent']} sent, "
        f"429s {results['paced_429s']}"
    )
    if "unpaced_sent" in results:
        print(
            f"  unpaced for {results['unpaced_seconds']:.0f} s: {results['unpaced_sent']} let "
            f"in, {results['unpaced_429s']} 429s"
        )
    print(
        f"  most in any minute: {results['most_in_any_minute']} "
        f"({results['most_in_any_minute_x']:.3f}x the limit); steady rate "
        f"{results['steady_rate_x']:.3f}x the limit"
    )


def main(argv: list[str]) -> int:
    smoke = "--smoke" in argv
    results = measure(smoke)
    print_rows(results)
    print_targets(targets(results, smoke), smoke)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
