"""The Files API: resumable uploads, file states and their use, with Gemini's rules.

An upload is a session. ``POST /upload/v1beta/files`` with ``X-Goog-Upload-Command: start``
declares the size and type and gets an upload URL. Chunks are then posted to that URL with
``upload`` (and ``upload, finalize`` for the last), each at the offset the server has so
far; ``query`` asks for that offset, so an interrupted upload resumes where it stopped. A
finished file is ``ACTIVE``; a video is ``PROCESSING`` for a while first (on the store's
clock, which tests move on). Files live 48 hours. A request may use a file
(``fileData.fileUri``) only while it exists and is ``ACTIVE``.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentkit.testing.emulator.errors import Rejection
from agentkit.types.media import sniffed

LIFETIME = 48 * 3600.0
VIDEO_PROCESSING_SECONDS = 5.0


@dataclass
class _Upload:
    size: int
    mime_type: str
    display_name: str | None
    received: bytearray = field(default_factory=bytearray)


@dataclass
class _File:
    record: dict[str, Any]
    data: bytes
    ready_at: float
    expires: float
    fails: bool = False  # processing ends in FAILED (a video whose bytes are no video)


@dataclass
class FileStore:
    clock: Callable[[], float] = time.time
    offset: float = 0.0
    _uploads: dict[str, _Upload] = field(default_factory=dict)
    _files: dict[str, _File] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    base_url: str = ""  # set by the server: files are named by their full URI
    # Tests: the next N chunks are taken in but answered with a 503, as when a response is
    # lost after the server got the bytes; the client must ask for the offset and go on.
    lose_answers: int = 0

    def now(self) -> float:
        return self.clock() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    # -- uploading ------------------------------------------------------------------------

    def start(self, headers: dict[str, str], body: Any) -> str:
        """Open an upload session; its id (the upload URL's last part)."""
        if headers.get("x-goog-upload-protocol") != "resumable":
            raise Rejection("Only resumable uploads are supported here.")
        try:
            size = int(headers.get("x-goog-upload-header-content-length", ""))
        except ValueError:
            raise Rejection("X-Goog-Upload-Header-Content-Length is required.") from None
        described = (body or {}).get("file") or {} if isinstance(body, dict) else {}
        # Google's JSON takes field names in either case; the SDK sends snake_case here.
        mime = headers.get("x-goog-upload-header-content-type") or _either(described, "mimeType")
        if not mime:
            raise Rejection("The file's mime type is required (X-Goog-Upload-Header-Content-Type).")
        session = f"upload-{next(self._ids):06d}"
        self._uploads[session] = _Upload(size, mime, _either(described, "displayName"))
        return session

    def chunk(
        self, session: str, headers: dict[str, str], data: bytes
    ) -> tuple[str, dict[str, Any] | None, int]:
        """Take a chunk (or answer a query): the upload's status (``active`` or ``final``),
        the file when final, and the bytes received so far."""
        upload = self._uploads.get(session)
        if upload is None:
            raise Rejection(
                "The upload session is not known or has ended.", code=404, status="NOT_FOUND"
            )
        command = {c.strip() for c in headers.get("x-goog-upload-command", "").split(",")}
        if command == {"query"}:
            return "active", None, len(upload.received)
        if "upload" not in command:
            raise Rejection(f"Unknown upload command {headers.get('x-goog-upload-command')!r}.")
        offset = int(headers.get("x-goog-upload-offset", "-1"))
        if offset != len(upload.received):
            raise Rejection(
                f"The upload offset {offset} does not match the {len(upload.received)} bytes "
                "received; query the upload for its offset."
            )
        upload.received.extend(data)
        if len(upload.received) > upload.size:
            raise Rejection("More bytes were sent than the upload declared.")
        if self.lose_answers:
            self.lose_answers -= 1
            raise Rejection("The service is currently unavailable.", code=503)
        if "finalize" not in command:
            return "active", None, len(upload.received)
        if len(upload.received) != upload.size:
            raise Rejection(
                f"The upload was finalized with {len(upload.received)} of {upload.size} bytes."
            )
        del self._uploads[session]
        return "final", self._store(upload), upload.size

    def _store(self, upload: _Upload) -> dict[str, Any]:
        now = self.now()
        name = f"files/emu{next(self._ids):06d}"
        data = bytes(upload.received)
        video = upload.mime_type.startswith("video/")
        record = {
            "name": name,
            "mimeType": upload.mime_type,
            "sizeBytes": str(len(data)),
            "createTime": _stamp(now),
            "updateTime": _stamp(now),
            "expirationTime": _stamp(now + LIFETIME),
            "sha256Hash": base64.b64encode(hashlib.sha256(data).digest()).decode(),
            "uri": f"{self.base_url}v1beta/{name}",
            "state": "PROCESSING" if video else "ACTIVE",
            "source": "UPLOADED",
        }
        if upload.display_name:
            record["displayName"] = upload.display_name
        ready = now + (VIDEO_PROCESSING_SECONDS if video else 0.0)
        fails = video and not (sniffed(data) or "").startswith("video/")
        self._files[name] = _File(record, data, ready, now + LIFETIME, fails)
        return dict(record)

    # -- the resource ---------------------------------------------------------------------

    def get(self, name: str) -> dict[str, Any]:
        return dict(self._live(name).record)

    def list(self, page_size: int | None, page_token: str | None) -> dict[str, Any]:
        names = [name for name in list(self._files) if self._alive(name)]
        start, size = int(page_token or 0), page_size or 10
        page: dict[str, Any] = {"files": [self.get(n) for n in names[start : start + size]]}
        if start + size < len(names):
            page["nextPageToken"] = str(start + size)
        return page

    def delete(self, name: str) -> None:
        self._live(name)
        del self._files[name]

    def contents(self, name: str) -> bytes:
        """The bytes of a live file (a batch reads its input file so)."""
        return self._live(name).data

    def add_generated(self, data: bytes, mime_type: str, display_name: str) -> dict[str, Any]:
        """Keep a file the API made itself (a batch's responses): ``GENERATED``, and, unlike
        an uploaded file, downloadable (``download``)."""
        now = self.now()
        name = f"files/batch-emu{next(self._ids):06d}"
        record = {
            "name": name,
            "displayName": display_name,
            "mimeType": mime_type,
            "sizeBytes": str(len(data)),
            "createTime": _stamp(now),
            "updateTime": _stamp(now),
            "expirationTime": _stamp(now + LIFETIME),
            "sha256Hash": base64.b64encode(hashlib.sha256(data).digest()).decode(),
            "uri": f"{self.base_url}v1beta/{name}",
            "downloadUri": f"{self.base_url}download/v1beta/{name}:download?alt=media",
            "state": "ACTIVE",
            "source": "GENERATED",
        }
        self._files[name] = _File(record, data, now, now + LIFETIME)
        return dict(record)

    def download(self, name: str) -> bytes:
        """A generated file's bytes; an uploaded file cannot be downloaded (the API holds
        it for requests to use, not to hand back)."""
        stored = self._live(name)
        if stored.record.get("source") != "GENERATED":
            raise Rejection(
                f"Only files the API generated can be downloaded; {name} was uploaded.",
                status="FAILED_PRECONDITION",
            )
        return stored.data

    def check_use(self, uri: str) -> None:
        """Raise Gemini's error for a Files API URI a request may not use (other URIs, a
        YouTube link say, are not the Files API's to judge)."""
        if "/files/" not in uri:
            return
        name = "files/" + uri.rstrip("/").rsplit("/files/", 1)[-1]
        state = self._live(name).record["state"]
        if state != "ACTIVE":
            raise Rejection(
                f"The File {name.removeprefix('files/')} is not in an ACTIVE state and usage "
                "is not allowed.",
                status="FAILED_PRECONDITION",
            )

    def _alive(self, name: str) -> bool:
        stored = self._files.get(name)
        if stored is None:
            return False
        if stored.expires <= self.now():
            del self._files[name]
            return False
        return True

    def _live(self, name: str) -> _File:
        if not self._alive(name):
            raise Rejection(
                f"You do not have permission to access the File {name.removeprefix('files/')} "
                "or it may not exist.",
                code=403,
                status="PERMISSION_DENIED",
            )
        stored = self._files[name]
        if stored.record["state"] == "PROCESSING" and self.now() >= stored.ready_at:
            stored.record["state"] = "FAILED" if stored.fails else "ACTIVE"
            if stored.fails:
                mime = stored.record["mimeType"]
                stored.record["error"] = {"code": 400, "message": f"The file is not valid {mime}."}
            stored.record["updateTime"] = _stamp(self.now())
        return stored


def file_uris(payload: Any) -> list[str]:
    """Every ``fileData.fileUri`` a request's contents use."""
    uris = []
    for content in (payload or {}).get("contents") or () if isinstance(payload, dict) else ():
        for part in (content or {}).get("parts") or ():
            data = _either(part, "fileData") if isinstance(part, dict) else None
            uri = _either(data, "fileUri") if isinstance(data, dict) else None
            if isinstance(uri, str):
                uris.append(uri)
    return uris


def _either(fields: dict[str, Any], camel: str) -> Any:
    """A field by its camelCase name or its snake_case one (Google's JSON accepts both)."""
    if camel in fields:
        return fields[camel]
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
    return fields.get(snake)


def _stamp(moment: float) -> str:
    when = datetime.datetime.fromtimestamp(moment, tz=datetime.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
