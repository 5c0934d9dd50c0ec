"""Sessions as JSON files, one per name, written atomically.

A save writes a temporary file in the same directory, flushes it to disk and renames it over
the old one, so a reader (or a crash) only ever sees the previous or the new session, never a
half-written one. A file that is not an agentkit session is reported, never overwritten.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from agentkit.errors import SessionError
from agentkit.sessions.store import FORMAT, VERSION, Session, check_name, check_session


class JsonFileStore:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def path(self, name: str) -> Path:
        return self.directory / f"{check_name(name)}.json"

    def load(self, name: str) -> Session | None:
        path = self.path(name)
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
        return check_session(data.get("history"), data.get("meta", {}), str(path))

    def save(self, name: str, session: Session) -> None:
        path = self.path(name)
        if path.exists():
            self.load(name)  # refuses to replace a foreign or damaged file
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SessionError(
                f"{self.directory}: cannot hold sessions: {error.strerror or error}"
            ) from None
        document = {
            "format": FORMAT,
            "version": VERSION,
            "name": name,
            "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            "meta": session.meta,
            "history": session.history,
        }
        data = json.dumps(document, ensure_ascii=False, indent=1).encode()
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

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.json") if not p.name.startswith("."))

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)
