"""The one place that reads docstrings (Google, NumPy or reST; the style is detected)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import docstring_parser


@dataclass(frozen=True)
class Docstring:
    """What a tool needs from a docstring: the description without its parameter, returns
    and raises sections, and one description per parameter."""

    description: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    returns: str | None = None


def read_docstring(fn: Callable[..., Any]) -> Docstring:
    text = inspect.getdoc(fn)
    if not text:
        return Docstring()
    parsed = docstring_parser.parse(text)
    separator = "\n\n" if parsed.blank_after_short_description else "\n"
    description = separator.join(
        part.strip() for part in (parsed.short_description, parsed.long_description) if part
    )
    parameters = {
        param.arg_name: " ".join(param.description.split())
        for param in parsed.params
        if param.description
    }
    returns = parsed.returns.description if parsed.returns else None
    return Docstring(description or None, parameters, returns)
