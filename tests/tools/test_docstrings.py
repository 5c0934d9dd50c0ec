"""Docstrings never stop a tool from being defined, and read as their writers meant.

A table of real-world oddities, each with the exact description and parameter descriptions
it must give; a property over arbitrary text (every docstring gives a declaration the strict
emulator accepts); and docstrings of 100 KB shaped to make backtracking parsers crawl.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, TypeAdapter, with_config
from pydantic.dataclasses import dataclass as pydantic_dataclass
from typing_extensions import TypedDict

from agentkit.testing.emulator.strict import check_declaration
from agentkit.tools import Tool, tool
from agentkit.tools import docstrings as module
from agentkit.tools.docstrings import Docstring, parse_docstring

LONG_BODY = "All work and no play makes Jack a dull boy. " * 2300  # about 100 KB


def light(room: str, level: int = 0, zone: str = "", limit: int = 10) -> None: ...


def with_doc(doc: object) -> Tool:
    def f(room: str, level: int = 0, zone: str = "", limit: int = 10) -> None: ...

    f.__doc__ = doc  # type: ignore[assignment]
    return tool(f)


ODD: list[tuple[str, str, str | None, dict[str, str]]] = [
    (
        "args-none",
        "Search the catalogue.\n\n    Args:\n        None\n    ",
        "Search the catalogue.",
        {},
    ),
    (
        "args-none-inline",
        "Search the catalogue.\n\n    Args: None\n\n    Returns:\n        The matches.\n    ",
        "Search the catalogue.",
        {},
    ),
    ("args-empty", "Do it.\n\nArgs:\n\nReturns:\n    The result.", "Do it.", {}),
    (
        "args-twice",
        "Set a light.\n\nArgs:\n    room: The room.\n\nArgs:\n    level: Brightness, 0 to 100.",
        "Set a light.",
        {"room": "The room.", "level": "Brightness, 0 to 100."},
    ),
    (
        "args-twice-other-indent",
        "Set a light.\n\nArgs:\n  room: The room.\n\nArgs:\n      level: Brightness.\n"
        "          Continued.",
        "Set a light.",
        {"room": "The room.", "level": "Brightness. Continued."},
    ),
    (
        "google-and-rest",
        "Set a light.\n\nArgs:\n    room: The room.\n:param level: Brightness, 0 to 100.",
        "Set a light.",
        {"room": "The room.", "level": "Brightness, 0 to 100."},
    ),
    (
        "epytext",
        "Set a light.\n\n@param room: The room.\n@type room: str\n@param level: Brightness.\n"
        "@return: Nothing.",
        "Set a light.",
        {"room": "The room.", "level": "Brightness."},
    ),
    (
        "numpy-short-underline",
        "Set a light.\n\nParameters\n-----\nroom : str\n    The room.\nlevel : int\n"
        "    Brightness.\n",
        "Set a light.",
        {"room": "The room.", "level": "Brightness."},
    ),
    (
        "numpy-long-underline",
        "Set a light.\n\nLonger text.\n\nParameters\n--------------------------\nroom : str\n"
        "    The room.\n",
        "Set a light.\n\nLonger text.",
        {"room": "The room."},
    ),
    (
        "numpy-other-parameters",
        "Search.\n\nParameters\n----------\nroom : str\n    What.\n\nOther Parameters\n"
        "----------------\nlimit : int\n    How many.",
        "Search.",
        {"room": "What.", "limit": "How many."},
    ),
    (
        "unicode-emoji-rtl",
        "Allumer la lumière 💡 — שלום עולם.\n\nArgs:\n    room: La pièce (salle à manger) 房间.\n"
        "    level: Luminosité ‰.",
        "Allumer la lumière 💡 — שלום עולם.",
        {"room": "La pièce (salle à manger) 房间.", "level": "Luminosité ‰."},
    ),
    (
        "tabs",
        "Set a light.\n\tArgs:\n\t\troom: The room.\n\t\tlevel: The level.\n",
        "Set a light.",
        {"room": "The room.", "level": "The level."},
    ),
    ("only-whitespace", "   \n\t\n  ", None, {}),
    ("empty", "", None, {}),
    (
        "keyword-args",
        "Search.\n\nArgs:\n    room: What to find.\n\nKeyword Args:\n    limit: At most this many.",
        "Search.",
        {"room": "What to find.", "limit": "At most this many."},
    ),
    (
        "kwargs",
        "Search.\n\nKwargs:\n    limit: At most this many.\n    zone: Where.",
        "Search.",
        {"limit": "At most this many.", "zone": "Where."},
    ),
    (
        "keyword-arguments",
        "Search.\n\nKeyword Arguments:\n    limit: At most this many.",
        "Search.",
        {"limit": "At most this many."},
    ),
    (
        "entry-without-colon",
        "Set a light.\n\nArgs:\n    room: The room.\n    level the level, no colon\n",
        "Set a light.",
        {"room": "The room."},
    ),
    (
        "rest-with-types",
        "Set a light.\n\n:param str room: The room.\n:type level: int\n:param level: Level.\n"
        ":returns: Nothing.",
        "Set a light.",
        {"room": "The room.", "level": "Level."},
    ),
    (
        "google-types-and-continuation",
        "Set a light.\n\nArgs:\n    room (str): The room\n        name, continued.\n"
        "    level (int, optional): Level. Defaults to 0.",
        "Set a light.",
        {"room": "The room name, continued.", "level": "Level. Defaults to 0."},
    ),
    (
        "two-names-one-entry",
        "Set a light.\n\nArgs:\n    room, zone: Where.",
        "Set a light.",
        {"room": "Where.", "zone": "Where."},
    ),
    ("lone-surrogate", "Set a light \ud83d now.", "Set a light \ufffd now.", {}),
    (
        "windows-newlines",
        "Set a light.\r\n\r\nArgs:\r\n    room: The room.\r\n",
        "Set a light.",
        {"room": "The room."},
    ),
    ("markdown-rule", "Set a light.\n\n---\n\nMore.", "Set a light.\n\n---\n\nMore.", {}),
    ("a-line-starting-with-a-colon", "Set a light.\n:)\nok", "Set a light.\n:)\nok", {}),
    (
        "decorator-in-an-example",
        "Set a light.\n\nUsage::\n\n@tool\ndef f(): ...",
        "Set a light.\n\nUsage::\n\n@tool\ndef f(): ...",
        {},
    ),
    (
        "prose-after-the-sections",
        "Set a light.\n\nArgs:\n    room: The room.\n\nNote:\n    Lights fade slowly.",
        "Set a light.\n\nNote:\n    Lights fade slowly.",
        {"room": "The room."},
    ),
    (
        "entry-without-description",
        "Set a light.\n\nArgs:\n    room:\n    level: Level.",
        "Set a light.",
        {"level": "Level."},
    ),
    (
        "100-kb",
        f"Summary.\n\n{LONG_BODY}\n\nArgs:\n    room: The room.",
        f"Summary.\n\n{LONG_BODY.strip()}",
        {"room": "The room."},
    ),
]


@pytest.mark.parametrize(
    ("doc", "description", "parameters"), [c[1:] for c in ODD], ids=[c[0] for c in ODD]
)
def test_odd_docstrings_read_as_meant(
    doc: str, description: str | None, parameters: dict[str, str]
) -> None:
    assert parse_docstring(doc) == Docstring(description, parameters)
    declaration = with_doc(doc).declaration.to_wire()
    assert declaration.get("description") == description
    properties = declaration["parametersJsonSchema"]["properties"]
    described = {name: p["description"] for name, p in properties.items() if "description" in p}
    assert described == parameters


@pytest.mark.parametrize("doc", [42, b"bytes", ["a", "list"], None], ids=repr)
def test_a_doc_that_is_not_a_string_reads_as_none(doc: object) -> None:
    assert parse_docstring(doc) == Docstring()
    assert "description" not in with_doc(doc).declaration.to_wire()


def test_a_style_that_fails_falls_back_to_automatic_detection() -> None:
    # reST fields docstring-parser refuses (a field without its closing colon): the other
    # styles read it, the best of them wins, and it finds no sections.
    doc = "Set a light.\n\n:param room The room, no closing colon\n:param level"
    assert parse_docstring(doc) == Docstring(doc, {})


def test_when_every_style_fails_the_raw_text_is_the_description(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(text: str) -> Any:
        raise ValueError("not this style")

    monkeypatch.setattr(module, "_PARSERS", dict.fromkeys(module._PARSERS, refuse))
    doc = "    Set a light.\n\n    Args:\n        room: The room.\n    "
    assert parse_docstring(doc) == Docstring("Set a light.\n\nArgs:\n    room: The room.", {})


# -- any text -----------------------------------------------------------------------------------

SECTION_LINES = [
    "Args:",
    "Arguments:",
    "Parameters:",
    "Keyword Args:",
    "Kwargs:",
    "Returns:",
    "Raises:",
    "Yields:",
    "Example:",
    "Attributes:",
    "Args: None",
    "Parameters",
    "Returns",
    "-----",
    "----------",
    "---",
    "None",
    "    None",
    "    room: The room.",
    "    level (int): Level.",
    "    room (",
    "        continued",
    "room : str",
    "    The room.",
    ":param room: The room.",
    ":type room: str",
    ":returns: x",
    ":param",
    "@param room: The room.",
    "@type room: str",
    "@return: x",
    "@param",
    ".. deprecated:: 1.0",
    "    >>> f()",
    "",
    "    ",
    "\t",
    ":",
    "@",
    "(",
    "a (b",
    "Defaults to 5.",
    "default: 3",
]
any_character = st.characters(blacklist_categories=())  # surrogates and controls included
docstrings = st.one_of(
    st.text(alphabet=any_character, max_size=300),
    st.lists(
        st.one_of(st.sampled_from(SECTION_LINES), st.text(alphabet=any_character, max_size=30)),
        max_size=25,
    ).map("\n".join),
)


@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "300")), deadline=1000)
@given(doc=docstrings)
def test_any_docstring_gives_a_declaration_the_strict_emulator_accepts(doc: str) -> None:
    built = with_doc(doc)
    for dialect in ("json_schema", "openapi"):
        wire = built.declaration_for(dialect).to_wire()
        assert check_declaration(wire, "tools[0].function_declarations[0]") == "f"
        json.dumps(wire, ensure_ascii=False).encode("utf-8")  # sendable as it is
    description = built.description
    assert description is None or (description == description.strip() and description != "")
    properties: dict[str, Any] = built.parameters_json_schema["properties"]
    assert list(properties) == ["room", "level", "zone", "limit"]
    for schema in properties.values():
        assert schema.get("description", "x").strip() != ""


# -- speed --------------------------------------------------------------------------------------

N = 100_000
ADVERSARIAL = {
    "spaces-and-newlines": (" " * 99 + "\n") * (N // 100),
    "blank-lines-then-a-word": "   \n" * (N // 4) + "x",
    "name-then-parentheses": "Args:\n    a" + "(" * N + ": d",
    "parenthesised-words": "Args:\n    " + "a (b " * (N // 5) + ": d",
    "epytext-field-without-colon": "@param " + "ab " * (N // 3),
    "epytext-field-then-words": "@param a-b: x\n" + "ab " * (N // 3),
    "numpy-entry-with-a-run-of-spaces": "Parameters\n----------\nx" + " " * N + "y\n    d",
    "google-many-entries": "Args:\n" + "".join(f"    p{i}: d\n" for i in range(N // 10)),
    "the-same-section-many-times": "Args:\n    a: b\n" * (N // 15),
    "every-style-at-once": (
        "Args:\n    a: b\n:param c: d\n@param e: f\nParameters\n----------\ng : h\n" * (N // 60)
    ),
    "one-long-line": "x" * N,
}


@pytest.mark.parametrize("body", ADVERSARIAL.values(), ids=ADVERSARIAL)
def test_a_100_kb_docstring_is_read_in_well_under_a_second(body: str) -> None:
    # Measured at 5-120 ms each on a loaded machine; docstring-parser's own patterns took
    # minutes on some of these before the text was prepared for them.
    doc = "Summary line.\n\n" + body
    started = time.perf_counter()
    parse_docstring(doc)
    assert time.perf_counter() - started < 1.0


# -- field docstrings ---------------------------------------------------------------------------


class Window(TypedDict):
    width: int
    """Width in centimetres."""


@with_config(ConfigDict(use_attribute_docstrings=True))
class Door(TypedDict):
    width: int
    """Width in centimetres."""


@dataclasses.dataclass
class Shelf:
    width: int
    """Width in centimetres."""


@pydantic_dataclass(config=ConfigDict(use_attribute_docstrings=True))
class Drawer:
    width: int
    """Width in centimetres."""


class Table(BaseModel):
    width: int
    """Width in centimetres."""


class Desk(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)
    width: int
    """Width in centimetres."""


WIDTH = {"type": "integer"}
DESCRIBED_WIDTH = {"description": "Width in centimetres.", "type": "integer"}


@pytest.mark.parametrize(
    ("annotation", "width"),
    [
        (Window, WIDTH),
        (Door, DESCRIBED_WIDTH),
        (Shelf, WIDTH),
        (Drawer, DESCRIBED_WIDTH),
        (Table, WIDTH),
        (Desk, DESCRIBED_WIDTH),
    ],
    ids=[
        "typeddict",
        "typeddict-opted-in",
        "dataclass",
        "dataclass-opted-in",
        "model",
        "model-opted-in",
    ],
)
def test_field_docstrings_are_read_when_the_type_opts_in_as_for_pydantic(
    annotation: type, width: dict[str, Any]
) -> None:
    def measure(thing):  # type: ignore[no-untyped-def]
        ...

    measure.__annotations__ = {"thing": annotation}
    schema = tool(measure).parameters_json_schema["properties"]["thing"]
    assert schema["properties"] == {"width": width}
    own = TypeAdapter(annotation).json_schema()["properties"]["width"]  # pydantic, titled
    assert {key: value for key, value in own.items() if key != "title"} == width
