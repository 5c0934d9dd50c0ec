"""The emulator refuses a ``format`` the OpenAPI subset does not take for the node's type,
as the Gemini API does: STRING takes only 'enum' and 'date-time', NUMBER 'float' and
'double', INTEGER 'int32' and 'int64' (and 'enum' for the subset's numeric enums)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from agentkit.testing.emulator import Emulator
from agentkit.testing.emulator.errors import Rejection
from agentkit.testing.emulator.schema_rules import check_subset_schema

PATH = "tools[0].function_declarations[0].parameters"


def declaring(parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "tools": [{"functionDeclarations": [{"name": "f", "parameters": parameters}]}],
    }


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "OBJECT", "properties": properties}


REFUSED = [
    (
        "string date",
        obj(day={"type": "STRING", "format": "date"}),
        f"{PATH}.properties[day].format",
        "only 'enum' and 'date-time' are supported for STRING type",
    ),
    (
        "string uri in an array of objects",
        obj(links={"type": "ARRAY", "items": obj(url={"type": "STRING", "format": "uri"})}),
        f"{PATH}.properties[links].items.properties[url].format",
        "only 'enum' and 'date-time' are supported for STRING type",
    ),
    (
        "string uuid in an anyOf branch",
        obj(id={"anyOf": [{"type": "STRING", "format": "uuid"}, {"type": "INTEGER"}]}),
        f"{PATH}.properties[id].any_of[0].format",
        "only 'enum' and 'date-time' are supported for STRING type",
    ),
    (
        "number decimal",
        obj(price={"type": "NUMBER", "format": "decimal"}),
        f"{PATH}.properties[price].format",
        "only 'float' and 'double' are supported for NUMBER type",
    ),
    (
        "integer uint8, lower-case type",
        obj(level={"type": "integer", "format": "uint8"}),
        f"{PATH}.properties[level].format",
        "only 'int32' and 'int64' are supported for INTEGER type",
    ),
]


@pytest.mark.parametrize(
    ("parameters", "field", "problem"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
async def test_a_format_the_type_does_not_take_gets_geminis_400(
    emulator: Emulator, parameters: dict[str, Any], field: str, problem: str
) -> None:
    emulator.script(["must not be served"])
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        response = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent", json=declaring(parameters)
        )
    assert response.status_code == 400
    # The body is Gemini's google.rpc.Status with a BadRequest field violation (its shape is
    # pinned in test_strict); here the message and the field.
    message = f"* GenerateContentRequest.{field}: {problem}\n"
    assert response.json() == Rejection(message, field=field).body


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "STRING", "format": "date-time"},
        {"type": "STRING", "format": "enum", "enum": ["a", "b"]},
        {"type": "NUMBER", "format": "double"},
        {"type": "NUMBER", "format": "enum", "enum": ["0.5", "1"]},
        {"type": "INTEGER", "format": "int64"},
        {"type": "INTEGER", "format": "enum", "enum": ["1", "2"]},
        {"type": "STRING", "description": "Format: date (YYYY-MM-DD)."},
    ],
    ids=lambda s: f"{s['type']}-{s.get('format', 'described')}",
)
def test_the_formats_the_api_takes_pass(schema: dict[str, Any]) -> None:
    check_subset_schema(obj(x=schema), PATH)


def test_the_check_reports_the_path_as_the_request_validator_names_it() -> None:
    with pytest.raises(Rejection) as caught:
        check_subset_schema(obj(day={"type": "STRING", "format": "date"}), PATH)
    assert caught.value.message == (
        f"* GenerateContentRequest.{PATH}.properties[day].format: only 'enum' and 'date-time' "
        "are supported for STRING type\n"
    )
