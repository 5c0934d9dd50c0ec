"""What a batch remembers of its Batch API jobs, so a killed batch picks up where it was.

One SQLite file (beside the results, shared with the runs' saved transcripts) holds every
job the batch made: its display name (chosen, and written down, before the job is asked
for, so a job whose create answer was lost can still be found by it), its name once known,
its last known state, and which request of which run it holds — by a digest of the
request's exact bytes. A run resumed from its saved transcript makes the same request
again; finding it here, the batch waits for (or reads) that job instead of sending the
request a second time.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agentkit.errors import SessionError

PLANNED = "PLANNED"  # written down, not yet (known to be) created
LOST = "LOST"  # planned but never created, or gone from the API: its requests go again
# States whose job will never answer its requests: they are sent again in a new job.
UNANSWERED = frozenset({LOST, "BATCH_STATE_FAILED", "BATCH_STATE_CANCELLED", "BATCH_STATE_EXPIRED"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS agentkit_batch_jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    display_name TEXT NOT NULL UNIQUE,
    name TEXT,
    state TEXT NOT NULL,
    requests INTEGER NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS agentkit_batch_requests (
    seq INTEGER NOT NULL,
    position INTEGER NOT NULL,
    run TEXT NOT NULL,
    key TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (seq, position)
);
CREATE INDEX IF NOT EXISTS agentkit_batch_requests_by_run
    ON agentkit_batch_requests (run, digest);
CREATE TABLE IF NOT EXISTS agentkit_batch_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class JobEntry:
    """One request of a job: the run it belongs to, its key in the job, its digest."""

    run: str
    key: str
    digest: str


@dataclass(frozen=True)
class JobRecord:
    seq: int
    display_name: str
    name: str | None
    state: str
    requests: int


class JobLedger:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            with self._db() as db:
                db.executescript(_SCHEMA)
                found = db.execute(
                    "SELECT value FROM agentkit_batch_meta WHERE key = 'token'"
                ).fetchone()
                if found is None:
                    # Tells this batch's jobs from other batches' on the same API key.
                    self.token = secrets.token_hex(4)
                    db.execute("INSERT INTO agentkit_batch_meta VALUES ('token', ?)", (self.token,))
                else:
                    self.token = str(found[0])
        except (sqlite3.DatabaseError, OSError) as error:
            raise SessionError(f"{self.path}: not a usable batch state file ({error})") from None

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            with db:  # one transaction: committed whole, or not at all
                yield db
        finally:
            db.close()

    def plan(self, label: str, entries: Sequence[JobEntry]) -> JobRecord:
        """Write a job down before it is asked for; its display name is unique to it."""
        now = _now()
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO agentkit_batch_jobs (display_name, state, requests, created, "
                "updated) VALUES (?, ?, ?, ?, ?)",
                (f"{label} {self.token} (planned)", PLANNED, len(entries), now, now),
            )
            seq = int(cursor.lastrowid or 0)
            display_name = f"{label} {self.token}-{seq}"
            db.execute(
                "UPDATE agentkit_batch_jobs SET display_name = ? WHERE seq = ?",
                (display_name, seq),
            )
            db.executemany(
                "INSERT INTO agentkit_batch_requests VALUES (?, ?, ?, ?, ?)",
                [(seq, n, e.run, e.key, e.digest) for n, e in enumerate(entries)],
            )
        return JobRecord(seq, display_name, None, PLANNED, len(entries))

    def update(self, seq: int, *, state: str, name: str | None = None) -> None:
        with self._db() as db:
            if name is not None:
                db.execute("UPDATE agentkit_batch_jobs SET name = ? WHERE seq = ?", (name, seq))
            db.execute(
                "UPDATE agentkit_batch_jobs SET state = ?, updated = ? WHERE seq = ?",
                (state, _now(), seq),
            )

    def holding(self, run: str, digest: str) -> list[JobRecord]:
        """The jobs that hold this exact request of ``run`` and may still answer it, the
        newest first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT j.seq, j.display_name, j.name, j.state, j.requests FROM "
                "agentkit_batch_requests r JOIN agentkit_batch_jobs j ON j.seq = r.seq "
                "WHERE r.run = ? AND r.digest = ? ORDER BY j.seq DESC",
                (run, digest),
            ).fetchall()
        return [JobRecord(*row) for row in rows if row[3] not in UNANSWERED]

    def entries(self, seq: int) -> list[JobEntry]:
        """The requests of a job, in the order they were sent."""
        with self._db() as db:
            rows = db.execute(
                "SELECT run, key, digest FROM agentkit_batch_requests WHERE seq = ? "
                "ORDER BY position",
                (seq,),
            ).fetchall()
        return [JobEntry(*row) for row in rows]

    def jobs(self) -> list[JobRecord]:
        with self._db() as db:
            rows = db.execute(
                "SELECT seq, display_name, name, state, requests FROM agentkit_batch_jobs "
                "ORDER BY seq"
            ).fetchall()
        return [JobRecord(*row) for row in rows]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
