"""Sessions as files, one per name: an append-only log of the turns, one JSON line each.

A conversation only grows, so a save after a step writes the step's turns (and the meta, when
it changed) at the end of the file, flushed to disk: a 5,000-turn session costs what its last
step added, not a rewrite of everything. A crash can leave a torn last line; it is dropped on
load (its step is the one that was in progress) and cut off before the next append. When the
history does not continue the saved one (edited, cut short), the file is written anew in a
temporary file renamed over the old one, so a reader only ever sees a whole session.

Files of the earlier format (one JSON document, ``NAME.json``) still load; the first save
writes the log beside it and removes it. A file that is not an agentkit session is reported,
never overwritten.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentkit.errors import SessionError
from agentkit.sessions.store import (
    FORMAT,
    LOG_VERSION,
    VERSION,
    Session,
    check_name,
    check_session,
    continues,
)


@dataclass
class _Saved:
    """What this store last read or wrote of a session: its turns (the caller's objects, to
    recognise a history that continues them), its meta, and where its file's whole lines
    end (another writer moving it means the file is read again)."""

    turns: list[dict[str, Any]]
    meta: dict[str, Any]
    end: int


class JsonFileStore:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._saved: dict[str, _Saved] = {}

    def path(self, name: str) -> Path:
        """The session's log (``NAME.jsonl``)."""
        return self.directory / f"{check_name(name)}.jsonl"

    def _old_path(self, name: str) -> Path:
        return self.directory / f"{check_name(name)}.json"

    def load(self, name: str) -> Session | None:
        path = self.path(name)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return self._load_old(name)
        except OSError as error:
            raise SessionError(f"{path}: cannot be read: {error.strerror}") from None
        history, meta, end = _read_log(data, str(path))
        session = check_session(history, meta, str(path))
        self._saved[name] = _Saved(list(session.history), dict(meta), end)
        return session

    def _load_old(self, name: str) -> Session | None:
        path = self._old_path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as error:
            raise SessionError(f"{path}: cannot be read: {error.strerror}") from None
        try:
            data = json.loads(text)
        except ValueError as error:
            raise SessionError(f"{path}: damaged session file (not valid JSON: {error})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise SessionError(f"{path}: not an agentkit session file; it was left as it is")
        if data.get("version") != VERSION:
            raise SessionError(
                f"{path}: session format version {data.get('version')!r} is not supported"
            )
        self._saved.pop(name, None)  # the next save writes the log
        return check_session(data.get("history"), data.get("meta", {}), str(path))

    def save(self, name: str, session: Session) -> None:
        path = self.path(name)
        saved = self._saved.get(name)
        if saved is None or _size(path) != saved.end:
            # Not read or written by this store, or written by someone else since: read it
            # (a foreign or damaged file is refused, never replaced).
            if path.exists() or self._old_path(name).exists():
                self.load(name)
            saved = self._saved.get(name)
        if saved is not None and continues(saved.turns, session.history):
            self._append(name, path, saved, session)
        else:
            self._rewrite(name, path, session)

    def _append(self, name: str, path: Path, saved: _Saved, session: Session) -> None:
        added = session.history[len(saved.turns) :]
        lines = [_line({"turn": turn}) for turn in added]
        if session.meta != saved.meta:
            lines.append(_line({"meta": session.meta, "updated": _now()}))
        if lines:
            data = b"".join(lines)
            try:
                with open(path, "r+b") as stream:
                    stream.truncate(saved.end)  # a torn line a crash left is cut off
                    stream.seek(saved.end)
                    stream.write(data)
                    stream.flush()
                    os.fsync(stream.fileno())
            except OSError as error:
                raise SessionError(f"{path}: cannot be written: {error.strerror}") from None
            saved.end += len(data)
        saved.turns.extend(added)
        saved.meta = dict(session.meta)

    def _rewrite(self, name: str, path: Path, session: Session) -> None:
        header = {"format": FORMAT, "version": LOG_VERSION, "name": name}
        lines = [_line(header), *(_line({"turn": turn}) for turn in session.history)]
        lines.append(_line({"meta": session.meta, "updated": _now()}))
        data = b"".join(lines)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SessionError(
                f"{self.directory}: cannot hold sessions: {error.strerror or error}"
            ) from None
        try:
            handle, temporary = tempfile.mkstemp(
                dir=self.directory, prefix=f".{name}.", suffix=".tmp"
            )
        except OSError as error:
            raise SessionError(f"{self.directory}: cannot be written: {error.strerror}") from None
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._old_path(name).unlink(missing_ok=True)  # the log holds it now
        self._saved[name] = _Saved(list(session.history), dict(session.meta), len(data))

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        found = {
            p.stem
            for pattern in ("*.jsonl", "*.json")
            for p in self.directory.glob(pattern)
            if not p.name.startswith(".")
        }
        return sorted(found)

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)
        self._old_path(name).unlink(missing_ok=True)
        self._saved.pop(name, None)


def _read_log(data: bytes, where: str) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    """The history, meta and the end of the last whole line of a session log. A last line
    without its newline is what a crash tore: dropped. A bad line before it is damage."""
    history: list[dict[str, Any]] = []
    meta: dict[str, Any] = {}
    end = data.rfind(b"\n") + 1  # a torn tail (no newline yet) is not read
    lines = data[:end].split(b"\n")[:-1]
    if not lines:
        raise SessionError(f"{where}: damaged session file (no header line)")
    try:
        header = json.loads(lines[0])
    except ValueError:
        raise SessionError(f"{where}: not an agentkit session file; it was left as it is") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise SessionError(f"{where}: not an agentkit session file; it was left as it is")
    if header.get("version") != LOG_VERSION:
        raise SessionError(
            f"{where}: session format version {header.get('version')!r} is not supported"
        )
    for number, line in enumerate(lines[1:], start=2):
        try:
            record = json.loads(line)
        except ValueError as error:
            raise SessionError(f"{where}: damaged session file (line {number}: {error})") from None
        if not isinstance(record, dict):
            raise SessionError(f"{where}: damaged session file (line {number} is not an object)")
        if "turn" in record:
            history.append(record["turn"])
        elif "meta" in record:
            meta = record["meta"]
    return history, meta, end


def _line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1
