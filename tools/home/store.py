"""The home's state in SQLite: devices, scenes and an append-only event log.

Every change happens in one ``BEGIN IMMEDIATE`` transaction that also appends its event, so
concurrent tool calls (each in its own worker thread with its own connection) serialise
cleanly and the log never disagrees with the state. WAL mode lets readers run beside a writer.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lights (
    room TEXT PRIMARY KEY, is_on INTEGER NOT NULL, brightness INTEGER NOT NULL,
    color_temperature TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS thermostat (
    id INTEGER PRIMARY KEY CHECK (id = 1), mode TEXT NOT NULL, target REAL NOT NULL,
    current REAL NOT NULL);
CREATE TABLE IF NOT EXISTS locks (door TEXT PRIMARY KEY, locked INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS blinds (room TEXT PRIMARY KEY, position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sensors (
    name TEXT PRIMARY KEY, kind TEXT NOT NULL, room TEXT NOT NULL, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scenes (name TEXT PRIMARY KEY, changes TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, tool TEXT NOT NULL,
    args TEXT NOT NULL, change TEXT NOT NULL, run_id TEXT, call_id TEXT);
"""

ROOMS = ("living room", "kitchen", "bedroom", "hall", "office")
DOORS = ("front", "back", "garage")
BLIND_ROOMS = ("living room", "bedroom", "office")
SENSORS = (
    ("living room temperature", "temperature", "living room", "20.5"),
    ("outdoor temperature", "temperature", "outside", "8.0"),
    ("hall motion", "motion", "hall", "false"),
    ("front door contact", "door", "hall", "closed"),
)
SCENES: dict[str, list[dict[str, Any]]] = {
    "movie night": [
        {
            "device": "light",
            "room": "living room",
            "is_on": True,
            "brightness": 15,
            "color_temperature": "warm",
        },
        {"device": "light", "room": "kitchen", "is_on": False},
        {"device": "blinds", "room": "living room", "position": 0},
    ],
    "good morning": [
        {
            "device": "light",
            "room": "bedroom",
            "is_on": True,
            "brightness": 70,
            "color_temperature": "daylight",
        },
        {"device": "blinds", "room": "bedroom", "position": 100},
        {"device": "thermostat", "mode": "heat", "target": 21.0},
    ],
    "away": [
        *({"device": "light", "room": room, "is_on": False} for room in ROOMS),
        {"device": "thermostat", "mode": "heat", "target": 16.0},
        *({"device": "lock", "door": door, "locked": True} for door in DOORS),
    ],
}


def default_path() -> Path:
    """``AGENTKIT_HOME_DB``, else ``$XDG_DATA_HOME/agentkit/home.db`` (``~/.local/share``)."""
    explicit = os.environ.get("AGENTKIT_HOME_DB")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "agentkit" / "home.db"


class HomeStore:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            if db.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone() is None:
                self._seed(db)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        return db

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        db = self._connect()
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def changing(
        self, tool: str, args: dict[str, Any], run_id: str | None = None, call_id: str | None = None
    ) -> Iterator[tuple[sqlite3.Connection, list[str]]]:
        """A write transaction; describe each change in the yielded list and it is logged."""
        db = self._connect()
        changes: list[str] = []
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db, changes
            if changes:
                db.execute(
                    "INSERT INTO events (at, tool, args, change, run_id, call_id) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        _now(),
                        tool,
                        json.dumps(args, sort_keys=True),
                        "; ".join(changes),
                        run_id,
                        call_id,
                    ),
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def _seed(self, db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO lights VALUES (?, 0, 0, 'warm')", [(room,) for room in ROOMS])
        db.execute("INSERT INTO thermostat VALUES (1, 'heat', 19.0, 19.5)")
        db.executemany("INSERT INTO locks VALUES (?, 1)", [(door,) for door in DOORS])
        db.executemany("INSERT INTO blinds VALUES (?, 50)", [(room,) for room in BLIND_ROOMS])
        db.executemany("INSERT INTO sensors VALUES (?, ?, ?, ?)", SENSORS)
        db.executemany(
            "INSERT INTO scenes VALUES (?, ?)", [(k, json.dumps(v)) for k, v in SCENES.items()]
        )
        db.execute("INSERT INTO meta VALUES ('seeded', ?)", (_now(),))
        db.execute("COMMIT")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
