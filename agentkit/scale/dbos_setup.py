"""Starting and stopping DBOS in a process, the way every durable part of agentkit does it.

DBOS keeps one instance per process (``DBOS(config=...)`` returns the existing one), and its
workflow registry outlives ``destroy`` unless told otherwise. ``launched`` builds the
instance, lets the caller register its workflows before launch (so launch-time recovery can
run them), and destroys instance and registry on the way out, so a process — a test suite —
can start DBOS again with other workflows and another database.

It also sets what DBOS leaves at costly defaults for agentkit's load, each measured with
``benchmarks/queue_workers.py`` (a queued row is three steps; every step is two database
transactions, each on a pooled connection and an executor thread):

- no ping before each pooled connection is handed out (SQLAlchemy's ``pool_pre_ping``, one
  more round trip per transaction). A connection the server has dropped fails its statement
  instead, and DBOS retries an operation that fails on a lost connection (its ``db_retry``),
  by then on a new connection, since SQLAlchemy discards a connection that failed so;
- at most ``EXECUTOR_THREADS`` executor threads (DBOS's default is unbounded: with dozens of
  rows at once, each blocking database call gets a thread of its own and they fight over
  the GIL on two cores);
- SQLite in WAL mode with ``synchronous=NORMAL``: a commit is one append to the log, not a
  rewrite of the database file followed by two fsyncs. A commit survives the death of the
  process (``kill -9``), which is what durable runs promise; only a power loss or an OS
  crash can take back the last commits.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from dbos import DBOS, DBOSConfig

from agentkit.errors import ConfigurationError

APPLICATION_NAME = "agentkit"
EXECUTOR_THREADS = 8


class _WalConnection(sqlite3.Connection):
    """A SQLite connection in WAL mode with ``synchronous=NORMAL`` (see the module's
    docstring), handed to ``sqlite3.connect`` as its ``factory``: DBOS passes connect
    arguments through to the driver, so no hook into DBOS's engine is needed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA journal_mode=WAL")
        self.execute("PRAGMA synchronous=NORMAL")


def engine_options(url: str) -> dict[str, Any]:
    """SQLAlchemy options for DBOS's engine on ``url``: they update DBOS's own (pool size,
    timeouts), replacing only what is named here."""
    if url.startswith("sqlite"):
        return {"pool_pre_ping": False, "connect_args": {"factory": _WalConnection}}
    return {"pool_pre_ping": False, "connect_args": {"application_name": APPLICATION_NAME}}


def database_url(url: str) -> str:
    """The URL DBOS is given: ``sqlite:///PATH`` (a file, made with its folder) or a
    Postgres URL; anything else is a configuration error naming the URL's scheme."""
    scheme = url.partition("://")[0].lower()
    if scheme == "sqlite":
        path = url.removeprefix(url[: len("sqlite:///")])
        if not path or path == ":memory:":
            raise ConfigurationError(
                f"{url!r}: a durable run needs a database file, e.g. sqlite:///runs.sqlite"
            )
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(path).expanduser()}"
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return url
    raise ConfigurationError(
        f"{scheme!r} databases are not supported for durable runs: give sqlite:///PATH or "
        "postgresql://USER@HOST:PORT/DATABASE"
    )


def fingerprint(*parts: str | bytes) -> str:
    """A short stable digest naming a version of what runs (a run file's bytes and the
    agentkit version): DBOS recovers and dequeues a workflow only in a process of the same
    application version, so a worker with another run file never takes its rows."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def launched(
    url: str,
    *,
    version: str,
    executor_id: str,
    register: Callable[[], None],
) -> Iterator[None]:
    """DBOS running on ``url`` for the block: ``register`` declares the workflows first."""
    system_database = database_url(url)
    config: DBOSConfig = {
        "name": APPLICATION_NAME,
        "system_database_url": system_database,
        "db_engine_kwargs": engine_options(system_database),
        "max_executor_threads": EXECUTOR_THREADS,
        "application_version": version,
        "executor_id": executor_id,
        "log_level": "WARNING",
        "enable_otlp": False,
    }
    DBOS(config=config)
    try:
        register()
        DBOS.launch()
        yield
    finally:
        DBOS.destroy(destroy_registry=True)
        # DBOS's logger keeps the handler it added; agentkit's commands print their own lines.
        logging.getLogger("dbos").handlers.clear()
