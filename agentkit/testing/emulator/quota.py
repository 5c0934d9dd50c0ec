"""Per-minute quotas, enforced as Gemini enforces them: a request over the project's
requests-per-minute or input-tokens-per-minute limit gets the 429 with ``QuotaFailure`` and a
``RetryInfo`` saying when a slot frees up. With a quota set, a test (or a benchmark) can show
that a client keeps within it — no 429s — rather than only that it retries them.

The minute is sliding (the last 60 seconds before the request), the stricter reading of
Google's per-minute limits: a client that passes here passes a fixed-window counter too.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from agentkit.testing.answers import estimate_tokens
from agentkit.testing.emulator.faults import Fault

REQUESTS_QUOTA = "GenerateRequestsPerMinutePerProjectPerModel"
TOKENS_QUOTA = "GenerateContentInputTokensPerModelPerMinute"


@dataclass
class Quota:
    """Per-minute limits the emulator enforces (None: no limit of that kind).

    Attributes:
        rpm: generate requests per minute.
        tpm: input tokens per minute (counted with the emulator's own token estimate).
        clock: seconds on a monotonic clock.
    """

    rpm: int | None = None
    tpm: int | None = None
    clock: Callable[[], float] = time.monotonic
    # When each admitted request arrived and its input tokens, oldest first (the meter).
    admitted: list[tuple[float, int]] = field(default_factory=list, repr=False)
    refused: int = 0
    _window: deque[tuple[float, int]] = field(default_factory=deque, repr=False)
    _tokens: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def admit(self, prompt_bytes: int) -> Fault | None:
        """None when the request fits this minute (it is counted), else the 429 to serve."""
        tokens = estimate_tokens(prompt_bytes)
        with self._lock:
            now = self.clock()
            window = self._window
            while window and window[0][0] <= now - 60.0:
                self._tokens -= window.popleft()[1]
            if self.rpm is not None and len(window) >= self.rpm:
                return self._refuse(window[len(window) - self.rpm][0] + 60.0 - now, REQUESTS_QUOTA)
            if self.tpm is not None and self._tokens + tokens > self.tpm:
                excess, free_at = self._tokens + tokens - self.tpm, now
                for at, counted in window:
                    excess -= counted
                    free_at = at + 60.0
                    if excess <= 0:
                        break
                return self._refuse(free_at - now, TOKENS_QUOTA)
            window.append((now, tokens))
            self._tokens += tokens
            self.admitted.append((now, tokens))
            return None

    def _refuse(self, seconds: float, quota_id: str) -> Fault:
        self.refused += 1
        # Gemini states the delay in whole seconds; rounding up never invites an early retry.
        delay = max(1.0, float(math.ceil(seconds)))
        return Fault.rate_limited(retry_delay=delay, quota_id=quota_id)
