"""What a session store does, and what every store checks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import is_
from typing import Any, Protocol

from agentkit.errors import SessionError
from agentkit.types import Content

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
FORMAT = "agentkit-session"
VERSION = 1  # one JSON document holding the whole history (still read)
LOG_VERSION = 2  # a header line, then one line per turn or change of meta (written)


@dataclass
class Session:
    """A saved conversation: the history (wire Content dicts) and free-form ``meta`` that a
    runner keeps beside it (e.g. how far a scripted invocation got)."""

    history: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


class SessionStore(Protocol):
    def load(self, name: str) -> Session | None:
        """The saved session, or None when there is no such session."""
        ...

    def save(self, name: str, session: Session) -> None: ...

    def names(self) -> list[str]: ...

    def delete(self, name: str) -> None: ...


def check_name(name: str) -> str:
    """Session names become file names: letters, digits, ``_ . -``; no path tricks."""
    if not NAME.match(name) or ".." in name:
        raise SessionError(
            f"invalid session name {name!r}: use letters, digits, '_', '.', '-' (at most 100)"
        )
    return name


def check_session(history: Any, meta: Any, where: str) -> Session:
    if not isinstance(meta, dict):
        raise SessionError(f"{where}: the session's meta is not an object")
    return Session(check_history(history, where), meta)


def check_history(history: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(history, list) or not all(
        isinstance(item, dict) and isinstance(item.get("parts"), list) for item in history
    ):
        raise SessionError(f"{where}: the history is not a list of Content objects")
    return history


def continues(saved: Sequence[Any], history: Sequence[Any]) -> bool:
    """Whether ``history`` starts with the turns ``saved``: then a save only adds the rest.

    The turns are compared as the same objects first (in C: what a runner saves after each
    step is its history with new turns appended), then by value. A session's turns are
    values: a turn changed in place after it was saved is not looked for — a changed turn
    is a new dict, as agentkit makes them."""
    if len(history) < len(saved):
        return False
    if all(map(is_, saved, history)):
        return True
    return list(saved) == list(history[: len(saved)])


class WireHistory:
    """A run's turns as the wire dicts a session holds, converted once per turn: after a
    step only the new turns are converted, and the dicts already saved stay the same
    objects, so the store recognises the history as theirs continued and appends."""

    def __init__(self, turns: list[dict[str, Any]] | None = None) -> None:
        self.turns: list[dict[str, Any]] = turns if turns is not None else []
        self._contents: list[Content] = []

    def load(self) -> list[Content]:
        """The turns as Content objects, for the run (its own: nothing else holds them)."""
        self._contents = [Content.model_validate(item) for item in self.turns]
        return list(self._contents)

    def follow(self, contents: Sequence[Content]) -> list[dict[str, Any]]:
        """``turns`` for ``contents``: extended when they continue the turns known, else
        made anew (an earlier turn was replaced, e.g. by an upload's reference)."""
        known = self._contents
        if len(contents) >= len(known) and all(map(is_, known, contents)):
            self.turns.extend(content.to_wire() for content in contents[len(known) :])
        else:
            self.turns = [content.to_wire() for content in contents]
        self._contents = list(contents)
        return self.turns
