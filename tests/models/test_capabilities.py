"""The capability table: which family a model id belongs to, what each family refuses, and
the agent refusing such settings when it is built (before any request)."""

from __future__ import annotations

from typing import Any

import pytest

from agentkit import Agent, Gemini
from agentkit.errors import ConfigurationError, ModelSettingError
from agentkit.models.capabilities import (
    MODEL_IDS,
    REQUEST_SIZE_LIMIT,
    capabilities_for,
    find_violation,
)
from agentkit.testing import ScriptedModel
from agentkit.testing.emulator import InProcessEmulator
from agentkit.types import GenerationConfig


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("gemini-2.5-flash", "Gemini 2.5 Flash"),
        ("models/gemini-2.5-flash", "Gemini 2.5 Flash"),
        ("gemini-2.5-flash-preview-05-20", "Gemini 2.5 Flash"),
        ("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite"),
        ("gemini-2.5-flash-lite-preview-06-17", "Gemini 2.5 Flash-Lite"),
        ("gemini-2.5-pro", "Gemini 2.5 Pro"),
        ("gemini-2.5-pro-preview-06-05", "Gemini 2.5 Pro"),
        ("gemini-2.0-flash-001", "Gemini 2.0 Flash"),
        ("gemini-2.0-flash-lite", "Gemini 2.0 Flash-Lite"),
        ("gemini-3-flash-preview", "Gemini 3 Flash Preview"),
        ("gemini-3-pro-preview", "Gemini 3 Pro Preview"),
        ("gemini-3.1-pro-preview", "Gemini 3.1 Pro Preview"),
    ],
)
def test_model_ids_find_their_family(model: str, family: str) -> None:
    capabilities = capabilities_for(model)
    assert capabilities is not None and capabilities.display_name == family


@pytest.mark.parametrize(
    "model", ["gemini-2.5-flash-image", "gemini-2.5-flash-preview-tts", "gemini-9", "m", ""]
)
def test_models_outside_the_table_are_not_judged(model: str) -> None:
    assert capabilities_for(model) is None


def test_limits_as_documented() -> None:
    pro, flash_2 = capabilities_for("gemini-2.5-pro"), capabilities_for("gemini-2.0-flash")
    assert pro is not None and flash_2 is not None
    assert (pro.input_token_limit, pro.output_token_limit) == (1_048_576, 65_536)
    assert (flash_2.input_token_limit, flash_2.output_token_limit, flash_2.thinking) == (
        1_048_576,
        8_192,
        None,
    )
    assert REQUEST_SIZE_LIMIT == 104_857_600
    assert MODEL_IDS[:3] == ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite")


def config(**fields: Any) -> GenerationConfig:
    return GenerationConfig.model_validate(fields)


# (model, settings, setting, value, allowed, field, api message)
REFUSED: list[tuple[str, dict[str, Any], str, object, str, str, str]] = [
    (
        "gemini-2.5-flash",
        {"temperature": 2.5},
        "temperature",
        2.5,
        "0.0 to 2.0",
        "generation_config.temperature",
        "temperature must be in the range [0.0, 2.0]",
    ),
    (
        "gemini-2.5-flash",
        {"temperature": -0.1},
        "temperature",
        -0.1,
        "0.0 to 2.0",
        "generation_config.temperature",
        "temperature must be in the range [0.0, 2.0]",
    ),
    (
        "gemini-2.5-flash",
        {"stopSequences": ["a", "b", "c", "d", "e", "f"]},
        "stop_sequences",
        ["a", "b", "c", "d", "e", "f"],
        "at most 5 sequences",
        "generation_config.stop_sequences",
        "the number of stop_sequences must not exceed 5",
    ),
    (
        "gemini-2.5-flash",
        {"logprobs": 3},
        "logprobs",
        3,
        "only together with response_logprobs=True",
        "generation_config.logprobs",
        "logprobs is only valid when response_logprobs is true.",
    ),
    (
        "gemini-2.5-flash",
        {"responseLogprobs": True, "logprobs": 21},
        "logprobs",
        21,
        "0 to 20",
        "generation_config.logprobs",
        "logprobs must be in the range [0, 20].",
    ),
    (
        "gemini-2.5-pro",
        {"thinkingConfig": {"thinkingBudget": 0}},
        "thinking_budget",
        0,
        "128 to 32768, or -1 (dynamic); thinking cannot be turned off on this model",
        "generation_config.thinking_config.thinking_budget",
        "Budget 0 is invalid. This model only works in thinking mode.",
    ),
    (
        "gemini-2.5-pro",
        {"thinkingConfig": {"thinkingBudget": 127}},
        "thinking_budget",
        127,
        "128 to 32768, or -1 (dynamic); thinking cannot be turned off on this model",
        "generation_config.thinking_config.thinking_budget",
        "The thinking budget (127) is invalid.",
    ),
    (
        "gemini-2.5-pro",
        {"thinkingConfig": {"thinkingBudget": 32769}},
        "thinking_budget",
        32769,
        "128 to 32768, or -1 (dynamic); thinking cannot be turned off on this model",
        "generation_config.thinking_config.thinking_budget",
        "The thinking budget (32769) is invalid.",
    ),
    (
        "gemini-2.5-flash",
        {"thinkingConfig": {"thinkingBudget": 24577}},
        "thinking_budget",
        24577,
        "0 (off), 1 to 24576, or -1 (dynamic)",
        "generation_config.thinking_config.thinking_budget",
        "The thinking budget (24577) is invalid.",
    ),
    (
        "gemini-2.5-flash",
        {"thinkingConfig": {"thinkingBudget": -2}},
        "thinking_budget",
        -2,
        "0 (off), 1 to 24576, or -1 (dynamic)",
        "generation_config.thinking_config.thinking_budget",
        "The thinking budget (-2) is invalid.",
    ),
    (
        "gemini-2.5-flash-lite",
        {"thinkingConfig": {"thinkingBudget": 511}},
        "thinking_budget",
        511,
        "0 (off), 512 to 24576, or -1 (dynamic)",
        "generation_config.thinking_config.thinking_budget",
        "The thinking budget (511) is invalid.",
    ),
    (
        "gemini-2.5-flash",
        {"thinkingConfig": {"thinkingLevel": "LOW"}},
        "thinking_level",
        "LOW",
        "none: this model takes thinking_budget, not thinking_level",
        "generation_config.thinking_config.thinking_level",
        "Thinking level is not supported for this model.",
    ),
    (
        "gemini-3-pro-preview",
        {"thinkingConfig": {"thinkingLevel": "MEDIUM"}},
        "thinking_level",
        "MEDIUM",
        "LOW, HIGH",
        "generation_config.thinking_config.thinking_level",
        "thinking_level MEDIUM is not supported by this model.",
    ),
    (
        "gemini-3.1-pro-preview",
        {"thinkingConfig": {"thinkingLevel": "minimal"}},
        "thinking_level",
        "MINIMAL",
        "LOW, MEDIUM, HIGH",
        "generation_config.thinking_config.thinking_level",
        "thinking_level MINIMAL is not supported by this model.",
    ),
    (
        "gemini-3-pro-preview",
        {"thinkingConfig": {"thinkingBudget": 0}},
        "thinking_budget",
        0,
        "a positive number of tokens, or -1 (dynamic); thinking cannot be turned off on this model",
        "generation_config.thinking_config.thinking_budget",
        "Budget 0 is invalid. This model only works in thinking mode.",
    ),
    (
        "gemini-2.0-flash",
        {"thinkingConfig": {"includeThoughts": True}},
        "thinking",
        {"includeThoughts": True},
        "nothing: this model does not think",
        "generation_config.thinking_config",
        "Unable to submit request because thinking is not supported by this model. "
        "Learn more: https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini",
    ),
]


@pytest.mark.parametrize(
    ("model", "settings", "setting", "value", "allowed", "field", "message"),
    REFUSED,
    ids=[f"{r[0]}-{r[2]}={r[3]}" for r in REFUSED],
)
def test_refused_settings(
    model: str,
    settings: dict[str, Any],
    setting: str,
    value: object,
    allowed: str,
    field: str,
    message: str,
) -> None:
    capabilities = capabilities_for(model)
    assert capabilities is not None
    violation = find_violation(capabilities, config(**settings))
    assert violation is not None
    assert (violation.setting, violation.value, violation.allowed) == (setting, value, allowed)
    assert (violation.field, violation.api_message) == (field, message)


ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    ("gemini-2.5-flash", {"temperature": 0.0}),
    ("gemini-2.5-flash", {"temperature": 2.0, "topK": 40, "topP": 0.5}),
    ("gemini-2.5-flash", {"stopSequences": ["a", "b", "c", "d", "e"]}),
    ("gemini-2.5-flash", {"responseLogprobs": True, "logprobs": 0}),
    ("gemini-2.5-flash", {"responseLogprobs": True, "logprobs": 20}),
    ("gemini-2.5-flash", {"thinkingConfig": {"thinkingBudget": 0}}),
    ("gemini-2.5-flash", {"thinkingConfig": {"thinkingBudget": 24576}}),
    ("gemini-2.5-flash", {"thinkingConfig": {"thinkingBudget": -1, "includeThoughts": True}}),
    ("gemini-2.5-flash-lite", {"thinkingConfig": {"thinkingBudget": 0}}),
    ("gemini-2.5-flash-lite", {"thinkingConfig": {"thinkingBudget": 512}}),
    ("gemini-2.5-pro", {"thinkingConfig": {"thinkingBudget": 128}}),
    ("gemini-2.5-pro", {"thinkingConfig": {"thinkingBudget": 32768}}),
    ("gemini-2.5-pro", {"thinkingConfig": {"thinkingBudget": -1}}),
    ("gemini-3-flash-preview", {"thinkingConfig": {"thinkingLevel": "MINIMAL"}}),
    ("gemini-3-flash-preview", {"thinkingConfig": {"thinkingBudget": 0}}),
    ("gemini-3-pro-preview", {"thinkingConfig": {"thinkingLevel": "low"}}),
    ("gemini-3-pro-preview", {"thinkingConfig": {"thinkingBudget": 50_000}}),
    ("gemini-3.1-pro-preview", {"thinkingConfig": {"thinkingLevel": "MEDIUM"}}),
    ("gemini-2.0-flash", {"temperature": 1.5, "maxOutputTokens": 100}),
]


@pytest.mark.parametrize(("model", "settings"), ACCEPTED, ids=[f"{a[0]}-{a[1]}" for a in ACCEPTED])
def test_accepted_settings(model: str, settings: dict[str, Any]) -> None:
    capabilities = capabilities_for(model)
    assert capabilities is not None
    assert find_violation(capabilities, config(**settings)) is None


def test_a_nucleus_only_model_refuses_top_k() -> None:
    flash = capabilities_for("gemini-2.5-flash")
    assert flash is not None
    violation = find_violation(flash.replace(top_k=None), config(topK=40))
    assert violation is not None
    assert (violation.setting, violation.value, violation.field) == (
        "top_k",
        40,
        "generation_config.top_k",
    )
    assert violation.allowed == "none: this model samples by top_p only"


# -- the agent, when built ----------------------------------------------------------------


def test_the_agent_refuses_a_setting_its_model_refuses_when_built() -> None:
    with pytest.raises(ModelSettingError) as caught:
        Agent(Gemini("gemini-2.5-pro"), thinking={"thinking_budget": 0})
    error = caught.value
    assert isinstance(error, ConfigurationError)
    assert str(error) == (
        "gemini-2.5-pro does not accept thinking_budget=0 (allowed: 128 to 32768, or -1 "
        "(dynamic); thinking cannot be turned off on this model)"
    )
    assert (error.model, error.setting, error.value) == ("gemini-2.5-pro", "thinking_budget", 0)


@pytest.mark.parametrize(
    ("agent_options", "message"),
    [
        (
            {"generation_config": {"temperature": 3}},
            "gemini-2.5-flash does not accept temperature=3.0 (allowed: 0.0 to 2.0)",
        ),
        (
            {"generation_config": GenerationConfig(stop_sequences=list("abcdef"))},
            "gemini-2.5-flash does not accept stop_sequences=['a', 'b', 'c', 'd', 'e', 'f'] "
            "(allowed: at most 5 sequences)",
        ),
        (
            {"generation_config": {"logprobs": 2}},
            "gemini-2.5-flash does not accept logprobs=2 (allowed: only together with "
            "response_logprobs=True)",
        ),
        (
            {"thinking": {"thinking_level": "HIGH"}},
            "gemini-2.5-flash does not accept thinking_level='HIGH' (allowed: none: this model "
            "takes thinking_budget, not thinking_level)",
        ),
    ],
)
def test_agent_errors_name_model_setting_value_and_range(
    agent_options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ModelSettingError) as caught:
        Agent(Gemini("models/gemini-2.5-flash"), **agent_options)
    assert str(caught.value) == message


def test_settings_the_model_accepts_build_an_agent() -> None:
    agent = Agent(
        Gemini("gemini-3-pro-preview"),
        generation_config={"temperature": 1.0, "stop_sequences": ["END"]},
        thinking={"thinking_level": "LOW"},
    )
    assert agent.generation_config is not None
    assert agent.generation_config.to_wire() == {
        "temperature": 1.0,
        "stopSequences": ["END"],
        "thinkingConfig": {"thinkingLevel": "LOW"},
    }


def test_models_outside_the_table_are_left_to_the_server() -> None:
    # No local refusal: the server decides (a tuned model, a model newer than the table).
    Agent(Gemini("tunedModels/my-model"), thinking={"thinking_budget": 0})
    Agent(ScriptedModel(["hi"]), generation_config={"temperature": 9})


def test_the_in_process_emulator_is_judged_by_its_model_name() -> None:
    with pytest.raises(ModelSettingError, match="gemini-2.5-pro does not accept"):
        Agent(InProcessEmulator(["hi"], model="gemini-2.5-pro"), thinking={"thinking_budget": 0})
