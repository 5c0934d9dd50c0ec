"""Property: any JSON the API might add survives parse → dump unchanged."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from agentkit.types import Content, GenerateContentResponse

json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
# Keys no wire type declares, so they land in the "unknown fields" path.
novel_keys = st.text(alphabet="qxzj", min_size=3, max_size=8).map(lambda key: f"novel{key}")
extras = st.dictionaries(novel_keys, json_values, max_size=3)

parts = st.one_of(
    st.builds(lambda text, extra: {"text": text, **extra}, st.text(max_size=30), extras),
    st.builds(
        lambda name, args, sig, extra: {
            "functionCall": {"name": name, "args": args},
            **({"thoughtSignature": sig} if sig else {}),
            **extra,
        },
        st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True),
        st.dictionaries(st.text(max_size=8), json_values, max_size=4),
        st.text(alphabet="ABCxyz+/=-_", max_size=40),
        extras,
    ),
)


@settings(max_examples=150, deadline=None)
@given(
    parts=st.lists(parts, min_size=1, max_size=4),
    finish=st.sampled_from(["STOP", "MAX_TOKENS", "SAFETY", "SOMETHING_NEW"]),
    top_extra=extras,
    usage=st.dictionaries(
        st.sampled_from(
            [
                "promptTokenCount",
                "candidatesTokenCount",
                "thoughtsTokenCount",
                "toolUsePromptTokenCount",
                "totalTokenCount",
            ]
        ),
        st.integers(0, 10**7),
    ),
)
def test_any_response_round_trips(
    parts: list[dict[str, Any]], finish: str, top_extra: dict[str, Any], usage: dict[str, int]
) -> None:
    payload = {
        "candidates": [
            {"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}
        ],
        "usageMetadata": usage,
        **top_extra,
    }
    assert GenerateContentResponse.model_validate(payload).to_wire() == payload


@settings(max_examples=100, deadline=None)
@given(parts=st.lists(parts, min_size=1, max_size=4), extra=extras)
def test_any_content_round_trips(parts: list[dict[str, Any]], extra: dict[str, Any]) -> None:
    payload = {"role": "model", "parts": parts, **extra}
    assert Content.model_validate(payload).to_wire() == payload
