"""Turning pydantic's JSON Schema into what Gemini's ``parametersJsonSchema`` should carry.

Pydantic's output is correct but written for documentation: a ``title`` on every node and
``$ref`` to ``$defs`` for every enum and model. For a model deciding how to call a function,
titles are noise tokens and references are indirection (and Gemini restricts what may stand
beside a ``$ref``). So the schema is rewritten in three steps:

1. Find which definitions are recursive (reachable from themselves); only those must stay
   references.
2. Rebuild the tree: drop ``title`` keywords, inline every non-recursive ``$ref`` (merging a
   ``description``/``default`` that stood beside it), keep everything else as is.
3. Keep ``$defs`` only for the recursive definitions, rewritten the same way.

The input is never modified.
"""

from __future__ import annotations

from typing import Any

_REF_PREFIX = "#/$defs/"
# Keywords whose value is a map of names to schemas (the names are data, not keywords).
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
# Keywords whose value is data, never a schema.
DATA_KEYWORDS = ("enum", "const", "default", "examples", "example", "required")


def clean_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    definitions: dict[str, Any] = schema.get("$defs", {})
    recursive = _recursive_definitions(definitions)  # step 1
    cleaned: dict[str, Any] = _rewrite(schema, definitions, recursive)  # step 2
    cleaned.pop("$defs", None)
    if recursive:  # step 3
        cleaned["$defs"] = {
            name: _rewrite(definitions[name], definitions, recursive) for name in sorted(recursive)
        }
    return cleaned


def _ref_name(ref: Any) -> str | None:
    if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
        return ref[len(_REF_PREFIX) :]
    return None


def _references(node: Any) -> set[str]:
    """Names of all definitions a node refers to, directly or deeper down."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            name = _ref_name(current.get("$ref"))
            if name is not None:
                found.add(name)
            stack.extend(v for k, v in current.items() if k not in DATA_KEYWORDS)
        elif isinstance(current, list):
            stack.extend(current)
    return found


def _recursive_definitions(definitions: dict[str, Any]) -> set[str]:
    direct = {name: _references(body) for name, body in definitions.items()}
    recursive: set[str] = set()
    for start in definitions:
        seen: set[str] = set()
        frontier = list(direct[start])
        while frontier:
            name = frontier.pop()
            if name == start:
                recursive.add(start)
                break
            if name in seen or name not in direct:
                continue
            seen.add(name)
            frontier.extend(direct[name])
    # A definition that only leads into a cycle is inlined; the cycle members stay.
    return recursive


def _rewrite(node: Any, definitions: dict[str, Any], recursive: set[str]) -> Any:
    if isinstance(node, list):
        return [_rewrite(item, definitions, recursive) for item in node]
    if not isinstance(node, dict):
        return node
    name = _ref_name(node.get("$ref"))
    if name is not None and name not in recursive and name in definitions:
        target = _rewrite(definitions[name], definitions, recursive)
        siblings = {k: v for k, v in node.items() if k not in ("$ref", "title")}
        return {**target, **siblings}
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title":
            continue
        if key in SCHEMA_MAPS and isinstance(value, dict):
            result[key] = {k: _rewrite(v, definitions, recursive) for k, v in value.items()}
        elif key in DATA_KEYWORDS:
            result[key] = value
        else:
            result[key] = _rewrite(value, definitions, recursive)
    return result
