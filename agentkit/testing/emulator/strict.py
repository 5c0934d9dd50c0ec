"""The checks the real API makes on a generateContent body, with its kinds of 400 answers.

Each check raises ``Rejection`` with a Gemini-shaped message and the offending field path
(snake_case, as the API reports it). The order follows how the API reads a request:
structure and unknown fields first, then declarations and schemas, then turn rules.
"""

from __future__ import annotations

import re
from typing import Any

from agentkit.testing.emulator.errors import Rejection
from agentkit.testing.emulator.schema_rules import check_json_schema, check_subset_schema
from agentkit.testing.emulator.wire_fields import as_list, get_field, known_fields, short, snake

_DATA_FIELDS = (
    "text inlineData fileData functionCall functionResponse executableCode "
    "codeExecutionResult toolCall toolResponse".split()
)
_MODES = frozenset({"MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"})
FUNCTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$")


def check_generate_request(body: Any) -> None:
    """Raise ``Rejection`` for what the real generateContent endpoint refuses."""
    if not isinstance(body, dict):
        raise Rejection("Invalid JSON payload received. Expected an object.")
    known_fields(body, "request", "")
    contents = as_list(get_field(body, "contents"), "contents")
    if not contents:
        raise Rejection(
            "* GenerateContentRequest.contents: contents is not specified\n", field="contents"
        )
    for index, content in enumerate(contents):
        check_content(content, f"contents[{index}]")
    instruction = get_field(body, "systemInstruction")
    if instruction is not None:
        check_content(instruction, "system_instruction", role_required=False)
    names = check_tools(as_list(get_field(body, "tools"), "tools"))
    check_tool_config(get_field(body, "toolConfig"), names)
    check_generation_config(get_field(body, "generationConfig"))
    for index, setting in enumerate(as_list(get_field(body, "safetySettings"), "safety_settings")):
        known_fields(setting, "safetySetting", f"safety_settings[{index}]")
    check_turns(contents)


# -- contents -------------------------------------------------------------------------------


def check_content(content: Any, path: str, *, role_required: bool = True) -> None:
    known_fields(content, "content", path)
    role = content.get("role")
    if role_required and role not in (None, "user", "model", "function"):
        raise Rejection(
            f"Please use a valid role: user, model. Got {role!r}.", field=f"{path}.role"
        )
    parts = as_list(content.get("parts"), f"{path}.parts")
    if not parts:
        raise Rejection(
            f"* GenerateContentRequest.{path}.parts: contents.parts must not be empty.\n",
            field=f"{path}.parts",
        )
    for position, part in enumerate(parts):
        check_part(part, f"{path}.parts[{position}]")


def check_part(part: Any, path: str) -> None:
    known_fields(part, "part", path)
    present = [name for name in _DATA_FIELDS if get_field(part, name) is not None]
    if not present:
        raise Rejection(
            f"* GenerateContentRequest.{path}: required oneof field 'data' must have one "
            "initialized field\n",
            field=path,
        )
    if len(present) > 1:
        raise Rejection(
            f"Invalid value at '{path}': oneof field 'data' is already set. Cannot set "
            f"'{snake(present[1])}'",
            field=path,
        )
    if "thoughtSignature" in part and not isinstance(part["thoughtSignature"], str):
        raise Rejection(f"Invalid value at '{path}.thought_signature' (TYPE_BYTES)", field=path)
    call = get_field(part, "functionCall")
    if call is not None:
        known_fields(call, "functionCall", f"{path}.function_call")
        if not call.get("name"):
            raise Rejection(
                f"* GenerateContentRequest.{path}.function_call.name: Name cannot be empty.\n",
                field=f"{path}.function_call.name",
            )
        if call.get("args") is not None and not isinstance(call["args"], dict):
            raise Rejection(
                f"Invalid value at '{path}.function_call.args' "
                f"(type.googleapis.com/google.protobuf.Struct), {short(call['args'])}",
                field=f"{path}.function_call.args",
            )
    answer = get_field(part, "functionResponse")
    if answer is not None:
        known_fields(answer, "functionResponse", f"{path}.function_response")
        if not answer.get("name"):
            raise Rejection(
                f"* GenerateContentRequest.{path}.function_response.name: Name cannot be empty.\n",
                field=f"{path}.function_response.name",
            )
        if not isinstance(answer.get("response"), dict):
            raise Rejection(
                f"Invalid value at '{path}.function_response.response' "
                f"(type.googleapis.com/google.protobuf.Struct), {short(answer.get('response'))}",
                field=f"{path}.function_response.response",
            )


def check_turns(contents: list[dict[str, Any]]) -> None:
    """Turn order and call/response pairing (protocol reference §4.2)."""
    first_role = contents[0].get("role", "user")
    if first_role == "model":
        raise Rejection(
            "Please ensure that multiturn requests start with a user turn: contents[0] has "
            "role 'model'.",
            field="contents[0].role",
        )
    for index, content in enumerate(contents):
        calls = _calls(content)
        responses = _responses(content)
        previous = contents[index - 1] if index else None
        if calls:
            if previous is None or _is_model(previous):
                raise Rejection(
                    "Please ensure that function call turn comes immediately after a user "
                    "turn or after a function response turn.",
                    field=f"contents[{index}]",
                )
            following = contents[index + 1] if index + 1 < len(contents) else None
            if following is None or not _responses(following):
                raise Rejection(
                    "Please ensure that function response turn comes immediately after a "
                    f"function call turn. contents[{index}] has {len(calls)} function call(s) "
                    "with no function response turn after it.",
                    field=f"contents[{index + 1}]",
                )
        if responses:
            if previous is None or not _calls(previous):
                raise Rejection(
                    "Please ensure that function response turn comes immediately after a "
                    "function call turn.",
                    field=f"contents[{index}]",
                )
            _check_pairing(_calls(previous), responses, index)


def _check_pairing(
    calls: list[dict[str, Any]], responses: list[dict[str, Any]], index: int
) -> None:
    if len(responses) != len(calls):
        raise Rejection(
            "Please ensure that the number of function response parts is equal to the number "
            f"of function call parts of the function call turn. (contents[{index - 1}] has "
            f"{len(calls)} call(s), contents[{index}] has {len(responses)} response(s))",
            field=f"contents[{index}]",
        )
    call_ids = [c.get("id") for c in calls if c.get("id") is not None]
    for position, answer in enumerate(responses):
        name = answer.get("name")
        answer_id = answer.get("id")
        if call_ids:
            if answer_id not in call_ids:
                raise Rejection(
                    f"function response id {answer_id!r} at contents[{index}] does not match "
                    "any function call id of the function call turn "
                    f"({', '.join(map(str, call_ids))}).",
                    field=f"contents[{index}].parts[{position}].function_response.id",
                )
            matching = next(c for c in calls if c.get("id") == answer_id)
            if matching.get("name") != name:
                raise Rejection(
                    f"function response {answer_id!r} names {name!r} but the call with that id "
                    f"named {matching.get('name')!r}.",
                    field=f"contents[{index}].parts[{position}].function_response.name",
                )
        elif name not in {c.get("name") for c in calls}:
            raise Rejection(
                f"function response name {name!r} at contents[{index}] matches no function call "
                "of the function call turn.",
                field=f"contents[{index}].parts[{position}].function_response.name",
            )


def _is_model(content: dict[str, Any]) -> bool:
    return content.get("role") == "model"


def _calls(content: dict[str, Any]) -> list[dict[str, Any]]:
    if not _is_model(content):
        return []
    return [
        c for p in content.get("parts") or () if (c := get_field(p, "functionCall")) is not None
    ]


def _responses(content: dict[str, Any]) -> list[dict[str, Any]]:
    if _is_model(content):
        return []
    return [
        r for p in content.get("parts") or () if (r := get_field(p, "functionResponse")) is not None
    ]


# -- tools and schemas ----------------------------------------------------------------------


def check_tools(tools: list[Any]) -> set[str]:
    """Check declarations; return the declared function names."""
    names: set[str] = set()
    for tool_index, tool in enumerate(tools):
        path = f"tools[{tool_index}]"
        known_fields(tool, "tool", path)
        declarations = get_field(tool, "functionDeclarations")
        for index, declaration in enumerate(as_list(declarations, f"{path}.function_declarations")):
            where = f"{path}.function_declarations[{index}]"
            name = check_declaration(declaration, where)
            if name in names:
                raise Rejection(f"Duplicate function declaration found: {name}", field=where)
            names.add(name)
    return names


def check_declaration(declaration: Any, path: str) -> str:
    known_fields(declaration, "functionDeclaration", path)
    name = declaration.get("name")
    if not isinstance(name, str) or not FUNCTION_NAME.match(name):
        raise Rejection(
            f"* GenerateContentRequest.{path}.name: Invalid function name. Must start with a "
            "letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), "
            "dots (.), colons (:), or dashes (-), with a maximum length of 64.\n",
            field=f"{path}.name",
        )
    for subset, json_schema, label in (
        ("parameters", "parametersJsonSchema", "parameters"),
        ("response", "responseJsonSchema", "response"),
    ):
        subset_value = get_field(declaration, subset)
        json_value = get_field(declaration, json_schema)
        if subset_value is not None and json_value is not None:
            raise Rejection(
                f"* GenerateContentRequest.{path}: {label} and {snake(json_schema)} are "
                "mutually exclusive; set only one.\n",
                field=path,
            )
        if subset_value is not None:
            check_subset_schema(subset_value, f"{path}.{subset}")
        if json_value is not None:
            check_json_schema(
                json_value, f"{path}.{snake(json_schema)}", root_object=subset == "parameters"
            )
    return name


# -- configuration --------------------------------------------------------------------------


def check_tool_config(config: Any, declared: set[str]) -> None:
    if config is None:
        return
    known_fields(config, "toolConfig", "tool_config")
    calling = get_field(config, "functionCallingConfig")
    if calling is None:
        return
    path = "tool_config.function_calling_config"
    known_fields(calling, "functionCallingConfig", path)
    mode = calling.get("mode", "AUTO")
    if not isinstance(mode, str) or mode.upper() not in _MODES:
        raise Rejection(
            f"Invalid value at '{path}.mode' (type.googleapis.com/google.ai.generativelanguage."
            f"v1beta.FunctionCallingConfig.Mode), {short(mode)}",
            field=f"{path}.mode",
        )
    allowed = as_list(get_field(calling, "allowedFunctionNames"), f"{path}.allowed_function_names")
    if allowed and mode.upper() not in ("ANY", "VALIDATED"):
        raise Rejection(
            f"* GenerateContentRequest.{path}.allowed_function_names: allowed_function_names "
            "may only be set when the mode is ANY or VALIDATED.\n",
            field=f"{path}.allowed_function_names",
        )
    for index, name in enumerate(allowed):
        if name not in declared:
            raise Rejection(
                f"* GenerateContentRequest.{path}.allowed_function_names[{index}]: function "
                f"{name!r} is not declared in tools.\n",
                field=f"{path}.allowed_function_names[{index}]",
            )
    if mode.upper() == "ANY" and not declared:
        raise Rejection(
            f"* GenerateContentRequest.{path}.mode: mode ANY requires at least one function "
            "declaration.\n",
            field=f"{path}.mode",
        )


def check_generation_config(config: Any) -> None:
    if config is None:
        return
    known_fields(config, "generationConfig", "generation_config")
    thinking = get_field(config, "thinkingConfig")
    if thinking is not None:
        known_fields(thinking, "thinkingConfig", "generation_config.thinking_config")
        if (
            get_field(thinking, "thinkingBudget") is not None
            and get_field(thinking, "thinkingLevel") is not None
        ):
            raise Rejection(
                "* GenerateContentRequest.generation_config.thinking_config: set either "
                "thinking_budget or thinking_level, not both.\n",
                field="generation_config.thinking_config",
            )
    subset = get_field(config, "responseSchema")
    json_schema = get_field(config, "responseJsonSchema")
    if subset is not None and json_schema is not None:
        raise Rejection(
            "* GenerateContentRequest.generation_config: response_schema and "
            "response_json_schema are mutually exclusive.\n",
            field="generation_config",
        )
    if subset is not None or json_schema is not None:
        mime = get_field(config, "responseMimeType")
        if mime not in ("application/json", "text/x.enum"):
            raise Rejection(
                "* GenerateContentRequest.generation_config.response_mime_type: a response "
                "schema requires response_mime_type 'application/json' or 'text/x.enum'.\n",
                field="generation_config.response_mime_type",
            )
    if subset is not None:
        check_subset_schema(subset, "generation_config.response_schema")
    if json_schema is not None:
        check_json_schema(json_schema, "generation_config.response_json_schema", root_object=False)


BUILTIN_TOOL_FIELDS = (
    "googleSearch",
    "google_search",
    "codeExecution",
    "code_execution",
    "urlContext",
    "url_context",
    "googleSearchRetrieval",
    "googleMaps",
    "fileSearch",
)


def check_tool_combination(payload: Any, model: str) -> None:
    """Gemini 2.x answers built-in tools beside function declarations with this 400
    (Gemini 3 takes both)."""
    tools = payload.get("tools") if isinstance(payload, dict) else None
    if not isinstance(tools, list) or model.removeprefix("models/").startswith("gemini-3"):
        return
    declares = any(
        isinstance(t, dict) and (t.get("functionDeclarations") or t.get("function_declarations"))
        for t in tools
    )
    builtin = any(isinstance(t, dict) and any(k in t for k in BUILTIN_TOOL_FIELDS) for t in tools)
    if declares and builtin:
        raise Rejection("Tool use with function calling is unsupported", field="tools")
