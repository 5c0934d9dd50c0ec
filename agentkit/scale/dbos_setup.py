"""Starting and stopping DBOS in a process, the way every durable part of agentkit does it.

DBOS keeps one instance per process (``DBOS(config=...)`` returns the existing one), and its
workflow registry outlives ``destroy`` unless told otherwise. ``launched`` builds the
instance, lets the caller register its workflows before launch (so launch-time recovery can
run them), and destroys instance and registry on the way out, so a process — a test suite —
can start DBOS again with other workflows and another database.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from dbos import DBOS, DBOSConfig

from agentkit.errors import ConfigurationError

APPLICATION_NAME = "agentkit"


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
    config: DBOSConfig = {
        "name": APPLICATION_NAME,
        "system_database_url": database_url(url),
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
