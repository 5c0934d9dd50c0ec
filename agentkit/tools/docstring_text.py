"""Preparing a docstring's text for each style's parser, so that it reads as meant, and fast.

Docstrings in the wild break parsers in a few recurring ways: ``Args:`` followed by ``None``
(or by nothing) for a function without parameters, the same section written twice, an entry
without a colon, NumPy underlines a dash or two off. And docstring-parser's regular expressions
backtrack badly on some shapes of text (an entry name followed by many parentheses, an
Epytext field without a colon followed by many words, a NumPy entry line with a long run of
spaces): seconds or minutes for a few kilobytes. Each ``for_*`` function rewrites the text for
one parser so that neither happens, changing only what that parser would have failed on or
read as garbage (and, for Google, keeping prose it would drop). Everything here walks the
text line by line, linear in its length.
"""

from __future__ import annotations

import inspect
import re

from docstring_parser.numpydoc import DEFAULT_SECTIONS as _NUMPY_DEFAULTS

# Google-style sections listing parameters; keyword-argument sections are parameters too.
KEYWORD_SECTIONS = ("Keyword Args", "Keyword Arguments", "Kwargs", "Other Parameters")
_PARAMETER_SECTIONS = frozenset(
    ("Args", "Arguments", "Parameters", "Params", "Attributes", *KEYWORD_SECTIONS)
)
_LIST_SECTIONS = _PARAMETER_SECTIONS | {"Raises", "Exceptions", "Except"}  # one entry each
_GOOGLE_SECTIONS = _LIST_SECTIONS | {"Returns", "Yields", "Example", "Examples"}
_NUMPY_SECTIONS = frozenset(
    [s.title for s in _NUMPY_DEFAULTS if s.title != "deprecated"] + list(KEYWORD_SECTIONS)
)
_NOTHING = frozenset({"none", "none.", "-", "n/a", "nothing", "nothing."})
_UNDERLINE = re.compile(r"[ \t]*-{3,}[ \t]*")
# What a Google entry's name may be (``name``, ``a, b``, ``*args``, ``name (type)``); anything
# else names no parameter, and is where docstring-parser's typed-name pattern backtracks.
_ENTRY_NAME = re.compile(r"\**[A-Za-z_]\w*(?:, ?\**[A-Za-z_]\w*)*(?: ?\(.*\))?")
# A reST or Epytext field, which a Google reading leaves to those styles' parsers.
_FOREIGN_FIELD = re.compile(r"[:@][A-Za-z]")
# An Epytext field line docstring-parser reads in one step: ``@key name...:``.
_EPYDOC_FIELD = re.compile(r"@[A-Za-z_]\w+(?:[ \t]+[A-Za-z_]\w*\??)*[ \t]*:")


def clean(raw: object) -> str:
    """The docstring as text: newlines unified, tabs expanded, indentation removed
    (``inspect.cleandoc``) and lone surrogates (which no JSON encoder can send) replaced.
    Anything that is not a str reads as no docstring."""
    if not isinstance(raw, str) or not raw:
        return ""
    text = raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return inspect.cleandoc(text).strip()


# -- Google -------------------------------------------------------------------------------------


def for_google(text: str) -> str:
    """Sections that say nothing (``Args: None``, ``Args:`` then ``None`` or nothing) are
    dropped, entries without a colon or without a name are dropped, a section given twice is
    merged into its first occurrence, and prose after a section (a ``Note:``, a closing
    paragraph) moves before the sections, where the parser keeps it in the description
    instead of dropping it."""
    lines = text.split("\n")
    prose: list[str] = []
    sections: dict[str, list[list[str]]] = {}  # title -> its title line, then each body
    changed = False  # when nothing changes, the text is returned as it was
    index = 0
    while index < len(lines):
        line = lines[index]
        title = _google_title(line)
        if title is None:
            if sections and _FOREIGN_FIELD.match(line):
                # A reST or Epytext field after the sections (a docstring mixing styles): the
                # other style's parser reads it; for this one it is not description.
                index = _section_end(lines, index)
                changed = True
            elif _says_nothing_inline(line):
                index += 1
                changed = True
            else:
                prose.append(line)
                changed = changed or bool(sections and line.strip())
                index += 1
            continue
        end = _section_end(lines, index)
        body = lines[index + 1 : end]
        kept = _kept_entries(title, body)
        index = end
        if kept is not body:
            changed = True
        if not kept:
            continue
        if title in sections:  # given twice: merged below
            changed = True
        sections.setdefault(title, [[line]]).append(kept)
    if not changed:
        return text
    merged: list[str] = []
    for header, *bodies in sections.values():
        merged.extend(header)
        if len(bodies) == 1:
            merged.extend(bodies[0])
        else:  # one section, one indentation (the parser splits entries on it)
            merged.extend(line for body in bodies for line in _reindent(body))
    return "\n".join([*prose, "", *merged] if sections else prose)


def _section_end(lines: list[str], index: int) -> int:
    """Where the block starting at ``index`` ends: at the next line that starts at the margin
    (as the parser reads a section)."""
    end = index + 1
    while end < len(lines) and (not lines[end] or lines[end][0] in " \t"):
        end += 1
    return end


def _google_title(line: str) -> str | None:
    stripped = line.rstrip()
    if not stripped.endswith(":"):
        return None
    title = stripped[:-1]
    return title if title in _GOOGLE_SECTIONS else None


def _says_nothing_inline(line: str) -> bool:
    """``Args: None`` on one line: a section saying there is nothing to say."""
    head, colon, rest = line.partition(":")
    return bool(colon) and head in _GOOGLE_SECTIONS and rest.strip().lower() in _NOTHING


def _kept_entries(title: str, body: list[str]) -> list[str]:
    """The body without the entries the parser would refuse or misread; empty when nothing
    is left to say."""
    start = next((line for line in body if line.strip()), None)
    if start is None:
        return []
    if start.strip().lower() in _NOTHING and sum(1 for line in body if line.strip()) == 1:
        return []
    if title not in _LIST_SECTIONS:
        return body
    names_parameters = title in _PARAMETER_SECTIONS
    kept: list[str] = []
    dropped = False
    for entry in _entries(body, start):
        head, colon, _ = entry[0].partition(":")
        if not colon:  # the name may run onto the next lines, as the parser allows
            head, colon, _ = "\n".join(entry).partition(":")
        if not colon or (names_parameters and not _names_a_parameter(head)):
            dropped = True
            continue
        kept.extend(entry)
    return kept if dropped else body  # the body itself: nothing changed


def _names_a_parameter(head: str) -> bool:
    name = head.strip()
    if name.isidentifier():  # the usual case, without a regular expression
        return True
    return bool(_ENTRY_NAME.fullmatch(name) or _ENTRY_NAME.fullmatch(" ".join(name.split())))


def _entries(body: list[str], start: str) -> list[list[str]]:
    """A list section's entries: each starts on a line indented exactly as the first one."""
    indent = start[: len(start) - len(start.lstrip())]
    entries: list[list[str]] = []
    for line in body:
        if line.startswith(indent) and line[len(indent) : len(indent) + 1].strip():
            entries.append([line])  # the entry's margin, then a non-blank character
        elif entries:
            entries[-1].append(line)
        else:
            entries.append([line])
    return entries


def _reindent(body: list[str]) -> list[str]:
    """A section body at four spaces, whatever indentation it was written with, so that two
    bodies merged into one section share an indentation (the parser splits entries on it)."""
    kept = [line for line in body if line.strip()]
    if not kept:
        return []
    margin = min(len(line) - len(line.lstrip()) for line in kept)
    return ["    " + line[margin:] if line.strip() else "" for line in body]


# -- NumPy --------------------------------------------------------------------------------------


def for_numpy(text: str) -> str:
    """Section underlines get exactly as many dashes as the title has letters, and entry
    lines (at the margin, inside a section) get single spaces between words."""
    lines = text.split("\n")
    inside = False
    for index, line in enumerate(lines):
        title = line.rstrip()
        if title in _NUMPY_SECTIONS and index + 1 < len(lines):
            if _UNDERLINE.fullmatch(lines[index + 1]):
                lines[index] = title
                lines[index + 1] = "-" * len(title)
                inside = True
                continue
        if inside and line[:1].strip() and not _UNDERLINE.fullmatch(line):
            lines[index] = " ".join(line.split())
    return "\n".join(lines)


# -- Epytext ------------------------------------------------------------------------------------


def for_epydoc(text: str) -> str:
    """Fields whose first line is not ``@key name...:`` are dropped (with their lines)."""
    kept: list[str] = []
    dropping = False
    for line in text.split("\n"):
        if line.startswith("@"):
            dropping = _EPYDOC_FIELD.match(line) is None
        if not dropping:
            kept.append(line)
    return "\n".join(kept)
