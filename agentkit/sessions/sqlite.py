"""Many sessions in one SQLite database; each save is one transaction."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from agentkit.errors import SessionError
from agentkit.sessions.store import Session, check_name, check_session

_SCHEMA = """
CREATE TABLE IF NOT EXISTS agentkit_sessions (
    name TEXT PRIMARY KEY, history TEXT NOT NULL, meta TEXT NOT NULL, updated TEXT NOT NULL)
"""


class SqliteStore:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise SessionError(f"{self.path}: is a directory, not an SQLite database file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute(_SCHEMA)
        except (sqlite3.DatabaseError, OSError) as error:
            raise SessionError(f"{self.path}: not a usable SQLite database ({error})") from None

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def load(self, name: str) -> Session | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT history, meta FROM agentkit_sessions WHERE name = ?", (check_name(name),)
            ).fetchone()
        if row is None:
            return None
        try:
            history, meta = json.loads(row[0]), json.loads(row[1])
        except ValueError as error:
            raise SessionError(f"{self.path}: session {name!r} is damaged ({error})") from None
        return check_session(history, meta, f"{self.path}: session {name!r}")

    def save(self, name: str, session: Session) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO agentkit_sessions VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE "
                "SET history = excluded.history, meta = excluded.meta, updated = excluded.updated",
                (
                    check_name(name),
                    json.dumps(session.history),
                    json.dumps(session.meta),
                    datetime.now(UTC).isoformat(),
                ),
            )

    def names(self) -> list[str]:
        with self._connect() as db:
            return [
                row[0] for row in db.execute("SELECT name FROM agentkit_sessions ORDER BY name")
            ]

    def delete(self, name: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM agentkit_sessions WHERE name = ?", (check_name(name),))
