"""Client-side rate limits: requests and input tokens per minute, shared by every run that
uses the same limiter.

Gemini's quotas are per project and model, counted per minute (and per day). Sending as fast as
concurrency allows only trades the limit for 429s and their retries, so the limiter schedules
each request before it goes. It works by reservation: a request asks for the earliest moment it
may be sent, that moment is recorded at once (later requests queue behind it, first come first
served) and the request sleeps until then. Three rules decide the moment, and the latest wins:

1. Even pacing (GCRA, the "generic cell rate algorithm"): requests — and, separately, input
   tokens — flow at the configured rate, with a burst of at most ``burst_seconds`` worth of it.
   Without this, a sliding window alone lets a whole minute's quota go in the first second.
2. The sliding minute: never more than ``rpm`` requests, nor more than ``tpm`` input tokens, in
   any 60 seconds (kept 60.5 apart, for arrivals that come out of step). Pacing with a burst
   allows slightly more than the rate in the first minute; this rule is what makes "never more
   than the limit in any minute" exact.
3. A pause after a 429: every request of every run waits out the server's ``RetryInfo`` delay
   (not only the one that got it, which the transport retries), and the configured rates are
   halved, recovering linearly over a minute without another 429. A per-day quota stops all new
   requests at once with the same error: nothing more can succeed before midnight Pacific.

Input tokens cannot be known before the request is sent: a request is reserved with an estimate
from its size (about four bytes of JSON per token, the emulator's measure too) and corrected
with the response's ``promptTokenCount`` once it arrives, so later requests are paced by what
was really counted.

The state is guarded by a thread lock: one limiter may be shared by models used from several
threads (each ``run_sync`` has its own event loop), and reserving is a few arithmetic steps.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import anyio

from agentkit.errors import APIError, ConfigurationError, RateLimitError, RequestOverRateLimitError

WINDOW = 60.0  # seconds: Gemini counts its rate limits per minute
# The sliding-minute rule keeps this much further apart than a minute: requests that left on
# time may arrive out of step (one waits longer for its connection), and the server counts
# arrivals. Half a second costs under 1 % of the rate.
MARGIN = 0.5
RECOVERY = 60.0  # seconds over which halved rates climb back after a 429
SLOWEST = 0.125  # the rates never fall below this share of the configured ones


def estimated_input_tokens(request_bytes: int) -> int:
    """The input tokens a request of ``request_bytes`` bytes of JSON is reserved with."""
    return max(1, request_bytes // 4)


@dataclass(slots=True, eq=False)  # slots are told apart by identity, never by value
class Reservation:
    """A request's slot: when it may go and the input tokens it is counted with."""

    at: float
    tokens: int
    epoch: int  # the limiter's pause count when the slot was given (see ``RateLimit.pause``)
    counted: bool = True  # still among the slots of the sliding minute
    # The pacing state before this slot was given, restored when it is the last one given
    # and is released: a request that never went leaves no trace in the schedule.
    before: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class LimiterStatus:
    """What the limiter is doing, for a progress display.

    Attributes:
        waiting: requests sleeping until their slot.
        wait_seconds: until the last of them may go (0 when none waits).
        cause: why the last one waits: ``"requests per minute"``, ``"input tokens per
            minute"`` or ``"a 429 from the API"``; None when none waits.
    """

    waiting: int
    wait_seconds: float
    cause: str | None


class RateLimit:
    """A limiter for requests and input tokens per minute.

    Pass the same object to every model that shares a quota (``Gemini(..., rate_limit=limit)``);
    every run using those models is then paced together.

    Args:
        rpm: requests per minute; None for no request limit.
        tpm: input tokens per minute; None for no token limit.
        burst_seconds: how many seconds' share of the rate may go at once (at least one
            request, and at least the request at hand's tokens).
        clock: seconds on a monotonic clock (tests give their own).
    """

    def __init__(
        self,
        rpm: int | None = None,
        tpm: int | None = None,
        *,
        burst_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, value in (("rpm", rpm), ("tpm", tpm)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ConfigurationError(f"RateLimit({name}={value!r}): give a whole number")
            if value is not None and value < 1:
                raise ConfigurationError(f"RateLimit({name}={value!r}): must be at least 1")
        if not burst_seconds >= 0:
            raise ConfigurationError(f"RateLimit(burst_seconds={burst_seconds!r}): must be >= 0")
        self.rpm = rpm
        self.tpm = tpm
        self.burst_seconds = burst_seconds
        self._clock = clock
        self._lock = threading.Lock()
        # GCRA's "theoretical arrival time" per rate: when the flow would be idle again.
        self._requests_due = -float("inf")
        self._tokens_due = -float("inf")
        # The last minute's (and the queued) slots, in the order given, which is time order.
        self._slots: deque[Reservation] = deque()
        self._slot_tokens = 0
        self._last_at = -float("inf")
        self._paused_until = -float("inf")
        self._epoch = 0
        self._slowed_at = -float("inf")
        self._slowed_to = 1.0
        self._exhausted: APIError | None = None
        self._exhausted_until = -float("inf")
        self._waiting: dict[int, tuple[float, str | None]] = {}
        self._causes: dict[int, str | None] = {}

    def __repr__(self) -> str:
        return f"RateLimit(rpm={self.rpm}, tpm={self.tpm}, burst_seconds={self.burst_seconds})"

    # -- scheduling (no waiting: testable with any clock) --------------------------------------

    def reserve(self, tokens: int = 1) -> Reservation:
        """Give the next slot for a request of ``tokens`` input tokens and record it.

        Raises the per-day quota's error once one was met, and ``RequestOverRateLimitError``
        for a request that no minute could hold.
        """
        with self._lock:
            if self._exhausted is not None:
                if self._clock() < self._exhausted_until:
                    raise _again(self._exhausted)
                self._exhausted = None  # a new day: the quota is back
            if self.tpm is not None and tokens > self.tpm:
                raise RequestOverRateLimitError(tokens, self.tpm)
            now = self._clock()
            at, cause = self._earliest(now, tokens)
            before = (self._requests_due, self._tokens_due, self._last_at)
            self._take(at, tokens)
            self._last_at = at
            slot = Reservation(at, tokens, self._epoch, before=before)
            self._slots.append(slot)
            self._slot_tokens += tokens
            self._causes[id(slot)] = cause
            return slot

    def _earliest(self, now: float, tokens: int) -> tuple[float, str | None]:
        """The first moment each rule allows, and the rule that set it."""
        self._forget_before(now - WINDOW - MARGIN)
        # First come, first served: never before a slot given earlier. It also keeps the
        # slots in time order, which the sliding-minute rules below rely on.
        at, cause = now, None
        if self._last_at > at:
            at = self._last_at
            cause = self._causes.get(id(self._slots[-1])) if self._slots else None
        if self._paused_until > at:
            at, cause = self._paused_until, "a 429 from the API"
        share = self._share(now)
        if self.rpm is not None:
            interval = WINDOW / (self.rpm * share)
            burst = max(interval, self.burst_seconds)  # at least one request at once
            paced = self._requests_due + interval - burst
            full_minute = self._nth_latest_slot(self.rpm) + WINDOW + MARGIN
            for candidate in (paced, full_minute):
                if candidate > at:
                    at, cause = candidate, "requests per minute"
        if self.tpm is not None:
            cost = tokens * WINDOW / (self.tpm * share)
            burst = max(cost, self.burst_seconds)
            paced = self._tokens_due + cost - burst
            full_minute = self._when_tokens_fit(tokens)
            for candidate in (paced, full_minute):
                if candidate > at:
                    at, cause = candidate, "input tokens per minute"
        return at, cause

    def _take(self, at: float, tokens: int) -> None:
        share = self._share(at)
        if self.rpm is not None:
            self._requests_due = max(self._requests_due, at) + WINDOW / (self.rpm * share)
        if self.tpm is not None:
            cost = tokens * WINDOW / (self.tpm * share)
            self._tokens_due = max(self._tokens_due, at) + cost

    def _share(self, now: float) -> float:
        """The fraction of the configured rates in force: below 1 for a minute after a 429."""
        if self._slowed_to >= 1.0:
            return 1.0
        regained = (now - self._slowed_at) / RECOVERY
        if regained >= 1.0:
            self._slowed_to = 1.0
            return 1.0
        return self._slowed_to + (1.0 - self._slowed_to) * max(0.0, regained)

    def _forget_before(self, moment: float) -> None:
        slots = self._slots
        while slots and slots[0].at <= moment:
            gone = slots.popleft()
            gone.counted = False
            self._slot_tokens -= gone.tokens
            self._causes.pop(id(gone), None)

    def _nth_latest_slot(self, n: int) -> float:
        """The time of the n-th latest slot: a new one must be a minute after it."""
        slots = self._slots
        return slots[-n].at if len(slots) >= n else -float("inf")

    def _when_tokens_fit(self, tokens: int) -> float:
        """The first moment the last minute's tokens plus ``tokens`` stay within ``tpm``."""
        assert self.tpm is not None
        excess = self._slot_tokens + tokens - self.tpm
        if excess <= 0:
            return -float("inf")
        for slot in self._slots:  # oldest first: the slots that must leave the window
            excess -= slot.tokens
            if excess <= 0:
                return slot.at + WINDOW + MARGIN
        return -float("inf")  # unreachable: tokens <= tpm was checked

    def release(self, slot: Reservation) -> None:
        """Give back a slot that was never used (its request was cancelled or re-queued)."""
        with self._lock:
            if not slot.counted:
                return  # already out of the window
            if self._slots[-1] is slot:
                self._requests_due, self._tokens_due, self._last_at = slot.before
            self._slots.remove(slot)
            slot.counted = False
            self._slot_tokens -= slot.tokens
            self._causes.pop(id(slot), None)

    def settle(self, slot: Reservation, prompt_tokens: int | None) -> None:
        """Count a sent request with the input tokens the API reported, not the estimate."""
        if prompt_tokens is None or prompt_tokens == slot.tokens:
            return
        with self._lock:
            difference = prompt_tokens - slot.tokens
            slot.tokens = prompt_tokens
            if slot.counted:
                self._slot_tokens += difference
            if self.tpm is not None:
                self._tokens_due += difference * WINDOW / (self.tpm * self._share(self._clock()))

    # -- what the API said --------------------------------------------------------------------

    def pause(self, seconds: float) -> None:
        """A 429: hold every request for ``seconds`` and slow the configured rates down."""
        with self._lock:
            now = self._clock()
            self._paused_until = max(self._paused_until, now + max(0.0, seconds))
            self._slowed_to = max(SLOWEST, self._share(now) / 2)
            self._slowed_at = now
            self._epoch += 1

    def exhaust(self, error: APIError) -> None:
        """A per-day quota is used up: no request goes through this limiter again before
        the quota resets, at midnight Pacific time."""
        with self._lock:
            self._exhausted = error
            self._exhausted_until = self._clock() + seconds_to_pacific_midnight(time.time())

    # -- waiting ------------------------------------------------------------------------------

    async def acquire(self, tokens: int = 1) -> Reservation:
        """Wait for a slot and return it once the request may be sent."""
        while True:
            slot = self.reserve(tokens)
            delay = slot.at - self._clock()
            if delay > 0:
                key = id(slot)
                self._waiting[key] = (slot.at, self._causes.get(key))
                try:
                    await anyio.sleep(delay)
                except BaseException:
                    self.release(slot)  # cancelled while waiting: the slot was never used
                    raise
                finally:
                    self._waiting.pop(key, None)
            if slot.epoch == self._epoch or self._paused_until <= self._clock():
                return slot
            # A 429 paused everything while this request slept: queue again behind the pause.
            self.release(slot)

    def status(self) -> LimiterStatus:
        """Who is waiting, for how long, and why (read by progress displays)."""
        waits = list(self._waiting.values())
        if not waits:
            return LimiterStatus(0, 0.0, None)
        last_at, cause = max(waits, key=lambda wait: wait[0])
        return LimiterStatus(len(waits), max(0.0, last_at - self._clock()), cause)


class Admission:
    """One request's way through a limiter, across all its attempts: each attempt waits for a
    slot of its own (a retry is a request too), a 429 pauses everyone, and the slot of the
    attempt that succeeded is settled with the tokens the API counted."""

    __slots__ = ("_limit", "_tokens", "_slot")

    def __init__(self, limit: RateLimit, request_bytes: int) -> None:
        self._limit = limit
        self._tokens = estimated_input_tokens(request_bytes)
        self._slot: Reservation | None = None

    async def wait(self) -> None:
        self._slot = await self._limit.acquire(self._tokens)

    def refused(self, error: BaseException, retry_in: float | None) -> None:
        """An attempt failed; a 429 tells the limiter, which holds every request."""
        if not isinstance(error, APIError) or error.status_code != 429:
            return
        if error.is_per_day_quota:
            self._limit.exhaust(error)
        else:
            self._limit.pause(error.retry_delay if error.retry_delay is not None else retry_in or 0)

    def settle(self, prompt_tokens: int | None) -> None:
        if self._slot is not None:
            self._limit.settle(self._slot, prompt_tokens)


def seconds_to_pacific_midnight(now: float) -> float:
    """Seconds from the Unix time ``now`` to the next midnight in America/Los_Angeles, when
    Gemini's per-day quotas reset (a whole day when the zone is unknown to this machine)."""
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    except ImportError:  # pragma: no cover - zoneinfo is standard since 3.9
        return 86400.0
    try:
        zone = ZoneInfo("America/Los_Angeles")
    except ZoneInfoNotFoundError:
        return 86400.0
    from datetime import datetime, timedelta

    local = datetime.fromtimestamp(now, zone)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.timestamp() - now


def _again(error: APIError) -> APIError:
    """The per-day quota's error, raised anew for another request (one exception object
    raised in many tasks would collect all their tracebacks)."""
    return RateLimitError(
        error.status_code,
        error.message,
        status=error.status,
        details=error.details,
        retry_delay=error.retry_delay,
        quota_ids=error.quota_ids,
        reason=error.reason,
    )
