"""What a session store does, and what every store checks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from agentkit.errors import SessionError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
FORMAT = "agentkit-session"
VERSION = 1


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
