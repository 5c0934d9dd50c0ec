"""Making an MCP server's JSON Schemas into declarations Gemini accepts.

MCP servers write their tool schemas for any JSON Schema reader: a ``$schema`` on every
schema a TypeScript server sends, ``definitions`` or ``$defs`` with references (also to
``#/properties/...``, which zod writes for a schema used twice), ``allOf`` pieces, a missing
``type``. Gemini's JSON Schema dialect restricts ``$ref`` and ignores what it does not know;
its OpenAPI subset refuses almost all of it. Each input schema is normalised in these steps,
and the result serves both dialects (the OpenAPI subset is compiled from it by
``to_openapi_subset``, which refuses, naming the node, what the subset cannot say):

1. The root must describe an object (the arguments); a missing ``type`` there is ``object``,
   a missing schema is an object without properties.
2. Every local reference is given a name in ``$defs``: ``#/definitions/X`` and any other
   local JSON pointer (``#/properties/a/items``) become ``#/$defs/...``. A reference to the
   whole schema (``#``) or to another document cannot be followed: refused.
3. ``clean_json_schema`` inlines every reference that is not recursive, drops ``title``
   noise, and keeps only the recursive definitions.
4. Keywords that only annotate (``$schema``, ``$id``, ``$comment``, ``examples``,
   ``deprecated``, ``readOnly``...) are dropped; they carry nothing a caller must obey.
5. ``allOf`` branches that are plain object pieces are merged into their parent (properties
   and ``required`` united); any other ``allOf`` is kept for the JSON dialect.
6. A node with ``properties`` and no ``type`` is an object; one with ``items`` an array.
7. A ``$ref`` that stays (a recursive one) may carry only ``description`` and ``default``
   beside it in Gemini's dialect; other keywords there (``maxProperties``, ``type``...) keep
   their meaning by moving the reference into a one-branch ``anyOf`` beside them.

Tool names Gemini refuses (characters outside ``[A-Za-z0-9_.:-]``, a leading digit, more
than 63 characters) are mapped to names it accepts; ``ToolNames`` keeps both directions so
a call comes back to the server under the server's own name.
"""

from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

from agentkit.schema import clean_json_schema
from agentkit.schema.json_schema import DATA_KEYWORDS, SCHEMA_MAPS

ANNOTATION_KEYWORDS = frozenset(
    "$schema $id $comment $anchor $vocabulary examples deprecated readOnly writeOnly "
    "contentMediaType contentEncoding".split()
)
_GEMINI_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,62}")
_NOT_IN_A_NAME = re.compile(r"[^A-Za-z0-9_.:-]")


class SchemaRefused(ValueError):
    """A schema that cannot be made a declaration; the message says why."""


def input_schema(schema: Any) -> dict[str, Any]:
    """The declaration's ``parametersJsonSchema`` for an MCP tool's ``inputSchema``."""
    if schema is None:
        return {"type": "object", "properties": {}}
    if not isinstance(schema, dict):
        raise SchemaRefused(f"its inputSchema is a {type(schema).__name__}, not an object")
    schema = copy.deepcopy(schema)
    kind = schema.get("type", "object")  # step 1
    if kind != "object":
        raise SchemaRefused(f"its inputSchema describes {kind!r}, not an object of arguments")
    schema["type"] = "object"
    return _normalise(schema)


def output_schema(schema: Any) -> dict[str, Any] | None:
    """The ``responseJsonSchema`` for an MCP tool's ``outputSchema``, or None when it has
    none or it cannot be said: a response schema is a hint to the model, never required."""
    if not isinstance(schema, dict):
        return None
    try:
        return _normalise(copy.deepcopy(schema))
    except SchemaRefused:
        return None


def _normalise(schema: dict[str, Any]) -> dict[str, Any]:
    named = _name_references(schema)  # step 2
    cleaned = clean_json_schema(named)  # step 3
    result: dict[str, Any] = _tidy(cleaned)  # steps 4 to 6
    return result


# -- step 2: every local reference into $defs ---------------------------------------------------


def _name_references(root: dict[str, Any]) -> dict[str, Any]:
    # Definitions get names that need no escaping in a pointer (``a/b`` and ``a~b`` would
    # need ``~1`` and ``~0``, which the rest of the pipeline does not read): letters, digits, _.
    found: dict[str, Any] = {}
    for key in ("$defs", "definitions"):
        table = root.pop(key, None)
        if table is None:
            continue
        if not isinstance(table, dict):
            raise SchemaRefused(f"its {key} is a {type(table).__name__}, not a table of schemas")
        for name, body in table.items():
            found.setdefault(str(name), body)
    definitions: dict[str, Any] = {}
    safe: dict[str, str] = {}
    for name, body in found.items():
        safe[name] = _free_name(re.sub(r"\W", "_", name) or "_", definitions)
        definitions[safe[name]] = _as_schema(body, f"definition {name!r}")
    pointers: dict[str, str] = {}  # a JSON pointer -> its name in $defs

    def rename(ref: str) -> str:
        if ref in ("#", "#/"):
            raise SchemaRefused("it refers to itself as a whole ('$ref': '#')")
        if not ref.startswith("#/"):
            raise SchemaRefused(f"it refers to another document ({ref!r})")
        for prefix in ("#/$defs/", "#/definitions/"):
            if ref.startswith(prefix) and "/" not in ref[len(prefix) :]:
                name = _unescape(ref[len(prefix) :])
                if name not in safe:
                    raise SchemaRefused(f"its reference {ref!r} leads nowhere")
                return f"#/$defs/{safe[name]}"
        known = pointers.get(ref)
        if known is None:
            target = _follow(root, found, ref)
            known = pointers[ref] = _free_name("ref" + re.sub(r"\W+", "_", ref[1:]), definitions)
            definitions[known] = _as_schema(copy.deepcopy(target), f"reference {ref!r}")
        return f"#/$defs/{known}"

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                result[key] = rename(value)
            elif key in SCHEMA_MAPS and isinstance(value, dict):
                result[key] = {name: walk(child) for name, child in value.items()}
            elif key in DATA_KEYWORDS:
                result[key] = value
            else:
                result[key] = walk(value)
        return result

    walked: dict[str, Any] = walk(root)
    # Definitions made from pointers may hold references themselves: walk until none is new.
    done: set[str] = set()
    while set(definitions) - done:
        for name in sorted(set(definitions) - done):
            definitions[name] = walk(definitions[name])
            done.add(name)
    if definitions:
        walked["$defs"] = definitions
    return walked


def _as_schema(body: Any, what: str) -> dict[str, Any]:
    """A schema as a dict: ``true`` admits anything, ``false`` nothing."""
    if body is True:
        return {}
    if body is False:
        return {"not": {}}
    if not isinstance(body, dict):
        raise SchemaRefused(f"its {what} is a {type(body).__name__}, not a schema")
    return body


def _follow(root: dict[str, Any], definitions: dict[str, Any], ref: str) -> Any:
    node: Any = {**root, "$defs": definitions, "definitions": definitions}
    for token in ref[2:].split("/"):
        token = _unescape(token)
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise SchemaRefused(f"its reference {ref!r} leads nowhere")
    if not isinstance(node, dict | bool):
        raise SchemaRefused(f"its reference {ref!r} does not lead to a schema")
    return node


def _free_name(base: str, taken: dict[str, Any]) -> str:
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    return name


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


# -- steps 4 to 6 -------------------------------------------------------------------------------


def _tidy(node: Any) -> Any:
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in ANNOTATION_KEYWORDS:  # step 4
            continue
        if key in SCHEMA_MAPS and isinstance(value, dict):
            result[key] = {name: _tidy(child) for name, child in value.items()}
        elif key in DATA_KEYWORDS:
            result[key] = value
        else:
            result[key] = _tidy(value)
    _merge_object_pieces(result)  # step 5
    if "type" not in result and "$ref" not in result:  # step 6
        if "properties" in result:
            result["type"] = "object"
        elif "items" in result:
            result["type"] = "array"
    return _ref_alone(result)  # step 7


REF_SIBLINGS = frozenset({"$ref", "description", "default"})


def _ref_alone(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in node or node.keys() <= REF_SIBLINGS:
        return node
    beside = {key: value for key, value in node.items() if key != "$ref"}
    branch = [{"$ref": node["$ref"]}]
    # Both must hold: the reference and what stands beside it. With an ``anyOf`` or ``allOf``
    # already there, the reference joins (or makes) the ``allOf``, so nothing changes meaning.
    if "anyOf" in beside or "allOf" in beside:
        beside["allOf"] = branch + beside.get("allOf", [])
    else:
        beside["anyOf"] = branch
    return beside


_PIECE_KEYS = frozenset({"type", "properties", "required", "description", "additionalProperties"})


def _merge_object_pieces(node: dict[str, Any]) -> None:
    pieces = node.get("allOf")
    if not isinstance(pieces, list) or not pieces:
        return
    if not all(isinstance(p, dict) and set(p) <= _PIECE_KEYS for p in pieces):
        return
    if any(p.get("type", "object") != "object" for p in pieces):
        return
    if node.get("type", "object") != "object":
        return
    properties: dict[str, Any] = dict(node.get("properties", {}))
    required: list[str] = list(node.get("required", []))
    for piece in pieces:
        for name, child in piece.get("properties", {}).items():
            if name in properties and properties[name] != child:
                return  # two pieces say different things of one property: keep allOf
            properties[name] = child
        required += [r for r in piece.get("required", []) if r not in required]
        if piece.get("additionalProperties") is False:
            return  # "no other properties" per piece is not "no other" for the union
    del node["allOf"]
    node["type"] = "object"
    node["properties"] = properties
    if required:
        node["required"] = required
    descriptions = [p["description"] for p in pieces if "description" in p]
    if descriptions and "description" not in node:
        node["description"] = " ".join(descriptions)


# -- names --------------------------------------------------------------------------------------


class ToolNames:
    """The server's tool names and the names Gemini is given, both ways.

    A name Gemini accepts is kept as it is. Any other has its forbidden characters replaced
    by ``_`` (a leading digit gets a ``_`` before it) and, when that is too long or already
    taken, is cut and given the first 8 hex digits of the original's SHA-1, so the same
    server always yields the same names.
    """

    def __init__(self) -> None:
        self.to_gemini: dict[str, str] = {}
        self.to_server: dict[str, str] = {}

    def add(self, server_name: str) -> str:
        existing = self.to_gemini.get(server_name)
        if existing is not None:
            return existing
        name = server_name
        if not _GEMINI_NAME.fullmatch(name) or name in self.to_server:
            name = _NOT_IN_A_NAME.sub("_", server_name) or "_"
            if not re.match(r"[A-Za-z_]", name):
                name = "_" + name
            if len(name) > 63 or name in self.to_server:
                digest = hashlib.sha1(server_name.encode()).hexdigest()[:8]
                name = f"{name[:54]}_{digest}"
        self.to_gemini[server_name] = name
        self.to_server[name] = server_name
        return name
