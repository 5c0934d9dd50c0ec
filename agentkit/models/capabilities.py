"""What each Gemini model family accepts: token limits, thinking controls, sampling ranges.

One table, read from two sides. agentkit checks an agent's generation settings against it
when the agent is built, and the emulator answers a request that breaks it with the 400 that
Gemini sends, so a setting that fails live fails the same way offline (and, locally, before
any request). A model the table does not know is not judged here: the server decides.

Sources (figures from the docs; messages as users reported them):
- ranges of ``temperature``, ``logprobs``, ``stopSequences`` and the ``topK`` rule:
  https://ai.google.dev/api/generate-content#v1beta.GenerationConfig
- thinking budgets and levels: https://ai.google.dev/gemini-api/docs/thinking and
  https://ai.google.dev/gemini-api/docs/gemini-3
- the request size: https://blog.google/innovation-and-ai/technology/developers-tools/gemini-api-new-file-limits
  (inline payloads went from 20 MB to 100 MB on 2026-01-12)
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from agentkit.errors import ModelSettingError
from agentkit.types import GenerationConfig, ThinkingConfig

# The largest request body Gemini accepts; larger media goes through the Files API.
REQUEST_SIZE_LIMIT = 100 * 1024 * 1024
MAX_STOP_SEQUENCES = 5
LOGPROBS_RANGE = (0, 20)
DYNAMIC_THINKING = -1
_UNSET_LEVEL = "THINKING_LEVEL_UNSPECIFIED"


@dataclass(frozen=True)
class Thinking:
    """How a family's thinking is controlled.

    Attributes:
        budget: the positive ``thinkingBudget`` values accepted (inclusive), or None when any
            positive budget is accepted (Gemini 3 takes budgets for backward compatibility
            and documents no range). ``-1`` (dynamic) is always accepted.
        can_turn_off: whether ``thinkingBudget: 0`` is accepted.
        levels: the ``thinkingLevel`` values accepted; empty means the family takes no
            levels at all (Gemini 2.5).
    """

    budget: tuple[int, int] | None = None
    can_turn_off: bool = True
    levels: tuple[str, ...] = ()

    def allowed_budgets(self) -> str:
        if self.budget is None:
            positive = "a positive number of tokens"
        else:
            positive = f"{self.budget[0]} to {self.budget[1]}"
        if self.can_turn_off:
            return f"0 (off), {positive}, or -1 (dynamic)"
        return f"{positive}, or -1 (dynamic); thinking cannot be turned off on this model"

    def allowed_levels(self) -> str:
        if not self.levels:
            return "none: this model takes thinking_budget, not thinking_level"
        return ", ".join(self.levels)


@dataclass(frozen=True)
class ModelCapabilities:
    """One model family. The defaults are what the models endpoint reports for it.

    ``top_k`` None marks a nucleus-only model, which refuses ``topK`` in requests;
    ``thinking`` None marks a model without thinking, which refuses any ``thinkingConfig``.
    """

    display_name: str
    input_token_limit: int = 1_048_576
    output_token_limit: int = 65_536
    thinking: Thinking | None = None
    top_k: int | None = 64
    temperature: float = 1.0
    max_temperature: float = 2.0
    top_p: float = 0.95

    def replace(self, **changes: Any) -> ModelCapabilities:
        """A copy with some values changed, e.g. a smaller ``input_token_limit`` for a
        proxy that serves less than the model can take."""
        return dataclasses.replace(self, **changes)


# Dated previews: gemini-2.5-flash-preview-05-20, and the month-year form -preview-09-2025.
_PREVIEW = r"(-preview-\d\d-(\d\d|\d{4}))?"
_VERSION = r"(-\d{3})?"

# (canonical id, the version suffixes it also answers to, capabilities)
FAMILIES: tuple[tuple[str, str, ModelCapabilities], ...] = (
    (
        "gemini-2.5-flash",
        _PREVIEW,
        ModelCapabilities("Gemini 2.5 Flash", thinking=Thinking(budget=(1, 24_576))),
    ),
    (
        "gemini-2.5-pro",
        _PREVIEW,
        ModelCapabilities(
            "Gemini 2.5 Pro", thinking=Thinking(budget=(128, 32_768), can_turn_off=False)
        ),
    ),
    (
        "gemini-2.5-flash-lite",
        _PREVIEW,
        ModelCapabilities("Gemini 2.5 Flash-Lite", thinking=Thinking(budget=(512, 24_576))),
    ),
    (
        "gemini-3-flash-preview",
        "",
        ModelCapabilities(
            "Gemini 3 Flash Preview",
            thinking=Thinking(levels=("MINIMAL", "LOW", "MEDIUM", "HIGH")),
        ),
    ),
    (
        "gemini-3-pro-preview",
        "",
        ModelCapabilities(
            "Gemini 3 Pro Preview", thinking=Thinking(can_turn_off=False, levels=("LOW", "HIGH"))
        ),
    ),
    (
        "gemini-3.1-pro-preview",
        "",
        ModelCapabilities(
            "Gemini 3.1 Pro Preview",
            thinking=Thinking(can_turn_off=False, levels=("LOW", "MEDIUM", "HIGH")),
        ),
    ),
    (
        "gemini-2.0-flash",
        _VERSION,
        ModelCapabilities("Gemini 2.0 Flash", output_token_limit=8_192, top_k=40),
    ),
    (
        "gemini-2.0-flash-lite",
        _VERSION,
        ModelCapabilities("Gemini 2.0 Flash-Lite", output_token_limit=8_192, top_k=40),
    ),
)
# Google's moving aliases (gemini-flash-latest, ...) point at whichever model is newest, so the
# table cannot say what they refuse: they are served, and their settings are left to Gemini.
_ALIAS = ModelCapabilities(
    "Latest alias",
    thinking=Thinking(levels=("MINIMAL", "LOW", "MEDIUM", "HIGH")),
)
ALIASES: tuple[tuple[str, str, ModelCapabilities], ...] = tuple(
    (alias, "", _ALIAS)
    for alias in ("gemini-flash-latest", "gemini-flash-lite-latest", "gemini-pro-latest")
)
MODEL_IDS: tuple[str, ...] = tuple(model_id for model_id, _, _ in FAMILIES)
_MATCHERS = tuple(
    (re.compile(re.escape(model_id) + suffix), capabilities)
    for model_id, suffix, capabilities in (*FAMILIES, *ALIASES)
)


def takes_media_in_function_responses(model: str) -> bool:
    """Whether the model reads images and files inside a ``functionResponse`` (Gemini 3's
    multimodal function responses). Gemini 1.x and 2.x do not: a tool's media then travel
    beside the responses, in the same user turn, where every model reads them."""
    name = model.removeprefix("models/")
    return not name.startswith(("gemini-1", "gemini-2"))


def capabilities_for(model: str) -> ModelCapabilities | None:
    """The family of a model id (``models/`` prefix and version suffixes allowed), or None
    for a model the table does not know."""
    name = model.removeprefix("models/")
    for pattern, capabilities in _MATCHERS:
        if pattern.fullmatch(name):
            return capabilities
    return None


@dataclass(frozen=True)
class SettingViolation:
    """A generation setting the model refuses.

    ``setting`` is agentkit's name for it (``GenerationConfig`` field), ``field`` the path the
    API reports, ``api_message`` what Gemini answers, ``allowed`` what would be accepted.
    """

    setting: str
    value: object
    allowed: str
    field: str
    api_message: str


def find_violation(
    capabilities: ModelCapabilities, config: GenerationConfig | None
) -> SettingViolation | None:
    """The first setting of ``config`` that the model refuses, or None when all are fine."""
    if config is None:
        return None
    for found in (
        _temperature(capabilities, config.temperature),
        _top_k(capabilities, config.top_k),
        _stop_sequences(config.stop_sequences),
        _logprobs(config.response_logprobs, config.logprobs),
    ):
        if found is not None:
            return found
    if config.thinking_config is not None:
        return _thinking(capabilities.thinking, config.thinking_config)
    return None


def check_settings(model: str, config: GenerationConfig | None) -> None:
    """Raise ``ModelSettingError`` when ``model`` is a known family and refuses a setting.

    Called when an agent is built, so a setting that Gemini would refuse on every request
    fails once, naming the model, the setting, the value and what is allowed.
    """
    capabilities = capabilities_for(model)
    if capabilities is None:
        return
    violation = find_violation(capabilities, config)
    if violation is not None:
        raise ModelSettingError(
            model.removeprefix("models/"), violation.setting, violation.value, violation.allowed
        )


def _temperature(capabilities: ModelCapabilities, value: float | None) -> SettingViolation | None:
    top = capabilities.max_temperature
    if value is None or 0.0 <= value <= top:
        return None
    return SettingViolation(
        "temperature",
        value,
        f"0.0 to {top}",
        "generation_config.temperature",
        # Wording as measured on Google's Code Assist backend; not confirmed on this API.
        f"temperature must be in the range [0.0, {top}]",
    )


def _top_k(capabilities: ModelCapabilities, value: int | None) -> SettingViolation | None:
    if value is None or capabilities.top_k is not None:
        return None
    return SettingViolation(
        "top_k",
        value,
        "none: this model samples by top_p only",
        "generation_config.top_k",
        "top_k is not supported by this model.",
    )


def _stop_sequences(value: list[str] | None) -> SettingViolation | None:
    if value is None or len(value) <= MAX_STOP_SEQUENCES:
        return None
    return SettingViolation(
        "stop_sequences",
        value,
        f"at most {MAX_STOP_SEQUENCES} sequences",
        "generation_config.stop_sequences",
        f"the number of stop_sequences must not exceed {MAX_STOP_SEQUENCES}",
    )


def _logprobs(response_logprobs: bool | None, value: int | None) -> SettingViolation | None:
    if value is None:
        return None
    low, high = LOGPROBS_RANGE
    if not response_logprobs:
        return SettingViolation(
            "logprobs",
            value,
            "only together with response_logprobs=True",
            "generation_config.logprobs",
            "logprobs is only valid when response_logprobs is true.",
        )
    if not low <= value <= high:
        return SettingViolation(
            "logprobs",
            value,
            f"{low} to {high}",
            "generation_config.logprobs",
            f"logprobs must be in the range [{low}, {high}].",
        )
    return None


def _thinking(thinking: Thinking | None, config: ThinkingConfig) -> SettingViolation | None:
    path = "generation_config.thinking_config"
    if thinking is None:
        return SettingViolation(
            "thinking",
            config.to_wire(),
            "nothing: this model does not think",
            path,
            "Unable to submit request because thinking is not supported by this model. "
            "Learn more: https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini",
        )
    level = str(config.thinking_level).upper() if config.thinking_level is not None else None
    if level is not None and level != _UNSET_LEVEL:
        if not thinking.levels:
            return SettingViolation(
                "thinking_level",
                level,
                thinking.allowed_levels(),
                f"{path}.thinking_level",
                "Thinking level is not supported for this model.",
            )
        if level not in thinking.levels:
            return SettingViolation(
                "thinking_level",
                level,
                thinking.allowed_levels(),
                f"{path}.thinking_level",
                f"thinking_level {level} is not supported by this model.",
            )
    return _budget(thinking, config.thinking_budget, f"{path}.thinking_budget")


def _budget(thinking: Thinking, budget: int | None, path: str) -> SettingViolation | None:
    if budget is None or budget == DYNAMIC_THINKING:
        return None
    if budget == 0:
        if thinking.can_turn_off:
            return None
        message = "Budget 0 is invalid. This model only works in thinking mode."
    elif budget > 0 and (
        thinking.budget is None or thinking.budget[0] <= budget <= thinking.budget[1]
    ):
        return None
    else:
        message = f"The thinking budget ({budget}) is invalid."
    return SettingViolation("thinking_budget", budget, thinking.allowed_budgets(), path, message)


__all__ = [
    "FAMILIES",
    "MODEL_IDS",
    "REQUEST_SIZE_LIMIT",
    "ModelCapabilities",
    "SettingViolation",
    "Thinking",
    "capabilities_for",
    "check_settings",
    "find_violation",
]
