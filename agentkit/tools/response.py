"""The response schema a tool declares: its return annotation as JSON Schema, when that helps.

A return annotation is a hint to the model about what comes back, not a contract the API
enforces; so nothing about it may stop a tool from being defined. What has a JSON Schema is
declared (a tuple as ``prefixItems``); what says nothing the model does not know (a bare dict
or list, ``Any``, ``None``) is left out; what pydantic cannot describe (``Self`` outside a
class, an arbitrary class) is left out too, with a debug line saying why.
"""

from __future__ import annotations

import inspect
from typing import Any, get_args, get_origin

from pydantic import TypeAdapter

from agentkit.logs import get_logger
from agentkit.schema import clean_json_schema
from agentkit.schema.generator import ToolJsonSchema

_UNINFORMATIVE = (inspect.Signature.empty, None, type(None), Any, dict, list, object)


def response_schema(tool_name: str, annotation: Any) -> dict[str, Any] | None:
    """The return annotation as JSON Schema; None when there is nothing useful to declare,
    or nothing that can be. Never raises."""
    try:
        if _says_nothing(annotation):
            return None
        raw = TypeAdapter(annotation).json_schema(schema_generator=ToolJsonSchema)
        schema = clean_json_schema(raw)
    except Exception as error:
        lines = str(error).strip().splitlines()
        get_logger().debug(
            "tool.response_schema_omitted",
            tool=tool_name,
            annotation=repr(annotation),
            reason=lines[0] if lines else type(error).__name__,
        )
        return None
    return schema if _is_informative(schema) else None


def _says_nothing(annotation: Any) -> bool:
    """Known without building a schema: nothing, anything, or a bare dict or list of it."""
    if annotation in _UNINFORMATIVE:  # (an annotation whose == raises: the caller's except)
        return True
    arguments = get_args(annotation)
    return get_origin(annotation) in (dict, list) and bool(arguments) and arguments[-1] is Any


def _is_informative(schema: dict[str, Any]) -> bool:
    """A bare ``dict``, ``list`` or ``Any`` says nothing the model does not already know."""
    if not schema or schema.get("additionalProperties") is True and "properties" not in schema:
        return False
    if schema.get("type") == "array":
        return schema.get("items") not in (None, {}) or bool(schema.get("prefixItems"))
    return True
