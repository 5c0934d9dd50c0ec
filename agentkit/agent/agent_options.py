"""An Agent's constructor arguments, checked and turned into what its runs send.

What a model would refuse for every request — settings out of range, built-in tools beside
function declarations on Gemini 2.x, more than one candidate — is refused here, once, when
the agent is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentkit.errors import ConfigurationError, SchemaDialectError
from agentkit.models.base import Model
from agentkit.schema import clean_json_schema, to_openapi_subset
from agentkit.tools import SchemaDialect, Toolset
from agentkit.tools.builtin import combines_with_functions
from agentkit.types import Content, GenerationConfig, Part, Schema, ThinkingConfig


def check_agent_fits_model(
    model: str, toolset: Toolset, generation_config: GenerationConfig | None
) -> None:
    """Refuse, naming the model, what it would refuse in every request of the agent."""
    if toolset.builtins and toolset.names and not combines_with_functions(model):
        names = ", ".join(builtin.name for builtin in toolset.builtins)
        raise ConfigurationError(
            f"{model} cannot combine built-in tools ({names}) with function declarations in "
            "one request (Gemini 3 models can); give this agent one kind, or use a Gemini 3 "
            "model"
        )
    count = generation_config.candidate_count if generation_config else None
    if count is not None and count != 1:
        # A run continues one conversation: the other candidates could only be dropped.
        raise ConfigurationError(
            f"candidate_count={count}: an agent continues one answer per step, so it "
            "asks for one candidate; for several, call the model directly "
            "(Gemini(...).generate) and choose among them"
        )


def model_for(name: str) -> Model:
    # The shorthand is for trying things: without a key it answers offline, and says so.
    from agentkit.offline import model_for_name

    return model_for_name(name, stacklevel=3)  # the warning points at Agent(...)


def instructions_content(instructions: str | Content | None) -> Content | None:
    if instructions is None or isinstance(instructions, Content):
        return instructions
    return Content(parts=[Part(text=instructions)])


def generation_config_for(
    config: GenerationConfig | Mapping[str, Any] | None,
    thinking: ThinkingConfig | Mapping[str, Any] | None,
    native_output_type: Any,
    dialect: SchemaDialect = "json_schema",
) -> GenerationConfig | None:
    if config is None:
        merged = GenerationConfig()
    elif isinstance(config, GenerationConfig):
        merged = config.model_copy(deep=True)
    else:
        merged = GenerationConfig.model_validate(dict(config))
    if thinking is not None:
        merged.thinking_config = (
            thinking
            if isinstance(thinking, ThinkingConfig)
            else ThinkingConfig.model_validate(dict(thinking))
        )
        config_set = merged.thinking_config
        if config_set.thinking_budget is not None and config_set.thinking_level is not None:
            raise ConfigurationError(
                "set thinking_budget (Gemini 2.5) or thinking_level (Gemini 3), not both"
            )
    if (
        native_output_type is not None
        and merged.response_json_schema is None
        and merged.response_schema is None
    ):
        from pydantic import TypeAdapter

        merged.response_mime_type = "application/json"
        schema = clean_json_schema(TypeAdapter(native_output_type).json_schema())
        if dialect == "openapi":
            # The dialect the agent was asked to speak: the OpenAPI subset as responseSchema
            # (refused here, naming the reason, when the subset cannot say it).
            try:
                merged.response_schema = Schema.model_validate(to_openapi_subset(schema))
            except SchemaDialectError as error:
                raise ConfigurationError(
                    f"output_type cannot be given in the openapi dialect: {error}"
                ) from None
        else:
            merged.response_json_schema = schema
    return merged if merged.model_fields_set else None
