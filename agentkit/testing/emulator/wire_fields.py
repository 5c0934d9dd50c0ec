"""Reading request JSON the way the API's parser does.

The API knows a fixed set of fields per message, accepts each under its camelCase JSON name or
its snake_case proto name, and answers anything else with "Unknown name ... Cannot find field".
Field paths in its messages use the snake_case names.
"""

from __future__ import annotations

import re
from typing import Any

from agentkit.testing.emulator.errors import Rejection

# Known fields per message, camelCase; the API also accepts the snake_case proto names.
FIELDS: dict[str, frozenset[str]] = {
    "request": frozenset(
        "contents systemInstruction tools toolConfig safetySettings generationConfig "
        "cachedContent serviceTier model labels".split()
    ),
    "content": frozenset({"role", "parts"}),
    "part": frozenset(
        "text inlineData fileData functionCall functionResponse executableCode "
        "codeExecutionResult toolCall toolResponse thought thoughtSignature videoMetadata "
        "mediaResolution partMetadata".split()
    ),
    "functionCall": frozenset({"id", "name", "args"}),
    "functionResponse": frozenset(
        {"id", "name", "response", "parts", "willContinue", "scheduling"}
    ),
    "tool": frozenset(
        "functionDeclarations googleSearch googleSearchRetrieval codeExecution urlContext "
        "googleMaps fileSearch computerUse mcpServers".split()
    ),
    "functionDeclaration": frozenset(
        "name description parameters parametersJsonSchema response responseJsonSchema "
        "behavior".split()
    ),
    "toolConfig": frozenset(
        {"functionCallingConfig", "retrievalConfig", "includeServerSideToolInvocations"}
    ),
    "functionCallingConfig": frozenset({"mode", "allowedFunctionNames"}),
    "generationConfig": frozenset(
        "temperature topP topK candidateCount maxOutputTokens stopSequences seed "
        "presencePenalty frequencyPenalty responseLogprobs logprobs responseMimeType "
        "responseSchema responseJsonSchema responseModalities thinkingConfig speechConfig "
        "imageConfig mediaResolution enableEnhancedCivicAnswers audioTranscriptionConfig".split()
    ),
    "thinkingConfig": frozenset({"includeThoughts", "thinkingBudget", "thinkingLevel"}),
    "safetySetting": frozenset({"category", "threshold"}),
    # The OpenAPI 3.0 subset of `parameters` / `responseSchema`.
    "schema": frozenset(
        "type format title description nullable enum items minItems maxItems properties "
        "required minProperties maxProperties minLength maxLength pattern minimum maximum "
        "anyOf propertyOrdering default example".split()
    ),
}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def get_field(obj: dict[str, Any], camel_name: str) -> Any:
    """A field by its camelCase name or its snake_case proto name."""
    if camel_name in obj:
        return obj[camel_name]
    return obj.get(snake(camel_name))


def known_fields(obj: Any, kind: str, path: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise Rejection(
            f"Invalid value at '{path}' (type.googleapis.com/google.ai.generativelanguage."
            f"v1beta.{kind[0].upper() + kind[1:]}), {short(obj)}",
            field=path,
        )
    allowed = FIELDS[kind]
    for key in obj:
        if key not in allowed and _camel(key) not in allowed:
            where = f" at '{path}'" if path else ""
            raise Rejection(
                f'Invalid JSON payload received. Unknown name "{key}"{where}: Cannot find field.',
                field=f"{path}.{key}" if path else key,
            )
    return obj


def as_list(obj: Any, path: str) -> list[Any]:
    if obj is None:
        return []
    if not isinstance(obj, list):
        raise Rejection(
            f"Invalid value at '{path}': Starting an object on a repeated field.", field=path
        )
    return obj


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
