"""Every row of Gemini's pricing page (the table of 2025-06-23, kept in tests/fixtures) is
priced as the page says, by modality; names that are not a row are not priced."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from agentkit.pricing import NOT_PER_TOKEN, PRICES, cache_storage_cost, call_cost, price_for
from agentkit.types import UsageMetadata

TABLE = Path(__file__).parent / "fixtures" / "gemini-pricing-2025-06-23.csv"
ROWS = list(csv.DictReader(TABLE.open(encoding="utf-8")))
# The page's product names for the rows whose API id differs.
IDS = {
    "gemini-2.5-flash-lite (preview)": "gemini-2.5-flash-lite",
    "gemini-2.5-flash native audio (preview)": "gemini-2.5-flash-native-audio",
}


def number(row: dict[str, str], key: str) -> float | None:
    return float(row[key]) if row[key] else None


def test_the_table_has_every_row_of_the_page() -> None:
    assert len(ROWS) == 16
    priced = {IDS.get(row["model"], row["model"]) for row in ROWS}
    assert priced - set(PRICES) - NOT_PER_TOKEN == set()


@pytest.mark.parametrize("row", ROWS, ids=[row["model"] for row in ROWS])
def test_each_row_is_priced_as_the_page_says(row: dict[str, str]) -> None:
    model = IDS.get(row["model"], row["model"])
    if model in NOT_PER_TOKEN:
        assert price_for(model) is None  # per image or per second: no token estimate
        return
    price = price_for(model)
    assert price is not None
    if row["free_tier"] == "free only":
        assert call_cost(model, UsageMetadata(prompt_token_count=1000, candidates_token_count=1000)) == 0
        return
    assert price.input == number(row, "input_le")
    assert price.input_above == number(row, "input_gt")
    assert price.input_audio == number(row, "input_audio")
    if number(row, "output_le") is not None:
        assert price.output == number(row, "output_le")
    assert price.output_above == number(row, "output_gt")
    assert price.output_audio == number(row, "output_audio")
    assert price.cached == number(row, "cache_le")
    assert price.cached_above == number(row, "cache_gt")
    assert price.cached_audio == number(row, "cache_audio")
    assert price.cache_storage_per_hour == number(row, "cache_storage_per_hour")
    split = number(row, "split_tokens")
    assert price.split_tokens == (int(split) if split else None)


def test_audio_image_and_cached_tokens_are_priced_by_modality() -> None:
    usage = UsageMetadata.model_validate(
        {
            "promptTokenCount": 1_000_000,
            "cachedContentTokenCount": 400_000,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 700_000}, {"modality": "AUDIO", "tokenCount": 300_000}],
            "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 300_000}, {"modality": "AUDIO", "tokenCount": 100_000}],
            "candidatesTokenCount": 100_000,
        }
    )
    # 2.5 Flash: fresh text 400k x 0.30, fresh audio 200k x 1.00, cached text 300k x 0.075,
    # cached audio 100k x 0.25, output 100k x 2.50.
    assert call_cost("gemini-2.5-flash", usage) == pytest.approx(
        0.4 * 0.30 + 0.2 * 1.00 + 0.3 * 0.075 + 0.1 * 0.25 + 0.1 * 2.50
    )
    speech = UsageMetadata.model_validate(
        {"promptTokenCount": 1_000, "candidatesTokenCount": 1_000_000,
         "candidatesTokensDetails": [{"modality": "AUDIO", "tokenCount": 1_000_000}]}
    )
    assert call_cost("gemini-2.5-flash-preview-tts", speech) == pytest.approx(0.001 * 0.50 + 10.00)
    assert call_cost("gemini-2.5-pro-preview-tts", speech) == pytest.approx(0.001 * 1.00 + 20.00)
    image = UsageMetadata.model_validate(
        {"promptTokenCount": 100, "candidatesTokenCount": 1290,
         "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 1290}]}
    )
    # $30 per 1M image tokens: 1,290 tokens a 1024x1024 image, about $0.039.
    assert call_cost("gemini-2.0-flash-preview-image-generation", image) == pytest.approx(
        (100 * 0.10 + 1290 * 30.0) / 1e6
    )
    assert cache_storage_cost("gemini-2.5-pro", 1_000_000, 1800) == pytest.approx(2.25)


@pytest.mark.parametrize(
    ("name", "row"),
    [
        ("gemini-2.5-flash-preview-05-20", "gemini-2.5-flash"),
        ("models/gemini-2.0-flash-001", "gemini-2.0-flash"),
        ("gemini-2.5-flash-lite-preview-06-17", "gemini-2.5-flash-lite"),
        ("gemini-1.5-flash-8b-001", "gemini-1.5-flash-8b"),
        ("gemini-2.5-flash-native-audio-preview-09-2025", "gemini-2.5-flash-native-audio"),
        ("gemini-2.5-flash-preview-native-audio-dialog", "gemini-2.5-flash-native-audio"),
        ("gemma-3-27b-it", "gemma-3"),
    ],
)
def test_a_version_suffix_is_looked_through(name: str, row: str) -> None:
    assert price_for(name) == PRICES[row]


@pytest.mark.parametrize(
    "name", ["gemini-2.5-flash-image-preview", "gemini-3-ultra", "gemini-2.5-flash-tts-mini", "imagen-3"]
)
def test_a_model_that_is_not_a_row_has_no_price(name: str) -> None:
    assert price_for(name) is None
    assert call_cost(name, UsageMetadata(prompt_token_count=10)) is None
