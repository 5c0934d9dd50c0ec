"""A server-sent-events reader for Gemini's ``?alt=sse`` streams.

Gemini sends ``data: <json>`` events separated by blank lines, with CRLF terminators, no
``[DONE]`` sentinel, and sometimes a bare (possibly pretty-printed) ``{"error": ...}`` object
after HTTP 200. Proxies add ``: comment`` lines and may drop the space after ``data:``. This
reader handles all of those and yields one decoded JSON object per event; it never limits line
length (thought signatures make single events hundreds of KiB long).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, AsyncIterable
from typing import Any

from agentkit.errors import IncompleteStreamError


class _EventAssembler:
    """Turns lines into JSON objects: ``data:`` lines form events, bare lines form raw JSON."""

    def __init__(self) -> None:
        self.data_lines: list[str] = []
        self.raw_lines: list[str] = []
        self.raw_depth = 0

    def feed(self, line: str) -> Any | None:
        if self.raw_lines:
            return self._feed_raw(line)
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None  # an SSE comment, e.g. a proxy keep-alive
        if line.startswith("data:"):
            value = line[5:]
            self.data_lines.append(value[1:] if value.startswith(" ") else value)
            return None
        field = line.split(":", 1)[0]
        if field in ("event", "id", "retry"):
            return None  # fields Gemini does not use; tolerated, not interpreted
        return self._feed_raw(line)

    def _feed_raw(self, line: str) -> Any | None:
        # A bare JSON object (Gemini's in-stream error) is accumulated until its braces balance.
        self.raw_lines.append(line)
        self.raw_depth += _brace_delta(line)
        if self.raw_depth > 0:
            return None
        text = "\n".join(self.raw_lines)
        self.raw_lines, self.raw_depth = [], 0
        if not text.strip():
            return None
        return _decode(text)

    def _dispatch(self) -> Any | None:
        if not self.data_lines:
            return None
        text = "\n".join(self.data_lines)
        self.data_lines = []
        return _decode(text)

    def finish(self, received: int) -> Any | None:
        """At end of body: an unterminated complete event is accepted, a torn one is not."""
        if self.raw_lines:
            raise IncompleteStreamError("stream ended inside a JSON object", received=received)
        if not self.data_lines:
            return None
        try:
            return self._dispatch()
        except IncompleteStreamError as error:
            raise IncompleteStreamError(
                "stream ended in the middle of an event", received=received
            ) from error


def _brace_delta(line: str) -> int:
    """Net ``{`` minus ``}`` outside JSON strings."""
    depth, in_string, escaped = 0, False, False
    for char in line:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
    return depth


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise IncompleteStreamError(f"stream event is not valid JSON: {error.msg}") from error


async def iter_sse_json(chunks: AsyncIterable[bytes]) -> AsyncGenerator[Any, None]:
    """Yield each JSON value the stream carries, in order.

    Lines end at CRLF, LF or CR (the SSE rule). Bytes are decoded only once a line is complete,
    so a multi-byte character split across network chunks is never mangled. Each chunk is
    scanned once: a line longer than a chunk (a 16 MB event) is kept as its pieces and
    joined once when it ends, so reading is linear in the size of the stream.
    """
    assembler = _EventAssembler()
    pieces: list[bytes] = []  # the current line, as received so far
    after_cr = False  # the last chunk ended with CR: a LF starting the next one is its pair
    received = 0
    async for chunk in chunks:
        if after_cr:
            after_cr = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
        start = 0
        for found in _LINE_END.finditer(chunk):
            pieces.append(chunk[start : found.start()])
            line = pieces[0] if len(pieces) == 1 else b"".join(pieces)
            pieces = []
            start = found.end()
            if start == len(chunk) and found.group() == b"\r":
                after_cr = True
            value = assembler.feed(line.decode("utf-8", errors="replace"))
            if value is not None:
                received += 1
                yield value
        if start < len(chunk):
            pieces.append(chunk[start:])
    if pieces:
        value = assembler.feed(b"".join(pieces).decode("utf-8", errors="replace"))
        if value is not None:
            received += 1
            yield value
    final = assembler.finish(received)
    if final is not None:
        yield final


_LINE_END = re.compile(rb"\r\n|\r|\n")
