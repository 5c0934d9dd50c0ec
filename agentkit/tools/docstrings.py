"""The one place that reads docstrings (Google, NumPy or reST; the style is detected)."""

from __future__ import annotations

import inspect
import re
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


_GOOGLE = re.compile(r"^\s*(Args|Arguments|Parameters|Params|Returns|Raises|Yields):\s*$", re.M)
_NUMPY = re.compile(r"^\s*(Parameters|Returns|Raises)\s*\n\s*-{3,}\s*$", re.M)
_REST = re.compile(r"^\s*:(param|returns?|raises?|type)\b", re.M)


def _style(text: str) -> docstring_parser.DocstringStyle:
    """The style when the text makes it plain; otherwise let docstring-parser try them all
    (it parses the whole docstring once per style, which is most of its cost)."""
    if _NUMPY.search(text):
        return docstring_parser.DocstringStyle.NUMPYDOC
    if _REST.search(text):
        return docstring_parser.DocstringStyle.REST
    if _GOOGLE.search(text):
        return docstring_parser.DocstringStyle.GOOGLE
    return docstring_parser.DocstringStyle.AUTO


def read_docstring(fn: Callable[..., Any]) -> Docstring:
    text = inspect.getdoc(fn)
    if not text:
        return Docstring()
    parsed = docstring_parser.parse(text, style=_style(text))
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
