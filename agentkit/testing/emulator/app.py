"""The emulator's HTTP surface: Gemini's REST routes as a Starlette app."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agentkit.models.capabilities import ModelCapabilities
from agentkit.testing.answers import estimate_tokens, stream_events
from agentkit.testing.emulator.batch_routes import batch_routes, create_batch
from agentkit.testing.emulator.catalog import model_entry
from agentkit.testing.emulator.errors import Rejection, error_body
from agentkit.testing.emulator.faults import Fault
from agentkit.testing.emulator.generation import generate
from agentkit.testing.emulator.intake import check_auth as _check_auth
from agentkit.testing.emulator.intake import parse_json as _parse_json
from agentkit.testing.emulator.intake import recorded as _recorded
from agentkit.testing.emulator.state import EmulatorState, RecordedRequest
from agentkit.testing.emulator.strict import check_content, check_generate_request
from agentkit.types import GenerateContentRequest

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class IntentionalAbort(Exception):
    """Raised inside a response to break the connection on purpose (a fault, not a bug)."""


class _ChunkedResponse(Response):
    """Sends ``chunks`` as the body, then either ends cleanly or breaks the connection."""

    def __init__(
        self,
        chunks: list[bytes],
        *,
        media_type: str,
        abort: bool,
        declared_length: int | None = None,
    ) -> None:
        super().__init__(status_code=200, media_type=media_type)
        self.chunks = chunks
        self.abort = abort
        # Response computes a length for its (empty) body; the chunks make it wrong, so the
        # header goes and uvicorn sends chunked encoding, unless a fault declares a length.
        del self.headers["content-length"]
        if declared_length is not None:
            self.headers["content-length"] = str(declared_length)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        for chunk in self.chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            # Let the server notice a client that hung up (a consumer that stopped reading):
            # uvicorn then drops further writes instead of failing on a dead socket.
            await anyio.sleep(0)
        if self.abort:
            raise IntentionalAbort("fault: connection broken on purpose")
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _sse(event: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(event, ensure_ascii=False).encode() + b"\r\n\r\n"


def _recut(chunks: list[bytes], size: int | None) -> list[bytes]:
    """The same bytes in writes of ``size`` (the last may be shorter); as is without one."""
    if size is None:
        return chunks
    body = b"".join(chunks)
    return [body[start : start + size] for start in range(0, len(body), size)]


def build_app(state: EmulatorState) -> Starlette:
    async def model_post(request: Request) -> Response:
        target = request.path_params["target"]
        model, _, action = target.rpartition(":")
        body = await request.body()
        entry = state.record(
            RecordedRequest(
                method="POST",
                path=request.url.path,
                query=request.url.query,
                headers=dict(request.headers),
                body=body,
                stream=action == "streamGenerateContent",
            )
        )
        try:
            if action == "batchGenerateContent":
                return create_batch(state, request, model, body, entry)
            state.check_size(body)
            _check_auth(state, request)
            entry.json = _parse_json(body)
            if action not in ("generateContent", "streamGenerateContent", "countTokens"):
                raise Rejection(f"Method not found: {action!r}.", code=404, status="NOT_FOUND")
            served = state.served(
                model,
                version=request.path_params["version"],
                action=action,
                vertex=_vertex(request),
            )
            if action == "countTokens":
                return _count_tokens(entry.json)
            return await _generate(state, model, served, entry)
        except Rejection as rejection:
            entry.status_code = rejection.code
            entry.rejection = rejection.message
            return JSONResponse(rejection.body, status_code=rejection.code)

    async def model_get(request: Request) -> Response:
        entry = state.record(_recorded_get(request))
        try:
            _check_auth(state, request)
            name = request.path_params["target"]
            served = state.served(
                name, version=request.path_params["version"], action="generateContent"
            )
            return JSONResponse(model_entry(name, served))
        except Rejection as rejection:
            entry.status_code, entry.rejection = rejection.code, rejection.message
            return JSONResponse(rejection.body, status_code=rejection.code)

    async def list_models(request: Request) -> Response:
        entry = state.record(_recorded_get(request))
        try:
            _check_auth(state, request)
        except Rejection as rejection:
            entry.status_code, entry.rejection = rejection.code, rejection.message
            return JSONResponse(rejection.body, status_code=rejection.code)
        catalog = [model_entry(name, served) for name, served in state.options.models.items()]
        size = int(request.query_params.get("pageSize") or len(catalog))
        start = int(request.query_params.get("pageToken") or 0)
        page: dict[str, Any] = {"models": catalog[start : start + size]}
        if start + size < len(catalog):
            page["nextPageToken"] = str(start + size)
        return JSONResponse(page)

    async def caches(request: Request) -> Response:
        """``cachedContents``: create (POST), list (GET), get / update (PATCH) / delete."""
        body = await request.body()
        entry = state.record(_recorded(request, body))

        def work() -> Response:
            _check_auth(state, request)
            entry.json = _parse_json(body) if body else None
            version = request.path_params["version"]
            name = request.path_params.get("cache")
            store = state.caches
            if name is None and request.method == "POST":

                def served(model: str) -> None:
                    state.served(model, version=version, action="generateContent")

                return JSONResponse(store.create(entry.json, served))
            if name is None:
                size = request.query_params.get("pageSize")
                token = request.query_params.get("pageToken")
                return JSONResponse(store.list(int(size) if size else None, token))
            full = f"cachedContents/{name}"
            if request.method == "GET":
                return JSONResponse(store.get(full))
            if request.method == "PATCH":
                return JSONResponse(store.update(full, entry.json))
            store.delete(full)
            return JSONResponse({})

        return _answered(entry, work)

    async def upload(request: Request) -> Response:
        """A resumable upload: ``start`` opens it, then chunks go to the upload URL."""
        body = await request.body()
        # The bytes of a file are not kept twice: the record holds their start only.
        entry = state.record(_recorded(request, body[:4096]))
        store = state.files
        store.base_url = str(request.base_url)

        def work() -> Response:
            _check_auth(state, request)
            headers = {key.lower(): value for key, value in request.headers.items()}
            session = request.query_params.get("upload_id")
            if session is None:
                opened = store.start(headers, _parse_json(body) if body else None)
                url = f"{request.base_url}upload/{request.path_params['version']}/files"
                return JSONResponse(
                    {},
                    headers={
                        "x-goog-upload-url": f"{url}?upload_id={opened}&upload_protocol=resumable",
                        "x-goog-upload-status": "active",
                    },
                )
            status, made, received = store.chunk(session, headers, body)
            reply_headers = {
                "x-goog-upload-status": status,
                "x-goog-upload-size-received": str(received),
            }
            return JSONResponse({"file": made} if made else {}, headers=reply_headers)

        return _answered(entry, work)

    async def files(request: Request) -> Response:
        entry = state.record(_recorded(request, b""))

        def work() -> Response:
            _check_auth(state, request)
            name = request.path_params.get("file")
            store = state.files
            if request.url.path.startswith("/download/") or (name or "").endswith(":download"):
                data = store.download(f"files/{str(name).removesuffix(':download')}")
                return Response(data, media_type="application/octet-stream")
            if name is None:
                size = request.query_params.get("pageSize")
                page = store.list(
                    int(size) if size else None, request.query_params.get("pageToken")
                )
                return JSONResponse(page)
            if request.method == "DELETE":
                store.delete(f"files/{name}")
                return JSONResponse({})
            return JSONResponse(store.get(f"files/{name}"))

        return _answered(entry, work)

    vertex = "/{version}/projects/{project}/locations/{location}/publishers/google/models/{target}"
    return Starlette(
        routes=[
            Route("/upload/{version}/files", upload, methods=["POST"]),
            Route("/download/{version}/files/{file}", files, methods=["GET"]),
            Route("/{version}/files", files, methods=["GET"]),
            Route("/{version}/files/{file}", files, methods=["GET", "DELETE"]),
            Route("/{version}/cachedContents", caches, methods=["GET", "POST"]),
            Route("/{version}/cachedContents/{cache}", caches, methods=["GET", "PATCH", "DELETE"]),
            *batch_routes(state),
            Route("/{version}/models", list_models, methods=["GET"]),
            Route("/{version}/models/{target}", model_post, methods=["POST"]),
            Route("/{version}/models/{target}", model_get, methods=["GET"]),
            Route(vertex, model_post, methods=["POST"]),
        ]
    )


def _answered(entry: RecordedRequest, work: Callable[[], Response]) -> Response:
    """``work``'s response, or Gemini's error for what it refused (recorded as such)."""
    try:
        return work()
    except Rejection as rejection:
        entry.status_code, entry.rejection = rejection.code, rejection.message
        return JSONResponse(rejection.body, status_code=rejection.code)


def _recorded_get(request: Request) -> RecordedRequest:
    return _recorded(request, b"")


def _vertex(request: Request) -> str | None:
    """The resource name of a Vertex route's model (its 404 names it), else None."""
    params = request.path_params
    if "project" not in params:
        return None
    model = params["target"].rpartition(":")[0]
    return (
        f"projects/{params['project']}/locations/{params['location']}/publishers/google/"
        f"models/{model}"
    )


async def _generate(
    state: EmulatorState, model: str, served: ModelCapabilities, entry: RecordedRequest
) -> Response:
    generated = await generate(state, model, served, entry.json, len(entry.body))
    if generated.fault is not None:
        return await _act_out(state, generated.fault, generated.model, entry, generated.request)
    assert generated.response is not None
    if entry.stream:
        events = stream_events(generated.response, state.options.stream_chunk_chars)
        writes = _recut([_sse(e) for e in events], state.options.stream_write_bytes)
        return _ChunkedResponse(writes, media_type="text/event-stream", abort=False)
    return JSONResponse(generated.response)


async def _act_out(
    state: EmulatorState,
    fault: Fault,
    model: str,
    entry: RecordedRequest,
    request: GenerateContentRequest,
) -> Response:
    entry.status_code = fault.status_code or 200
    if fault.kind == "http_error":
        return JSONResponse(fault.body, status_code=fault.status_code)
    if fault.kind == "drop_connection" or (
        fault.kind in ("cut_stream", "end_stream") and not entry.stream
    ):
        return _ChunkedResponse(
            [b'{"candidates": [{"content": '],
            media_type="application/json",
            abort=True,
            declared_length=4096,
        )
    if fault.kind == "error_in_stream" and not entry.stream:
        return JSONResponse(fault.body, status_code=fault.status_code)
    answer = await state.answer_behind(fault, request)
    if isinstance(answer, Fault):
        raise Rejection("a fault's answer cannot itself be a fault", status="FAILED_PRECONDITION")
    response = state.finish_answer(answer, model, len(entry.body))
    events = stream_events(response, state.options.stream_chunk_chars)
    chunks = [_sse(e) for e in events[: fault.after_chunks]]
    if fault.kind == "cut_stream":
        return _ChunkedResponse(chunks, media_type="text/event-stream", abort=True)
    if fault.kind == "end_stream":
        return _ChunkedResponse(chunks, media_type="text/event-stream", abort=False)
    # An error object after HTTP 200, pretty-printed over several lines without `data:`,
    # the way Gemini sends it.
    chunks.append(json.dumps(fault.body, indent=2).encode() + b"\n")
    return _ChunkedResponse(chunks, media_type="text/event-stream", abort=False)


def _count_tokens(payload: Any) -> Response:
    if not isinstance(payload, dict):
        raise Rejection("Invalid JSON payload received. Expected an object.")
    contents = payload.get("contents")
    wrapped = payload.get("generateContentRequest")
    if (contents is None) == (wrapped is None):
        raise Rejection(
            "* CountTokensRequest: exactly one of contents and generate_content_request must "
            "be set.\n"
        )
    if wrapped is not None:
        counted = {k: v for k, v in wrapped.items() if k != "model"}
        check_generate_request(counted)
    else:
        if not isinstance(contents, list) or not contents:
            raise Rejection("* CountTokensRequest.contents: contents is not specified\n")
        for index, content in enumerate(contents):
            check_content(content, f"contents[{index}]")
        counted = {"contents": contents}
    # Counted as the same request would be for promptTokenCount: its compact JSON bytes.
    compact = json.dumps(counted, ensure_ascii=False, separators=(",", ":")).encode()
    return JSONResponse({"totalTokens": estimate_tokens(len(compact))})


__all__ = ["IntentionalAbort", "build_app", "error_body"]
