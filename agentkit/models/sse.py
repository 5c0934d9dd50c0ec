"""A server-sent-events reader for Gemini's ``?alt=sse`` streams.

Gemini sends ``data: <json>`` events separated by blank lines, with CRLF terminators, no
``[DONE]`` sentinel, and sometimes a bare (possibly pretty-printed) ``{"error": ...}`` object
after HTTP 200. Proxies add ``: comment`` lines and may drop the space after ``data:``. This
reader handles all of those; it never limits line length (thought signatures make single
events hundreds of KiB long).

The reader hands on each event's payload as bytes, undecoded: the caller decides how to
parse it (the Gemini model validates the bytes straight into its wire type, one pass instead
of ``json.loads`` and a second walk over the dict). ``iter_sse_json`` decodes them for
callers that want plain JSON values.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterable
from typing import Any

from agentkit.errors import IncompleteStreamError

_FIELDS_IGNORED = frozenset({b"event", b"id", b"retry"})


class _EventAssembler:
    """Turns lines into payloads: ``data:`` lines form events, bare lines form raw JSON."""

    def __init__(self) -> None:
        self.data_lines: list[bytes] = []
        self.raw_lines: list[bytes] = []
        self.raw_depth = 0

    @property
    def idle(self) -> bool:
        """Nothing of an event has been seen since the last one ended."""
        return not self.data_lines and not self.raw_lines

    def feed(self, line: bytes) -> bytes | None:
        if self.raw_lines:
            return self._feed_raw(line)
        if not line:
            return self._dispatch()
        if line.startswith(b":"):
            return None  # an SSE comment, e.g. a proxy keep-alive
        if line.startswith(b"data:"):
            self.data_lines.append(line[6:] if line.startswith(b"data: ") else line[5:])
            return None
        if line.split(b":", 1)[0] in _FIELDS_IGNORED:
            return None  # fields Gemini does not use; tolerated, not interpreted
        return self._feed_raw(line)

    def _feed_raw(self, line: bytes) -> bytes | None:
        # A bare JSON object (Gemini's in-stream error) is accumulated until its braces balance.
        self.raw_lines.append(line)
        self.raw_depth += _brace_delta(line)
        if self.raw_depth > 0:
            return None
        text = b"\n".join(self.raw_lines)
        self.raw_lines, self.raw_depth = [], 0
        if not text.strip():
            return None
        return text

    def _dispatch(self) -> bytes | None:
        if not self.data_lines:
            return None
        lines, self.data_lines = self.data_lines, []
        return lines[0] if len(lines) == 1 else b"\n".join(lines)

    def finish(self, received: int) -> bytes | None:
        """At end of body: an unterminated complete event is accepted, a torn one is not."""
        if self.raw_lines:
            raise IncompleteStreamError("stream ended inside a JSON object", received=received)
        payload = self._dispatch()
        if payload is None:
            return None
        try:
            decode_event(payload)  # no blank line closed it: only complete JSON tells it is whole
        except IncompleteStreamError as error:
            raise IncompleteStreamError(
                "stream ended in the middle of an event", received=received
            ) from error
        return payload


def _brace_delta(line: bytes) -> int:
    """Net ``{`` minus ``}`` outside JSON strings (only on the rare bare-JSON path)."""
    depth, in_string, escaped = 0, False, False
    for char in line.decode("utf-8", errors="replace"):
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


def decode_event(payload: bytes) -> Any:
    """The JSON value of one payload; bytes that are not UTF-8 are replaced, not fatal."""
    try:
        return json.loads(payload.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as error:
        raise IncompleteStreamError(f"stream event is not valid JSON: {error.msg}") from error


def _whole_events(chunk: bytes) -> list[bytes] | None:
    """The payloads, when ``chunk`` is nothing but complete one-line ``data:`` events.

    That is how Gemini (and the emulator) write a stream: one event per write, CRLF or LF
    terminated. Recognising it takes a few scans in C (``endswith``, ``split``, ``count``)
    instead of a Python step per line; anything else returns None and goes line by line.
    """
    if chunk.endswith(b"\r\n\r\n"):
        events = chunk[:-4].split(b"\r\n\r\n")
        # Exactly two CRs and two LFs per event: no line break hides inside one.
        if chunk.count(b"\n") != 2 * len(events) or chunk.count(b"\r") != 2 * len(events):
            return None
    elif chunk.endswith(b"\n\n"):
        events = chunk[:-2].split(b"\n\n")
        if chunk.count(b"\n") != 2 * len(events) or b"\r" in chunk:
            return None
    else:
        return None
    payloads = []
    for event in events:
        if event.startswith(b"data: "):
            payloads.append(event[6:])
        elif event.startswith(b"data:"):
            payloads.append(event[5:])
        else:
            return None
    return payloads


async def iter_sse_data(chunks: AsyncIterable[bytes]) -> AsyncGenerator[bytes, None]:
    """Yield the payload of each event the stream carries, in order, as bytes.

    Lines end at CRLF, LF or CR (the SSE rule). Bytes are never decoded here, so a
    multi-byte character split across network chunks is never mangled. Each chunk is
    scanned a bounded number of times: a line longer than a chunk (a 16 MB event) is kept
    as its pieces and joined once when it ends, so reading is linear in the stream's size.
    """
    assembler = _EventAssembler()
    pieces: list[bytes] = []  # the current line, as received so far
    after_cr = False  # the last chunk ended with CR: a LF starting the next one is its pair
    received = 0
    async for chunk in chunks:
        if not chunk:
            continue  # an empty read says nothing (and a CR before it still awaits its LF)
        if after_cr:
            after_cr = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
                if not chunk:
                    continue
        if not pieces and assembler.idle:
            whole = _whole_events(chunk)
            if whole is not None:
                for complete in whole:
                    received += 1
                    yield complete
                continue
        lines = chunk.splitlines(keepends=True)  # bytes split at \r\n, \r and \n only
        # The last line is unfinished when no terminator ends it: it goes on in a later chunk.
        tail = lines.pop() if not lines[-1].endswith((b"\n", b"\r")) else None
        for index, line in enumerate(lines):
            if index == 0 and pieces:
                pieces.append(line)
                line = b"".join(pieces)
                pieces = []
            found = assembler.feed(line.rstrip(b"\r\n"))
            if found is not None:
                received += 1
                yield found
        if tail is not None:
            pieces.append(tail)
        after_cr = chunk.endswith(b"\r")
    if pieces:
        last = assembler.feed(b"".join(pieces))
        if last is not None:
            received += 1
            yield last
    final = assembler.finish(received)
    if final is not None:
        yield final


async def iter_sse_json(chunks: AsyncIterable[bytes]) -> AsyncGenerator[Any, None]:
    """Yield each JSON value the stream carries, in order (``iter_sse_data``, decoded)."""
    async for payload in iter_sse_data(chunks):
        yield decode_event(payload)
