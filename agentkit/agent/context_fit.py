"""One run's side of the context policy: keep what each request sends within its budget.

``context`` decides what to compact and ``context_size`` measures; this is the run's part:
it knows the last exact count (from a response's usage, or from ``countTokens``), estimates
what was added since, asks the model's limit, compacts the run's context when the next
request would not fit — or when the API refused one as too long — and says what it did
(the ``ContextCompacted`` event, a log line, a span event).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from agentkit.agent.context import SUMMARY_INSTRUCTION, compact, summary_request_text
from agentkit.agent.events import ContextCompacted
from agentkit.agent.settings import RunSettings
from agentkit.agent.state import LoopState
from agentkit.errors import AgentkitError, APIError
from agentkit.types import Content, GenerateContentRequest

# An estimate over the budget by at most this much is checked with countTokens before the
# context is compacted: estimates run high, and a compaction loses detail.
CLOSE = 1.25


class ContextKeeper:
    def __init__(self, settings: RunSettings, state: LoopState, log: Any) -> None:
        assert settings.context is not None
        self.settings = settings
        self.policy = settings.context
        self.state = state
        self.log = log
        # (turns sent, their exact input tokens) from the last response, for estimates
        self._size_known: tuple[int, int] | None = None
        self._fixed: int | None = None  # tokens of what every request sends besides contents

    def record(self, sent_turns: int, prompt_tokens: int) -> None:
        """A response's exact count for the request that got it."""
        self._size_known = (sent_turns, prompt_tokens)

    async def fit(
        self,
        next_request: Callable[[], GenerateContentRequest],
        *,
        refusal: tuple[int, int] | None = None,
    ) -> ContextCompacted | None:
        """Compact the context when the next request would not fit the policy's budget;
        the event saying what was done, or None. ``refusal``: (count, limit) from the API's
        "too long" answer: the limit is learnt, and the budget shrinks by as much as the
        estimate fell short of the count."""
        settings = self.settings
        estimate = self.estimate()
        if refusal is not None:
            settings.input_limits.learn(settings.model, refusal[1])
            limit: int | None = refusal[1]
        else:
            limit = await settings.input_limits.of(settings.model, estimate)
        budget = self.policy.budget(limit)
        if budget is None:
            return None
        if refusal is not None:
            budget = min(budget, int(budget * estimate / max(refusal[0], 1)))
        elif estimate <= budget:
            return None
        elif estimate <= budget * CLOSE and await self._fits_exactly(next_request, budget):
            return None  # the estimate was over; the exact count is not
        done = await compact(
            list(self.state.sent), self._fixed_tokens(), budget, self.policy, self._summarize
        )
        if done is None:
            return None
        context, what = done
        self.state.context = context
        self._size_known = None
        self.log.info(
            "context.compacted",
            step=self.state.step,
            tokens_before=what.tokens_before,
            tokens_after=what.tokens_after,
            elided=what.elided_results,
            removed=what.removed_exchanges,
        )
        if settings.telemetry is not None:
            settings.telemetry.run_event(
                "agentkit.compaction",
                {
                    "agentkit.tokens_before": what.tokens_before,
                    "agentkit.tokens_after": what.tokens_after,
                    "agentkit.elided_results": what.elided_results,
                    "agentkit.removed_exchanges": what.removed_exchanges,
                    "agentkit.summarised": what.summary is not None,
                },
            )
        return ContextCompacted(
            self.state.step,
            what.tokens_before,
            what.tokens_after,
            what.elided_results,
            what.removed_exchanges,
            what.summary,
        )

    def estimate(self) -> int:
        """The next request's input tokens: the last response's count for what it sent,
        plus an estimate of the turns added since; all estimated when nothing is known."""
        sent = self.state.sent
        tokens_of = self.settings.input_limits.turn_tokens
        if self._size_known is not None:
            count, tokens = self._size_known
            if count <= len(sent):
                return tokens + tokens_of.total(sent[count:])
        return self._fixed_tokens() + tokens_of.total(sent)

    async def _fits_exactly(
        self, next_request: Callable[[], GenerateContentRequest], budget: int
    ) -> bool:
        """Whether countTokens says the next request fits (False when it cannot say)."""
        count = getattr(self.settings.model, "count_tokens", None)
        if count is None:
            return False
        request = next_request()
        try:
            counted = await count(request)
        except AgentkitError as error:
            self.log.debug("context.count_failed", error=str(error))
            return False
        total = getattr(counted, "total_tokens", None)
        if not isinstance(total, int):
            return False
        self._size_known = (len(request.contents), total)
        return total <= budget

    def _fixed_tokens(self) -> int:
        if self._fixed is None:
            settings = self.settings
            self._fixed = settings.input_limits.fixed_tokens(
                settings.instructions, settings.wire_tools
            )
        return self._fixed

    async def _summarize(self, turns: list[Content]) -> str | None:
        """The summary of ``turns``, written by the model in one call without tools."""
        text = f"{SUMMARY_INSTRUCTION}\n\n{summary_request_text(turns)}"
        request = GenerateContentRequest(contents=[Content.user(text)])
        model = self.settings.model
        self.state.model_calls += 1
        try:
            response = await model.generate(request)
        except AgentkitError as error:
            self.log.warning("context.summary_failed", error=str(error))
            return None  # the exchanges are dropped with a marker instead
        self.state.usage.add_call(response.model_version or model.name, response.usage_metadata)
        candidate = response.first_candidate
        parts = candidate.content.parts if candidate and candidate.content else None
        summary = "".join(p.text or "" for p in parts or () if not p.thought).strip()
        return summary or None


def input_limit_named(error: APIError) -> tuple[int, int] | None:
    """(the count, the limit) in Gemini's "The input token count (N) exceeds the maximum
    number of tokens allowed (M)" refusal, or None for any other error."""
    if getattr(error, "status_code", None) != 400:
        return None
    found = re.search(
        r"input token count \((\d+)\) exceeds the maximum number of tokens allowed \((\d+)\)",
        str(error),
    )
    return (int(found.group(1)), int(found.group(2))) if found else None
