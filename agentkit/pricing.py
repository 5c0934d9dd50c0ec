"""Estimated cost of model calls, from the published paid-tier prices (USD per 1M tokens).

Prices change with the prompt size of each call (above ``split_tokens`` the higher tier
applies), so cost is computed per call and summed, never from run totals. Output price covers
thinking tokens too. A model missing from the table has no estimate (None), never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentkit.types import UsageMetadata


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cached: float | None = None
    split_tokens: int | None = None
    input_above: float | None = None
    output_above: float | None = None
    cached_above: float | None = None


# From the pricing page dated 2025-06-23 (protocol reference §8.3); text/image/video input.
PRICES: dict[str, Price] = {
    "gemini-2.5-pro": Price(1.25, 10.00, 0.31, 200_000, 2.50, 15.00, 0.625),
    "gemini-2.5-flash": Price(0.30, 2.50, 0.075),
    "gemini-2.5-flash-lite": Price(0.10, 0.40, 0.025),
    "gemini-2.0-flash": Price(0.10, 0.40, 0.025),
    "gemini-2.0-flash-lite": Price(0.075, 0.30),
    "gemini-1.5-flash": Price(0.075, 0.30, 0.01875, 128_000, 0.15, 0.60, 0.0375),
    "gemini-1.5-flash-8b": Price(0.0375, 0.15, 0.01, 128_000, 0.075, 0.30, 0.02),
    "gemini-1.5-pro": Price(1.25, 5.00, 0.3125, 128_000, 2.50, 10.00, 0.625),
}


def price_for(model: str) -> Price | None:
    """The price of a model id; version suffixes (``-001``, ``-preview-06-17``) are ignored
    only when no exact entry exists and the stem is unambiguous."""
    name = model.removeprefix("models/")
    if name in PRICES:
        return PRICES[name]
    candidates = [key for key in PRICES if name.startswith(key + "-")]
    longest = max(candidates, key=len, default=None)
    # "gemini-2.5-flash-lite-001" must not be priced as "gemini-2.5-flash".
    if longest is not None and not name.removeprefix(longest + "-").startswith("lite"):
        return PRICES[longest]
    return None


# Explicit cache storage, USD per 1M tokens per hour (the pricing page's column).
CACHE_STORAGE_PER_HOUR: dict[str, float] = {
    "gemini-2.5-pro": 4.50,
    "gemini-2.5-flash": 1.00,
    "gemini-2.5-flash-lite": 1.00,
    "gemini-2.0-flash": 1.00,
    "gemini-1.5-flash": 1.00,
    "gemini-1.5-flash-8b": 0.25,
    "gemini-1.5-pro": 4.50,
}


def cache_storage_cost(model: str, tokens: int, seconds: float) -> float | None:
    """USD for keeping ``tokens`` in an explicit cache for ``seconds``; None when the
    model's storage price is unknown (or it has no explicit caching)."""
    price = price_for(model)
    if price is None:
        return None
    key = next((k for k, v in PRICES.items() if v is price), None)
    hourly = CACHE_STORAGE_PER_HOUR.get(key or "")
    if hourly is None:
        return None
    return tokens / 1_000_000 * hourly * seconds / 3600


def call_cost(model: str, usage: UsageMetadata | None) -> float | None:
    """USD for one model call, or None when the model's price is unknown."""
    price = price_for(model)
    if price is None:
        return None
    if usage is None:
        return 0.0
    prompt = usage.prompt_token_count or 0
    cached = usage.cached_content_token_count or 0
    tool_use = usage.tool_use_prompt_token_count or 0
    output = (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
    above = price.split_tokens is not None and prompt > price.split_tokens
    input_price = price.input_above if above and price.input_above is not None else price.input
    output_price = price.output_above if above and price.output_above is not None else price.output
    cached_price = price.cached_above if above and price.cached_above is not None else price.cached
    if cached_price is None:
        cached_price = input_price
    uncached = max(prompt - cached, 0) + tool_use
    dollars = uncached * input_price + cached * cached_price + output * output_price
    return dollars / 1_000_000
