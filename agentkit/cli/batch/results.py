"""The results file: one JSON line per row, appended with a single ``write``.

A line is either wholly there or not at all, even if the process is killed, because each is
one ``write`` to a file opened with ``O_APPEND``. Opening the file at the start of a batch does
three more things:

- a torn last line (power loss, a full disk) is cut off, never built upon;
- the error lines of rows about to run again are dropped, so that after the rerun the file
  still holds exactly one line per id;
- the file is locked, and a second batch on the same file is refused: two writers would run
  the same rows twice, and one appending to a file the other has just replaced would be
  writing into a deleted file — its rows would be lost.

Any change to what is already there is made by writing the kept lines to a temporary file
beside it, ``fsync``-ing that, and renaming it over the original, so a ``kill -9`` at any
moment leaves the old file or the new one, each whole. The temporary file is locked before the
rename, so the lock moves with it.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentkit.cli.batch.inputs import InputError
from agentkit.textfiles import check_writable

FINISHED = frozenset({"ok", "limit"})  # a run that stopped at a limit is finished, not failed
FAILED = "error"
STATUSES = FINISHED | {FAILED}


@dataclass(frozen=True)
class Row:
    """One line of the results file, with its exact bytes (newline included)."""

    id: str
    status: str
    error_type: str | None
    line: bytes


def parse_results(data: bytes, path: Path) -> list[Row]:
    """The rows of a results file; anything after the last newline is a torn line and is not
    a row. Lines are split on ``\\n`` only: text may hold other line separators (U+2028, a
    bare CR) inside a JSON string."""
    complete = data.rfind(b"\n") + 1
    rows: list[Row] = []
    for number, line in enumerate(data[:complete].split(b"\n")[:-1], 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if (
            not isinstance(record, dict)
            or "id" not in record
            or record.get("status") not in STATUSES
        ):
            raise InputError(
                f"{path}:{number}: not a results file written by agentkit batch (each line is "
                'an object with an "id" and a "status"); give --out a file of its own'
            )
        error_type = None
        if record["status"] == FAILED:
            error = record.get("error")
            error_type = str(error.get("type") or "error") if isinstance(error, dict) else "error"
        rows.append(Row(str(record["id"]), record["status"], error_type, line + b"\n"))
    return rows


class ResultsFile:
    """An open, locked results file: the rows it kept at the start, and appends."""

    def __init__(self, fd: int, rows: list[Row], dropped: list[Row]) -> None:
        self.rows = rows
        self.dropped = dropped
        self._fd = fd

    @classmethod
    def open(cls, path: Path, *, drop_failed: Collection[str]) -> ResultsFile:
        """Open (or create) ``path``, dropping the error lines of the ids in ``drop_failed``."""
        check_writable(path, f"--out {path}", InputError)
        try:
            fd = _open_locked(path)
        except OSError as error:
            raise InputError(f"{path}: cannot open the results file: {error.strerror}") from None
        try:
            data = _read_all(fd)
            rows = parse_results(data, path)
            kept = [r for r in rows if not (r.status == FAILED and r.id in drop_failed)]
            dropped = [r for r in rows if r.status == FAILED and r.id in drop_failed]
            content = b"".join(row.line for row in kept)
            if content != data:
                fd = replace_atomically(path, fd, content)
            else:  # a rewrite a killed batch left unfinished; the lock makes it ours to remove
                temporary_path(path).unlink(missing_ok=True)
        except BaseException:
            os.close(fd)
            raise
        return cls(fd, kept, dropped)

    def append(self, record: dict[str, Any]) -> None:
        data = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode()
        _write_all(self._fd, data)

    def close(self) -> None:
        os.fsync(self._fd)
        os.close(self._fd)  # releases the lock


def temporary_path(path: Path) -> Path:
    """Where a rewrite is prepared: beside the file, so the rename stays on one file system.
    A fixed name: one left by a killed batch is simply overwritten by the next."""
    return path.with_name(f".{path.name}.rewrite")


def replace_atomically(path: Path, old_fd: int, content: bytes) -> int:
    """Put ``content`` in place of ``path`` by temp file, fsync and rename; return the new
    file's descriptor, locked and open for appending. ``old_fd`` is closed once it is
    replaced (keeping the old file locked until the new one is in place)."""
    temporary = temporary_path(path)
    fd = os.open(temporary, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC)
    try:
        os.chmod(temporary, stat.S_IMODE(os.fstat(old_fd).st_mode))
        _try_lock(fd)  # free: only the holder of the results file's lock gets here
        _write_all(fd, content)
        os.fsync(fd)
        os.replace(temporary, path)
    except BaseException:
        os.close(fd)
        temporary.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)
    os.close(old_fd)
    return fd


def _open_locked(path: Path) -> int:
    for _ in range(3):
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            raise InputError(f"{path}: another agentkit batch is writing this results file")
        opened, current = os.fstat(fd), os.stat(path)
        if (opened.st_dev, opened.st_ino) == (current.st_dev, current.st_ino):
            return fd
        os.close(fd)  # replaced between our open and our lock: open the new one
    raise InputError(f"{path}: the results file keeps being replaced by another program")


def _try_lock(fd: int) -> bool:
    """An exclusive, non-blocking lock (released when the process ends, even by kill -9)."""
    if sys.platform == "win32":
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)  # appends still go to the end: O_APPEND ignores the offset
    chunks: list[bytes] = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:  # one write() in practice; the loop only guards against a short write
        written = os.write(fd, view)
        view = view[written:]


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (on POSIX a rename lives in the directory)."""
    if sys.platform == "win32":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
