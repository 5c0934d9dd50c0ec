"""``files``: a file uploaded through the Files API, as the API describes it."""

from __future__ import annotations

from typing import Any

from agentkit.types._wire import WireModel


class File(WireModel):
    """An uploaded file: ``uri`` is what a request's ``fileData`` names; it can be used once
    ``state`` is ``ACTIVE`` (a video is ``PROCESSING`` first) and lives 48 hours."""

    name: str | None = None
    display_name: str | None = None
    mime_type: str | None = None
    size_bytes: str | None = None
    create_time: str | None = None
    update_time: str | None = None
    expiration_time: str | None = None
    sha256_hash: str | None = None
    uri: str | None = None
    state: str | None = None
    source: str | None = None
    error: dict[str, Any] | None = None
    video_metadata: dict[str, Any] | None = None


class ListFilesResponse(WireModel):
    files: list[File] | None = None
    next_page_token: str | None = None
