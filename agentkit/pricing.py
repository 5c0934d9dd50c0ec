"""Estimated cost of model calls, from the published paid-tier prices (USD per 1M tokens).

Prices change with the prompt size of each call (above ``split_tokens`` the higher tier
applies), so cost is computed per call and summed, never from run totals. Output price covers
thinking tokens too. Audio is priced apart where the page prices it apart: audio input and
audio in a cache by ``promptTokensDetails`` / ``cacheTokensDetails``, audio and image output
by ``candidatesTokensDetails`` (TTS, native-audio and Live models; image generation). A model
missing from the table has no estimate (None), never a guess: a name is priced as a row
only when it is that row or the row with a version suffix (``-001``, ``-preview-06-17``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentkit.types import ModalityTokenCount, UsageMetadata


@dataclass(frozen=True)
class Price:
    """One row of the pricing page. ``None`` where the page lists nothing: a cached price
    falls back to the input price (no discount), an audio price to the text one."""

    input: float
    output: float
    cached: float | None = None
    split_tokens: int | None = None
    input_above: float | None = None
    output_above: float | None = None
    cached_above: float | None = None
    input_audio: float | None = None
    input_video: float | None = None  # only where video is priced apart from text (as audio)
    cached_audio: float | None = None
    output_audio: float | None = None
    output_image: float | None = None
    cache_storage_per_hour: float | None = None
    # USD per 1,000 requests grounded with Google Search beyond the free allowance.
    grounding_per_1000: float | None = None


FREE = Price(0.0, 0.0)  # models with no paid tier: their calls cost nothing

# From the pricing page dated 2025-06-23 (protocol reference §8.3), every row;
# tests/fixtures/gemini-pricing-2025-06-23.csv holds the page's table and a test checks
# each of its rows against this one.
PRICES: dict[str, Price] = {
    "gemini-2.5-pro": Price(
        1.25,
        10.00,
        0.31,
        200_000,
        2.50,
        15.00,
        0.625,
        cache_storage_per_hour=4.50,
        grounding_per_1000=35.0,
    ),
    "gemini-2.5-flash": Price(
        0.30,
        2.50,
        0.075,
        input_audio=1.00,
        cached_audio=0.25,
        cache_storage_per_hour=1.00,
        grounding_per_1000=35.0,
    ),
    "gemini-2.5-flash-lite": Price(
        0.10,
        0.40,
        0.025,
        input_audio=0.50,
        cached_audio=0.125,
        cache_storage_per_hour=1.00,
        grounding_per_1000=35.0,
    ),
    # Native audio (Live API dialog models): audio and video input, audio output.
    "gemini-2.5-flash-native-audio": Price(
        0.50, 2.00, input_audio=3.00, input_video=3.00, output_audio=12.00
    ),
    "gemini-live-2.5-flash-preview": Price(
        0.50, 2.00, input_audio=3.00, input_video=3.00, output_audio=12.00
    ),
    # Text to speech: text in, audio out.
    "gemini-2.5-flash-preview-tts": Price(0.50, 10.00, output_audio=10.00),
    "gemini-2.5-pro-preview-tts": Price(1.00, 20.00, output_audio=20.00),
    "gemini-2.0-flash": Price(
        0.10,
        0.40,
        0.025,
        input_audio=0.70,
        cached_audio=0.175,
        output_image=30.00,
        cache_storage_per_hour=1.00,
        grounding_per_1000=35.0,
    ),
    "gemini-2.0-flash-live-001": Price(
        0.35, 1.50, input_audio=2.10, input_video=2.10, output_audio=8.50
    ),
    "gemini-2.0-flash-lite": Price(0.075, 0.30),
    "gemma-3": FREE,
    "gemma-3n": FREE,
    "text-embedding-004": FREE,
    "gemini-1.5-flash": Price(
        0.075,
        0.30,
        0.01875,
        128_000,
        0.15,
        0.60,
        0.0375,
        cache_storage_per_hour=1.00,
        grounding_per_1000=35.0,
    ),
    "gemini-1.5-flash-8b": Price(
        0.0375,
        0.15,
        0.01,
        128_000,
        0.075,
        0.30,
        0.02,
        cache_storage_per_hour=0.25,
        grounding_per_1000=35.0,
    ),
    "gemini-1.5-pro": Price(
        1.25,
        5.00,
        0.3125,
        128_000,
        2.50,
        10.00,
        0.625,
        cache_storage_per_hour=4.50,
        grounding_per_1000=35.0,
    ),
}
# Priced per image or per second, not per token: no token estimate can be right for them.
NOT_PER_TOKEN = frozenset({"imagen-3", "veo-2"})

# What may follow a row's name and still be that model: a version, a dated preview, an
# experimental build, "latest". Anything else (-tts, -image, -lite) is another model.
_VERSION_SUFFIX = re.compile(
    r"-(\d{3}|latest|exp(-\d{2}-\d{2}|-\d{4})?|preview(-\d{2}-(\d{2}|\d{4}))?|\d{2}-\d{4})$"
)


# Batch API jobs are billed at half the standard price, input, output and cached tokens
# alike (the Batch API documentation: "50% of the standard cost").
BATCH_PRICE_SHARE = 0.5


def batch_cost(standard_cost: float | None) -> float | None:
    """What calls that cost ``standard_cost`` at the standard price cost in a batch job."""
    return None if standard_cost is None else standard_cost * BATCH_PRICE_SHARE


def price_for(model: str) -> Price | None:
    """The price of a model id; a version suffix is looked through, nothing else."""
    name = model.removeprefix("models/")
    if name in PRICES:
        return PRICES[name]
    if name in NOT_PER_TOKEN:
        return None
    for key in sorted(PRICES, key=len, reverse=True):
        if name.startswith(key + "-") and _VERSION_SUFFIX.fullmatch(name[len(key) :]):
            return PRICES[key]
    if "native-audio" in name and name.startswith("gemini-2.5-flash"):
        return PRICES["gemini-2.5-flash-native-audio"]
    if name == "gemini-2.0-flash-preview-image-generation":
        return PRICES["gemini-2.0-flash"]  # its image output is on the 2.0 Flash row
    if name.startswith(("gemma-3-", "gemma-3n-")):
        return FREE  # every Gemma 3 size: no paid tier
    return None


def cache_storage_cost(model: str, tokens: int, seconds: float) -> float | None:
    """USD for keeping ``tokens`` in an explicit cache for ``seconds``; None when the
    model's storage price is unknown (or it has no explicit caching)."""
    price = price_for(model)
    if price is None or price.cache_storage_per_hour is None:
        return None
    return tokens / 1_000_000 * price.cache_storage_per_hour * seconds / 3600


def call_cost(model: str, usage: UsageMetadata | None) -> float | None:
    """USD for one model call, or None when the model's price is unknown."""
    price = price_for(model)
    if price is None:
        return None
    if usage is None:
        return 0.0
    prompt = usage.prompt_token_count or 0
    cached = usage.cached_content_token_count or 0
    above = price.split_tokens is not None and prompt > price.split_tokens
    input_price = price.input_above if above and price.input_above is not None else price.input
    output_price = price.output_above if above and price.output_above is not None else price.output
    cached_price = price.cached_above if above and price.cached_above is not None else price.cached
    if cached_price is None:
        cached_price = input_price
    # Input: what was not served from the cache, audio apart; then the cached part.
    prompt_audio = _modality(usage.prompt_tokens_details, "AUDIO")
    cached_audio = _modality(usage.cache_tokens_details, "AUDIO")
    fresh_audio = max(prompt_audio - cached_audio, 0)
    video = _modality(usage.prompt_tokens_details, "VIDEO") if price.input_video else 0
    fresh = max(prompt - cached, 0) - fresh_audio - video
    fresh += usage.tool_use_prompt_token_count or 0
    dollars = max(fresh, 0) * input_price
    dollars += fresh_audio * _or(price.input_audio, input_price)
    dollars += video * _or(price.input_video, input_price)
    dollars += max(cached - cached_audio, 0) * cached_price
    dollars += cached_audio * _or(price.cached_audio, _or(price.input_audio, cached_price))
    # Output: audio and images where the page prices them; text and thinking at the rest.
    candidates = usage.candidates_token_count or 0
    audio_out = _modality(usage.candidates_tokens_details, "AUDIO")
    image_out = _modality(usage.candidates_tokens_details, "IMAGE")
    text_out = max(candidates - audio_out - image_out, 0) + (usage.thoughts_token_count or 0)
    dollars += text_out * output_price
    dollars += audio_out * _or(price.output_audio, output_price)
    dollars += image_out * _or(price.output_image, output_price)
    return dollars / 1_000_000


def _modality(details: list[ModalityTokenCount] | None, modality: str) -> int:
    return sum(d.token_count or 0 for d in details or () if (d.modality or "") == modality)


def _or(value: float | None, fallback: float) -> float:
    return fallback if value is None else value
