"""Tool declarations, the OpenAPI-subset Schema, and the tool-calling configuration."""

from __future__ import annotations

from typing import Any

from agentkit.types._wire import OpenEnum, WireModel


class SchemaType(OpenEnum):
    TYPE_UNSPECIFIED = "TYPE_UNSPECIFIED"
    STRING = "STRING"
    NUMBER = "NUMBER"
    INTEGER = "INTEGER"
    BOOLEAN = "BOOLEAN"
    ARRAY = "ARRAY"
    OBJECT = "OBJECT"
    NULL = "NULL"


class Schema(WireModel):
    """The OpenAPI 3.0 subset Gemini accepts in ``parameters`` and ``responseSchema``.

    Integer-valued limits are int64 in the proto, which JSON may carry as strings; both forms
    are kept as received.
    """

    type: SchemaType | None = None
    format: str | None = None
    title: str | None = None
    description: str | None = None
    nullable: bool | None = None
    enum: list[str] | None = None
    items: Schema | None = None
    min_items: int | str | None = None
    max_items: int | str | None = None
    properties: dict[str, Schema] | None = None
    required: list[str] | None = None
    min_properties: int | str | None = None
    max_properties: int | str | None = None
    min_length: int | str | None = None
    max_length: int | str | None = None
    pattern: str | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    any_of: list[Schema] | None = None
    property_ordering: list[str] | None = None
    default: Any = None
    example: Any = None


class FunctionDeclaration(WireModel):
    """One function the model may call. Exactly one of ``parameters`` (OpenAPI subset) and
    ``parameters_json_schema`` (JSON Schema) describes its arguments."""

    name: str
    description: str | None = None
    parameters: Schema | None = None
    parameters_json_schema: Any = None
    response: Schema | None = None
    response_json_schema: Any = None
    behavior: str | None = None


class Tool(WireModel):
    """A tool entry of the request. Built-in tools are kept as plain objects: agentkit does not
    interpret them, only passes them through."""

    function_declarations: list[FunctionDeclaration] | None = None
    google_search: dict[str, Any] | None = None
    google_search_retrieval: dict[str, Any] | None = None
    code_execution: dict[str, Any] | None = None
    url_context: dict[str, Any] | None = None
    google_maps: dict[str, Any] | None = None
    file_search: dict[str, Any] | None = None
    computer_use: dict[str, Any] | None = None


class FunctionCallingMode(OpenEnum):
    MODE_UNSPECIFIED = "MODE_UNSPECIFIED"
    AUTO = "AUTO"
    ANY = "ANY"
    NONE = "NONE"
    VALIDATED = "VALIDATED"


class FunctionCallingConfig(WireModel):
    mode: FunctionCallingMode | None = None
    allowed_function_names: list[str] | None = None


class ToolConfig(WireModel):
    function_calling_config: FunctionCallingConfig | None = None
    retrieval_config: dict[str, Any] | None = None
    include_server_side_tool_invocations: bool | None = None
