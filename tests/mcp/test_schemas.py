"""MCP schemas as Gemini declarations: every tool of seven real servers, in both dialects,
accepted by the emulator's rules; and each conversion step on its own."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from agentkit.mcp.schemas import SchemaRefused, ToolNames, input_schema, output_schema
from agentkit.schema import to_openapi_subset
from agentkit.testing.emulator.schema_rules import check_json_schema, check_subset_schema

FIXTURES = Path(__file__).parent / "fixtures"
SERVERS = sorted(path.stem for path in FIXTURES.glob("*.json"))
# Tool counts of the servers as installed when the fixtures were recorded (tools/list).
COUNTS = {
    "everything": 13,
    "fetch": 1,
    "filesystem": 14,
    "git": 12,
    "memory": 9,
    "sequential-thinking": 1,
    "time": 2,
}


def _tools(server: str) -> list[dict[str, Any]]:
    tools: list[dict[str, Any]] = json.loads((FIXTURES / f"{server}.json").read_text())["tools"]
    return tools


@pytest.mark.parametrize("server", SERVERS)
def test_every_tool_of_a_real_server_converts_in_both_dialects(server: str) -> None:
    tools = _tools(server)
    assert len(tools) == COUNTS[server]
    for listed in tools:
        parameters = input_schema(listed.get("inputSchema"))
        check_json_schema(parameters, "parametersJsonSchema", root_object=True)
        subset = to_openapi_subset(parameters)
        check_subset_schema(subset, "parameters")
        assert "$schema" not in json.dumps(parameters)
        if "outputSchema" in listed:
            response = output_schema(listed["outputSchema"])
            assert response is not None
            check_json_schema(response, "responseJsonSchema", root_object=False)


def test_the_servers_cover_the_schema_features_that_break_naive_clients() -> None:
    raw = json.dumps([_tools(server) for server in SERVERS])
    assert sum(1 for s in SERVERS for t in _tools(s) if "$schema" in t["inputSchema"]) == 37
    for feature in ('"$schema"', '"anyOf"', '"additionalProperties"', '"default"'):
        assert feature in raw


def test_references_are_inlined_and_meta_keywords_dropped() -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "urn:x",
        "type": "object",
        "properties": {
            "first": {"$ref": "#/definitions/point", "description": "Where it starts."},
            "second": {"$ref": "#/properties/first"},
            "path": {"type": "array", "items": {"anyOf": [{"$ref": "#/definitions/point"}, {"type": "null"}]}},
        },
        "definitions": {
            "point": {
                "type": "object",
                "$comment": "x and y",
                "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                "examples": [{"x": 1, "y": 2}],
            }
        },
    }
    point = {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "number"}}}
    assert input_schema(schema) == {
        "type": "object",
        "properties": {
            "first": {**point, "description": "Where it starts."},
            "second": {**point, "description": "Where it starts."},
            "path": {"type": "array", "items": {"anyOf": [point, {"type": "null"}]}},
        },
    }


def test_a_recursive_definition_stays_a_reference_for_the_json_dialect_only() -> None:
    schema = {
        "type": "object",
        "properties": {"tree": {"$ref": "#/$defs/node"}},
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
            }
        },
    }
    converted = input_schema(schema)
    assert converted["properties"]["tree"] == {"$ref": "#/$defs/node"}
    check_json_schema(converted, "parametersJsonSchema", root_object=True)
    with pytest.raises(Exception, match="recursive type"):
        to_openapi_subset(converted)


def test_keywords_beside_a_recursive_reference_keep_their_meaning_in_a_form_gemini_accepts() -> None:
    node = {
        "type": "object",
        "properties": {
            "child": {"$ref": "#/$defs/node", "maxProperties": 3, "description": "a kid"},
            "either": {"$ref": "#/$defs/node", "anyOf": [{"required": ["child"]}]},
            "plain": {"$ref": "#/$defs/node", "description": "stays", "default": None},
        },
    }
    converted = input_schema({"type": "object", "properties": {"root": {"$ref": "#/$defs/node"}}, "$defs": {"node": node}})
    kept = converted["$defs"]["node"]["properties"]
    assert kept["child"] == {"maxProperties": 3, "description": "a kid", "anyOf": [{"$ref": "#/$defs/node"}]}
    assert kept["either"] == {"anyOf": [{"required": ["child"]}], "allOf": [{"$ref": "#/$defs/node"}]}
    assert kept["plain"] == {"$ref": "#/$defs/node", "description": "stays", "default": None}
    check_json_schema(converted, "parametersJsonSchema", root_object=True)
    # Without step 7 the emulator refuses it, as Gemini does.
    with pytest.raises(Exception, match="was set alongside unsupported fields: maxProperties"):
        check_json_schema(
            {"type": "object", "properties": {"x": {"$ref": "#/$defs/n", "maxProperties": 3}}, "$defs": {"n": {"type": "object"}}},
            "parametersJsonSchema", root_object=True,
        )


def test_object_pieces_of_all_of_are_merged_and_missing_types_inferred() -> None:
    schema = {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            {"properties": {"b": {"items": {"type": "integer"}}}},
        ]
    }
    assert input_schema(schema) == {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "array", "items": {"type": "integer"}}},
        "required": ["a"],
    }


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ({"type": "array"}, "describes 'array', not an object of arguments"),
        ([1], "is a list, not an object"),
        ({"type": "object", "properties": {"a": {"$ref": "#"}}}, "refers to itself as a whole"),
        ({"type": "object", "properties": {"a": {"$ref": "https://x/s.json"}}}, "another document"),
        ({"type": "object", "properties": {"a": {"$ref": "#/$defs/none"}}}, "leads nowhere"),
        ({"type": "object", "$defs": [1]}, r"its \$defs is a list, not a table of schemas"),
        ({"type": "object", "definitions": {"a": 3}}, "its definition 'a' is a int, not a schema"),
    ],
)
def test_what_cannot_be_a_declaration_is_refused_with_the_reason(schema: Any, reason: str) -> None:
    with pytest.raises(SchemaRefused, match=reason):
        input_schema(schema)


def test_a_missing_input_schema_is_an_object_without_arguments() -> None:
    assert input_schema(None) == {"type": "object", "properties": {}}


def test_names_gemini_refuses_are_mapped_both_ways_and_stably() -> None:
    names = ToolNames()
    assert names.add("get_time") == "get_time"
    assert names.add("note/write") == "note_write"
    # Taken once its space is replaced: cut and given the original's SHA-1 prefix.
    digest = hashlib.sha1(b"note write").hexdigest()[:8]
    assert names.add("note write") == f"note_write_{digest}"
    assert names.add("9lives") == "_9lives"
    long = "x" * 70
    assert len(names.add(long)) == 63
    assert names.to_server == {
        "get_time": "get_time",
        "note_write": "note/write",
        names.to_gemini["note write"]: "note write",
        "_9lives": "9lives",
        names.to_gemini[long]: long,
    }
    again = ToolNames()
    for server_name in ("get_time", "note/write", "note write", "9lives", long):
        again.add(server_name)
    assert again.to_gemini == names.to_gemini


def test_definition_names_that_need_escaping_and_boolean_schemas_resolve() -> None:
    schema = {
        "type": "object",
        "properties": {
            "path": {"$ref": "#/$defs/a~1b"},
            "tilde": {"$ref": "#/definitions/c~0d"},
            "anything": {"$ref": "#/$defs/free"},
            "nothing": {"$ref": "#/$defs/never"},
        },
        "$defs": {"a/b": {"type": "string"}, "free": True, "never": False},
        "definitions": {"c~d": {"type": "integer"}},
    }
    assert input_schema(schema) == {
        "type": "object",
        "properties": {
            "path": {"type": "string"},
            "tilde": {"type": "integer"},
            "anything": {},
            "nothing": {"not": {}},
        },
    }
