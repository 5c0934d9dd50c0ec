"""The Files API on the model's own transport (``Gemini(...).files``).

Upload works as Google's SDK does it, so any server that serves the SDK serves this:
``start`` declares the size and type and gets an upload URL, then the bytes go in chunks
of 8 MiB at increasing offsets, the last one with ``finalize``. A chunk that fails (a
dropped connection, a 5xx) is not simply sent again: the server is asked how much it has
(``query``) and the upload goes on from there, so an interrupted upload resumes instead of
starting over or duplicating bytes. A video is ``PROCESSING`` for a while after upload;
``wait_active`` waits for it, and a file that failed processing is a ``FileError``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from agentkit.errors import APIConnectionError, FileError
from agentkit.models.paging import every_item
from agentkit.types import File, ListFilesResponse
from agentkit.types.media import UnsupportedMediaType, mime_type_of

if TYPE_CHECKING:
    from agentkit.models.gemini import Gemini

CHUNK_BYTES = 8 * 1024 * 1024
CHUNK_ATTEMPTS = 5


class Files:
    def __init__(self, model: Gemini) -> None:
        self._model = model

    async def upload(
        self,
        source: str | os.PathLike[str] | bytes,
        *,
        mime_type: str | None = None,
        display_name: str | None = None,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> File:
        """Upload a file (a path, or the bytes themselves); the file as the API keeps it.

        The mime type is the one given, else the one the content (or the path's suffix)
        says; a type the API does not take is refused before anything is sent."""
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        name_hint = None if isinstance(source, bytes) else os.fspath(source)
        try:
            mime = mime_type or mime_type_of(data, name_hint)
        except UnsupportedMediaType as error:
            raise FileError(str(error)) from None
        transport = self._model._transport
        described: dict[str, object] = {"mimeType": mime, "sizeBytes": len(data)}
        if display_name is not None:
            described["displayName"] = display_name
        start = await transport.exchange(
            "POST",
            self._upload_url(),
            _json({"file": described}),
            {
                "Content-Type": "application/json",
                "X-Goog-Upload-Protocol": "resumable",
                "X-Goog-Upload-Command": "start",
                "X-Goog-Upload-Header-Content-Length": str(len(data)),
                "X-Goog-Upload-Header-Content-Type": mime,
            },
        )
        if start.status_code >= 400:
            raise await transport.error_for(start)
        upload_url = start.headers.get("x-goog-upload-url")
        if not upload_url:
            raise FileError("the server did not return an upload URL for the file")
        return await self._send_chunks(upload_url, data, chunk_bytes)

    async def _send_chunks(self, upload_url: str, data: bytes, chunk_bytes: int) -> File:
        transport = self._model._transport
        offset, failures = 0, 0
        while True:
            piece = data[offset : offset + chunk_bytes]
            last = offset + len(piece) >= len(data)
            command = "upload, finalize" if last else "upload"
            try:
                answer = await transport.exchange(
                    "POST",
                    upload_url,
                    piece,
                    {"X-Goog-Upload-Command": command, "X-Goog-Upload-Offset": str(offset)},
                )
                failed = answer.status_code >= 500
            except APIConnectionError:
                answer, failed = None, True
            if failed:
                failures += 1
                if failures >= CHUNK_ATTEMPTS:
                    if answer is not None:
                        raise await transport.error_for(answer)
                    raise FileError(f"the upload stopped at byte {offset} of {len(data)}")
                await anyio.sleep(min(0.5 * 2**failures, 8.0))
                offset = await self._received(upload_url)  # resume where the server is
                continue
            assert answer is not None
            if answer.status_code >= 400:
                raise await transport.error_for(answer)
            status = answer.headers.get("x-goog-upload-status")
            if status == "final":
                return File.model_validate(answer.json()["file"])
            if status != "active":
                raise FileError(f"the upload ended unexpectedly (status {status!r})")
            offset += len(piece)
            if last:
                raise FileError("every byte was sent but the upload was not finalized")

    async def _received(self, upload_url: str) -> int:
        """How many bytes the server has of an upload (``query``)."""
        answer = await self._model._transport.exchange(
            "POST", upload_url, None, {"X-Goog-Upload-Command": "query"}
        )
        if answer.status_code >= 400:
            raise await self._model._transport.error_for(answer)
        return int(answer.headers.get("x-goog-upload-size-received", "0"))

    async def get(self, name: str) -> File:
        body = await self._send("GET", _resource(name), "getFile")
        return File.model_validate_json(body)

    def list(self, page_size: int = 100) -> AsyncIterator[File]:
        """Every file of this API key, page by page."""

        async def page(path: str) -> tuple[list[File], str | None]:
            listed = ListFilesResponse.model_validate_json(
                await self._send("GET", path, "listFiles")
            )
            return listed.files or [], listed.next_page_token

        return every_item("files", page_size, page)

    async def delete(self, name: str) -> None:
        await self._send("DELETE", _resource(name), "deleteFile")

    async def download(self, name: str) -> bytes:
        """The bytes of a file the API generated (a batch's responses, say); a file that
        was uploaded cannot be downloaded."""
        return await self._send("GET", f"{_resource(name)}:download?alt=media", "downloadFile")

    async def wait_active(
        self, file: File | str, *, timeout: float = 300.0, poll: float = 1.0
    ) -> File:
        """The file once ``ACTIVE``; a ``FileError`` when it failed or ``timeout`` passed."""
        name = file if isinstance(file, str) else str(file.name)
        with anyio.move_on_after(timeout):
            while True:
                current = await self.get(name)
                if current.state == "ACTIVE":
                    return current
                if current.state == "FAILED":
                    why = (current.error or {}).get("message", "no reason given")
                    raise FileError(f"{name} failed processing: {why}", file=name)
                await anyio.sleep(poll)
        raise FileError(f"{name} did not become ACTIVE within {timeout:g} s", file=name)

    def _upload_url(self) -> str:
        model = self._model
        return f"{model.base_url}upload/{model.api_version}/files"

    async def _send(self, method: str, path: str, operation: str) -> bytes:
        url = self._model._collection_url(path)
        return await self._model._transport.request(method, url, None, operation)


def _resource(name: str) -> str:
    return name if name.startswith("files/") else f"files/{name}"


def _json(value: object) -> bytes:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
