"""The one place that reads docstrings: Google, NumPy, reST or Epytext, the style detected.

A docstring is prose a person wrote for other people, so reading it must never stop a tool
from being defined. Parsing goes in three steps, each a fallback for the one before:

1. the style(s) the text plainly uses (its section markers), parsed by docstring-parser;
2. if that fails, every style, keeping the reading that found the most sections (what
   docstring-parser calls automatic detection);
3. if every style fails, the cleaned text itself is the description, with no parameter
   descriptions.

Each parser reads the text prepared for it (``docstring_text``): real-world oddities (``Args:
None``, a section given twice, NumPy underlines of the wrong length) read as meant, and the
shapes of text on which docstring-parser's regular expressions backtrack are removed first.
The markers below are anchored to the start of a line, so detection is linear too: a 100 KB
docstring takes milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from docstring_parser import epydoc, rest
from docstring_parser.common import Docstring as Parsed
from docstring_parser.google import GoogleParser, Section, SectionType
from docstring_parser.numpydoc import NumpydocParser, ParamSection

from agentkit.tools.docstring_text import (
    KEYWORD_SECTIONS,
    clean,
    for_epydoc,
    for_google,
    for_numpy,
)


@dataclass(frozen=True)
class Docstring:
    """What a tool needs from a docstring: the description without its parameter, returns
    and raises sections, and one description per parameter."""

    description: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)


Parse = Callable[[str], Parsed]

# Keyword-argument sections describe parameters like any other: the model sees no difference
# between a keyword-only parameter and the rest.
_GOOGLE = GoogleParser()
_NUMPY = NumpydocParser()
for _title in KEYWORD_SECTIONS:
    _GOOGLE.add_section(Section(_title, "param", SectionType.MULTIPLE))
    _NUMPY.add_section(ParamSection(_title, "param"))
# Each parser reads the text prepared for it (see ``docstring_text``).
_PARSERS: dict[str, Parse] = {
    "numpy": lambda text: _NUMPY.parse(for_numpy(text)),
    "rest": rest.parse,
    "epydoc": lambda text: epydoc.parse(for_epydoc(text)),
    "google": lambda text: _GOOGLE.parse(for_google(text)),
}
# What each style plainly looks like: a title over dashes (NumPy), a known ``:field:`` (reST)
# or ``@field`` (Epytext) at the start of a line, a known ``Title:`` alone on a line (Google).
# A docstring with none of them is all description; one with several mixes styles.
_NUMPY_TITLES = "|".join(re.escape(str(t)) for t in _NUMPY.sections if t != "deprecated")
_REST_FIELDS = (
    "param|parameter|arg|argument|key|keyword|type|raises?|except|exception|var|ivar|cvar|"
    "vartype|returns?|rtype|yields?|ytype"
)
_EPYDOC_FIELDS = "param|keyword|type|returns?|rtype|raise|yields?|ytype|ivar|cvar|var"
_GOOGLE_TITLES = "|".join(re.escape(str(t)) for t in _GOOGLE.sections)
_NUMPY_MARKER = re.compile(
    rf"^(?:{_NUMPY_TITLES})[ \t]*\n[ \t]*-{{3,}}[ \t]*$|^\.\.[ \t]*deprecated[ \t]*::", re.M
)
_REST_MARKER = re.compile(rf"^[ \t]*:(?:{_REST_FIELDS})\b", re.M)
_EPYDOC_MARKER = re.compile(rf"^[ \t]*@(?:{_EPYDOC_FIELDS})\b", re.M)
_GOOGLE_MARKER = re.compile(rf"^(?:{_GOOGLE_TITLES}):[ \t]*$", re.M)


def _styles(text: str) -> list[str]:
    """The styles the text plainly uses, in reading order (a substring each marker cannot
    match without is checked first: most docstrings need no regular expression at all)."""
    styles = []
    if ("---" in text or ".." in text) and _NUMPY_MARKER.search(text):
        styles.append("numpy")
    if ":" in text and _REST_MARKER.search(text):
        styles.append("rest")
    if "@" in text and _EPYDOC_MARKER.search(text):
        styles.append("epydoc")
    if ":" in text and _GOOGLE_MARKER.search(text):
        styles.append("google")
    return styles


def parse_docstring(raw: object) -> Docstring:
    """Read ``raw`` (a ``__doc__``: usually a str, but anything may be there). Never raises."""
    text = clean(raw)
    if not text:
        return Docstring()
    styles = _styles(text)
    if not styles:
        return Docstring(text)
    readings = _read(text, styles)
    if not readings:  # the plain styles failed: try every style (automatic detection)
        readings = _read(text, [s for s in _PARSERS if s not in styles])[:1]
    if not readings:
        return Docstring(text)
    return _combine(readings)


def _read(text: str, styles: list[str]) -> list[Parsed]:
    """The readings that succeed, the one finding the most sections first."""
    readings = []
    for style in styles:
        try:
            readings.append(_PARSERS[style](text))
        except Exception:
            continue
    if len(readings) < 2:
        return readings
    return sorted(readings, key=lambda parsed: len(parsed.meta), reverse=True)


def _combine(readings: list[Parsed]) -> Docstring:
    """A docstring mixing styles (Google sections and reST fields) is read in each of them:
    the description is the shortest (every style's sections removed), the parameters are
    the union, the first reading to describe a name winning."""
    parameters: dict[str, str] = {}
    for parsed in readings:
        for param in parsed.params:
            if not param.description:
                continue
            text = " ".join(param.description.split())
            for name in param.arg_name.split(","):
                name = name.strip().lstrip("*")
                if name and name not in parameters:
                    parameters[name] = text
    if len(readings) == 1:
        return Docstring(_description(readings[0]), parameters)
    descriptions = [d for d in map(_description, readings) if d is not None]
    return Docstring(min(descriptions, key=len) if descriptions else None, parameters)


def _description(parsed: Parsed) -> str | None:
    separator = "\n\n" if parsed.blank_after_short_description else "\n"
    parts = (parsed.short_description, parsed.long_description)
    joined = separator.join(part.strip() for part in parts if part and part.strip())
    return joined or None
