"""A throwaway PostgreSQL cluster for tests and benchmarks of the queue (``scale/``).

``throwaway_cluster()`` runs ``initdb`` into a temporary folder and starts ``postgres``
listening only on 127.0.0.1 (a free port; its unix socket in that folder), with durability
switched off (nothing in it outlives the block), and stops and deletes it afterwards. As root
the cluster belongs to the ``postgres`` user, since ``initdb`` refuses to run as root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path


def postgres_binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``, if PostgreSQL is installed."""
    for found in [shutil.which("initdb"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))]:
        if found:
            return Path(found).parent
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def throwaway_cluster(
    max_connections: int = 400, settings: Mapping[str, str] | None = None
) -> Iterator[str]:
    """A running cluster for the block; its URL (user ``agentkit``, database ``postgres``).
    ``settings`` are more server settings (``shared_preload_libraries`` to profile with
    ``pg_stat_statements``, say)."""
    binaries = postgres_binaries()
    if binaries is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="agentkit-pg-"))
    data, sockets = root / "data", root / "sockets"
    data.mkdir()
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        for path in (root, data, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    pg_ctl = [*as_user, str(binaries / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run(
            [*as_user, str(binaries / "initdb"), "-D", str(data), "-U", "agentkit", "-A", "trust"],
            check=True,
            capture_output=True,
        )
        port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off "
            f"-c max_connections={max_connections}"
        )
        for name, value in (settings or {}).items():
            options += f" -c {name}={value}"
        subprocess.run(
            [*pg_ctl, "-o", options, "-l", str(root / "log"), "-w", "start"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql://agentkit@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def new_database(cluster_url: str) -> str:
    """A new, empty database on the cluster; its URL."""
    import psycopg

    name = f"t{os.urandom(6).hex()}"
    with psycopg.connect(cluster_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return cluster_url.rsplit("/", 1)[0] + "/" + name
