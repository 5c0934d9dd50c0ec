"""Many sessions in one SQLite database, a turn to a row; each save is one transaction.

A save after a step inserts the step's turns as rows (and updates the session's meta), so a
long conversation costs what its last step added. When the history does not continue the
saved one, its rows are replaced in the same transaction. Databases of the earlier format
(the whole history as one JSON text in ``agentkit_sessions.history``) still load; the first
save moves such a session to rows.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentkit.errors import SessionError
from agentkit.sessions.store import Session, check_name, check_session, continues

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS agentkit_sessions (
    name TEXT PRIMARY KEY, history TEXT NOT NULL, meta TEXT NOT NULL, updated TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS agentkit_session_turns (
    name TEXT NOT NULL, position INTEGER NOT NULL, turn TEXT NOT NULL,
    PRIMARY KEY (name, position)) WITHOUT ROWID""",
)
# ``agentkit_sessions.history`` of a session whose turns are rows (the earlier format kept
# the whole history there as a JSON array).
IN_ROWS = "rows"


@dataclass
class _Saved:
    """What this store last read or wrote of a session: its turns (the caller's objects, to
    recognise a history that continues them) and when it was written (another writer since
    means the session is read again)."""

    turns: list[dict[str, Any]]
    updated: str


class SqliteStore:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._saved: dict[str, _Saved] = {}
        if self.path.is_dir():
            raise SessionError(f"{self.path}: is a directory, not an SQLite database file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                for statement in _SCHEMA:
                    db.execute(statement)
        except (sqlite3.DatabaseError, OSError) as error:
            raise SessionError(f"{self.path}: not a usable SQLite database ({error})") from None

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def load(self, name: str) -> Session | None:
        with self._connect() as db:
            found = self._read(db, check_name(name))
        if found is None:
            return None
        session, updated = found
        self._saved[name] = _Saved(list(session.history), updated)
        return session

    def _read(self, db: sqlite3.Connection, name: str) -> tuple[Session, str] | None:
        row = db.execute(
            "SELECT history, meta, updated FROM agentkit_sessions WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            return None
        try:
            if row[0] == IN_ROWS:
                turns = db.execute(
                    "SELECT turn FROM agentkit_session_turns WHERE name = ? ORDER BY position",
                    (name,),
                )
                history = [json.loads(turn) for (turn,) in turns]
            else:
                history = json.loads(row[0])
            meta = json.loads(row[1])
        except ValueError as error:
            raise SessionError(f"{self.path}: session {name!r} is damaged ({error})") from None
        return check_session(history, meta, f"{self.path}: session {name!r}"), str(row[2])

    def save(self, name: str, session: Session) -> None:
        check_name(name)
        updated = datetime.now(UTC).isoformat()
        with self._connect() as db:
            saved = self._saved.get(name)
            row = db.execute(
                "SELECT history, updated FROM agentkit_sessions WHERE name = ?", (name,)
            ).fetchone()
            if saved is not None and (row is None or row[0] != IN_ROWS or row[1] != saved.updated):
                saved = None  # written by someone else since (or never in rows): start over
            if saved is not None and continues(saved.turns, session.history):
                start = len(saved.turns)
            else:
                db.execute("DELETE FROM agentkit_session_turns WHERE name = ?", (name,))
                start = 0
            db.executemany(
                "INSERT INTO agentkit_session_turns VALUES (?, ?, ?)",
                (
                    (name, position, json.dumps(turn))
                    for position, turn in enumerate(session.history[start:], start)
                ),
            )
            db.execute(
                "INSERT INTO agentkit_sessions VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE "
                "SET history = excluded.history, meta = excluded.meta, updated = excluded.updated",
                (name, IN_ROWS, json.dumps(session.meta), updated),
            )
        self._saved[name] = _Saved(list(session.history), updated)

    def names(self) -> list[str]:
        with self._connect() as db:
            return [
                row[0] for row in db.execute("SELECT name FROM agentkit_sessions ORDER BY name")
            ]

    def delete(self, name: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM agentkit_sessions WHERE name = ?", (check_name(name),))
            db.execute("DELETE FROM agentkit_session_turns WHERE name = ?", (name,))
        self._saved.pop(name, None)
