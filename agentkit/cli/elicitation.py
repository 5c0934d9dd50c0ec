"""An MCP server's form (elicitation), filled in at the terminal one field at a time.

MCP limits what a server may ask for to a flat object of simple fields: text (with length
limits and the formats email, uri, date, date-time), numbers and integers (with bounds),
yes/no, a choice from a list, and several choices from a list. Each is asked on its own
line with its title, description and default; an answer that does not fit says why and the
field is asked again. Enter keeps the default or skips a field that is not required. A
Ctrl-C or Ctrl-D anywhere declines the whole form, and the server is told it was declined.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from rich.console import Console
from rich.markup import escape

from agentkit.agent import Decision

YES = ("y", "yes", "true")
NO = ("n", "no", "false")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class FormAnswer(Decision):
    """A form the person filled in (a decision that carries the answers)."""

    content: dict[str, Any] = field(default_factory=dict)


class NotAnswerable(ValueError):
    """The form has a field no terminal question can answer (the server broke MCP's rules
    on what it may ask); it is declined without asking anything."""


def is_yes_no(schema: dict[str, Any]) -> bool:
    """A form of one yes/no field: asked as a single [y/N] question, like a confirmation."""
    properties = schema.get("properties") or {}
    if len(properties) != 1:
        return False
    (only,) = properties.values()
    return isinstance(only, dict) and only.get("type") == "boolean"


def fill_form(
    read: Callable[[str], str], console: Console, asker: str, message: str, schema: dict[str, Any]
) -> dict[str, Any]:
    """Ask each field; the answers as the form's JSON. Raises what ``read`` raises (Ctrl-C,
    Ctrl-D) and ``NotAnswerable``."""
    properties: dict[str, Any] = schema.get("properties") or {}
    fields = [
        Field.of(name, spec, name in (schema.get("required") or ()))
        for name, spec in properties.items()
    ]
    console.print(f"  [bold yellow]MCP server {escape(repr(asker))} asks:[/] {escape(message)}")
    answers: dict[str, Any] = {}
    for item in fields:
        while True:
            text = read(f"    {item.prompt()}: ").strip()
            try:
                value = item.parse(text)
            except ValueError as problem:
                console.print(f"    [red]{escape(str(problem))}[/]")
                continue
            if value is not _SKIPPED:
                answers[item.name] = value
            break
    return answers


_SKIPPED = object()


@dataclass(frozen=True)
class Field:
    name: str
    spec: dict[str, Any]
    required: bool
    kind: str  # text, number, integer, boolean, choice, choices
    options: tuple[tuple[Any, str], ...] = ()  # (value, label) for choice and choices

    @classmethod
    def of(cls, name: str, spec: Any, required: bool) -> Field:
        if not isinstance(spec, dict):
            raise NotAnswerable(f"field {name!r} has no schema")
        kind = spec.get("type")
        if kind == "string" and ("enum" in spec or "oneOf" in spec):
            return cls(name, spec, required, "choice", _options(spec))
        if kind == "array":
            items = spec.get("items") or {}
            if not isinstance(items, dict) or not ("enum" in items or "anyOf" in items):
                raise NotAnswerable(f"field {name!r} is a list of something other than choices")
            return cls(name, spec, required, "choices", _options(items))
        names = {"string": "text", "number": "number", "integer": "integer", "boolean": "boolean"}
        if kind not in names:
            raise NotAnswerable(f"field {name!r} has type {kind!r}, which a form cannot ask")
        return cls(name, spec, required, names[kind])

    def prompt(self) -> str:
        label = str(self.spec.get("title") or self.name)
        about = self.spec.get("description")
        words = f"{label} ({about})" if about else label
        if self.kind == "boolean":
            words += " [y/n]"
        elif self.options:
            listed = ", ".join(f"{n}) {label}" for n, (_, label) in enumerate(self.options, 1))
            words += f" — {listed}" + (
                " (numbers, comma-separated)" if self.kind == "choices" else ""
            )
        hint = self._default_shown()
        if hint is not None:
            words += f" [{hint}]"
        elif not self.required:
            words += " (optional)"
        return escape(words)

    def parse(self, text: str) -> Any:
        if not text:
            if "default" in self.spec:
                return self.spec["default"]
            if self.required:
                raise ValueError("an answer is needed")
            return _SKIPPED
        parse = getattr(self, f"_{self.kind}")
        return parse(text)

    def _text(self, text: str) -> str:
        spec = self.spec
        if len(text) < spec.get("minLength", 0):
            raise ValueError(f"at least {spec['minLength']} characters")
        if "maxLength" in spec and len(text) > spec["maxLength"]:
            raise ValueError(f"at most {spec['maxLength']} characters")
        shape = spec.get("format")
        if shape == "email" and not EMAIL.match(text):
            raise ValueError("an email address, like name@example.com")
        if shape == "uri" and not (urlparse(text).scheme and urlparse(text).netloc):
            raise ValueError("a full address, like https://example.com/page")
        if shape == "date":
            _checked(datetime.date.fromisoformat, text, "a date, like 2026-12-31")
        if shape == "date-time":
            _checked(
                datetime.datetime.fromisoformat, text, "a date and time, like 2026-12-31T18:30:00Z"
            )
        return text

    def _number(self, text: str) -> float:
        return self._bounded(_checked(float, text, "a number"))

    def _integer(self, text: str) -> int:
        return int(self._bounded(_checked(int, text, "a whole number")))

    def _bounded(self, value: float) -> float:
        if "minimum" in self.spec and value < self.spec["minimum"]:
            raise ValueError(f"at least {self.spec['minimum']}")
        if "maximum" in self.spec and value > self.spec["maximum"]:
            raise ValueError(f"at most {self.spec['maximum']}")
        return value

    def _boolean(self, text: str) -> bool:
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise ValueError("y or n")

    def _choice(self, text: str) -> Any:
        return self._option(text)

    def _choices(self, text: str) -> list[Any]:
        chosen = [self._option(piece.strip()) for piece in text.split(",") if piece.strip()]
        low, high = self.spec.get("minItems", 0), self.spec.get("maxItems")
        if len(chosen) < low:
            raise ValueError(f"choose at least {low}")
        if high is not None and len(chosen) > high:
            raise ValueError(f"choose at most {high}")
        return chosen

    def _option(self, text: str) -> Any:
        if text.isdigit() and 1 <= int(text) <= len(self.options):
            return self.options[int(text) - 1][0]
        for value, label in self.options:
            if text in (str(value), label):
                return value
        raise ValueError(f"one of 1 to {len(self.options)}, or a choice's name")

    def _default_shown(self) -> str | None:
        if "default" not in self.spec:
            return None
        default = self.spec["default"]
        if self.kind == "boolean":
            return "y" if default else "n"
        labels = dict(self.options)
        if self.kind == "choices" and isinstance(default, list):
            return ", ".join(str(labels.get(item, item)) for item in default)
        return str(labels.get(default, default))


def _options(spec: dict[str, Any]) -> tuple[tuple[Any, str], ...]:
    """A choice's (value, label) pairs: ``enum`` (labels from ``enumNames`` when given) or
    ``oneOf``/``anyOf`` entries of ``const`` and ``title``."""
    if "enum" in spec:
        names = spec.get("enumNames") or spec["enum"]
        return tuple((value, str(label)) for value, label in zip(spec["enum"], names, strict=False))
    entries = spec.get("oneOf") or spec.get("anyOf") or []
    return tuple(
        (entry["const"], str(entry.get("title", entry["const"])))
        for entry in entries
        if isinstance(entry, dict) and "const" in entry
    )


def _checked(convert: Callable[[str], Any], text: str, wanted: str) -> Any:
    try:
        return convert(text)
    except ValueError:
        raise ValueError(wanted) from None
