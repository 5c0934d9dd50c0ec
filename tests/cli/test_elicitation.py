"""Filling in an MCP server's form at the terminal: each kind of field MCP allows, what an
answer that does not fit says, defaults, optional fields, and forms that cannot be asked."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text

from agentkit.cli.elicitation import NotAnswerable, fill_form, is_yes_no


def filled(schema: dict[str, Any], *answers: str) -> tuple[dict[str, Any], list[str], str]:
    """The form's answers, the prompts shown, and what was printed (its first line says
    who asks what)."""
    typed = list(answers)
    prompts: list[str] = []

    def read(prompt: str) -> str:
        prompts.append(Text.from_markup(prompt).plain.strip())  # prompts are rich markup
        if not typed:
            raise EOFError
        return typed.pop(0)

    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    content = fill_form(read, console, "srv", "Tell me", schema)
    assert typed == []  # every answer was read
    return content, prompts, out.getvalue()


def one(field: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {"type": "object", "properties": {"f": field}, "required": ["f"] if required else []}


def test_text_with_limits_and_formats() -> None:
    assert filled(one({"type": "string", "maxLength": 3}), "abcd", "abc")[0] == {"f": "abc"}
    content, _, said = filled(one({"type": "string", "format": "email"}), "ada", "ada@example.org")
    assert content == {"f": "ada@example.org"} and "an email address, like name@example.com" in said
    content, _, said = filled(one({"type": "string", "format": "uri"}), "example.org", "https://example.org/x")
    assert content == {"f": "https://example.org/x"} and "a full address" in said
    content, _, _ = filled(one({"type": "string", "format": "date-time"}), "2026-12-31T18:30:00Z")
    assert content == {"f": "2026-12-31T18:30:00Z"}


def test_numbers_integers_and_their_bounds() -> None:
    content, _, said = filled(one({"type": "integer", "minimum": 1, "maximum": 8}), "two", "9", "0", "3")
    assert content == {"f": 3}
    assert said.splitlines()[1:] == ["    a whole number", "    at most 8", "    at least 1"]
    assert filled(one({"type": "number"}), "2.5")[0] == {"f": 2.5}


def test_yes_no_and_a_default() -> None:
    content, prompts, _ = filled(one({"type": "boolean", "default": True, "title": "Agree"}), "")
    assert content == {"f": True} and prompts[0] == "Agree [y/n] [y]:"
    assert filled(one({"type": "boolean"}), "maybe", "N")[0] == {"f": False}


def test_a_choice_by_number_value_or_label_and_legacy_enum_names() -> None:
    choice = {"type": "string", "enum": ["s", "m", "l"], "enumNames": ["Small", "Medium", "Large"]}
    content, prompts, _ = filled(one(choice), "4", "Large")
    assert content == {"f": "l"} and prompts[0] == "f — 1) Small, 2) Medium, 3) Large:"
    assert filled(one(choice), "m")[0] == {"f": "m"}
    assert filled(one(choice), "1")[0] == {"f": "s"}


def test_several_choices_with_bounds() -> None:
    field = {
        "type": "array",
        "items": {"anyOf": [{"const": "a", "title": "Apples"}, {"const": "b", "title": "Bread"}]},
        "minItems": 1,
        "maxItems": 1,
        "default": ["b"],
    }
    content, prompts, said = filled(one(field), "1, 2", "1")
    assert content == {"f": ["a"]} and "choose at most 1" in said
    assert prompts[0] == "f — 1) Apples, 2) Bread (numbers, comma-separated) [Bread]:"
    assert filled(one(field), "")[0] == {"f": ["b"]}


def test_optional_fields_may_be_skipped_and_required_ones_not() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string", "description": "why"}},
        "required": ["a"],
    }
    content, prompts, said = filled(schema, "", "x", "")
    assert content == {"a": "x"} and "an answer is needed" in said
    assert prompts == ["a:", "a:", "b (why) (optional):"]


def test_ctrl_d_declines_and_a_field_no_terminal_can_ask_is_refused_before_asking() -> None:
    with pytest.raises(EOFError):
        filled(one({"type": "string"}))
    with pytest.raises(NotAnswerable, match="field 'f' has type 'object'"):
        filled(one({"type": "object"}))
    with pytest.raises(NotAnswerable, match="a list of something other than choices"):
        filled(one({"type": "array", "items": {"type": "string"}}))


def test_yes_no_forms_are_told_apart() -> None:
    assert is_yes_no(one({"type": "boolean"}))
    assert not is_yes_no(one({"type": "string"}))
    assert not is_yes_no({"type": "object", "properties": {"a": {"type": "boolean"}, "b": {"type": "boolean"}}})
