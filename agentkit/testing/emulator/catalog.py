"""The models the emulator serves: agentkit's capability table, or what a test configures.

A request for a model that is not served gets Gemini's 404 on every method (generate,
stream, countTokens, get), so a misspelt model name fails offline as it would live. A test or
a proxy-like set-up can serve other models, or the same ones with other limits, through
``EmulatorOptions(models=...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from agentkit.models.capabilities import ALIASES, FAMILIES, ModelCapabilities, capabilities_for
from agentkit.testing.emulator.errors import Rejection

DEFAULT_MODELS: Mapping[str, ModelCapabilities] = MappingProxyType(
    {model_id: capabilities for model_id, _, capabilities in (*FAMILIES, *ALIASES)}
)


def served_model(
    models: Mapping[str, ModelCapabilities],
    name: str,
    *,
    version: str,
    action: str,
    vertex_resource: str | None = None,
) -> ModelCapabilities:
    """The served model called ``name``, else the 404 Gemini (or Vertex) answers."""
    bare = name.removeprefix("models/")
    capabilities = models.get(bare)
    if capabilities is None and models is DEFAULT_MODELS:
        # The default catalogue answers to every name agentkit's table knows, versioned and
        # dated ones included (gemini-2.0-flash-001, gemini-2.5-flash-preview-09-2025).
        capabilities = capabilities_for(bare)
    if capabilities is not None:
        return capabilities
    if vertex_resource is not None:
        message = (
            f"Publisher Model `{vertex_resource}` was not found or your project does not have "
            "access to it. Please ensure you are using a valid model version. For more "
            "information, see: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/"
            "model-versions"
        )
    else:
        message = (
            f"models/{name.removeprefix('models/')} is not found for API version {version}, "
            f"or is not supported for {action}. Call ListModels to see the list of available "
            "models and their supported methods."
        )
    raise Rejection(message, code=404, status="NOT_FOUND")


def model_entry(model_id: str, capabilities: ModelCapabilities) -> dict[str, Any]:
    """The ``Model`` resource ``GET models/{id}`` returns for a served model."""
    entry: dict[str, Any] = {
        "name": f"models/{model_id}",
        "baseModelId": model_id,
        "version": "001",
        "displayName": capabilities.display_name,
        "description": f"{capabilities.display_name} (emulated)",
        "inputTokenLimit": capabilities.input_token_limit,
        "outputTokenLimit": capabilities.output_token_limit,
        "supportedGenerationMethods": ["generateContent", "countTokens"],
        "temperature": capabilities.temperature,
        "maxTemperature": capabilities.max_temperature,
        "topP": capabilities.top_p,
    }
    if capabilities.top_k is not None:
        entry["topK"] = capabilities.top_k
    entry["thinking"] = capabilities.thinking is not None
    return entry
