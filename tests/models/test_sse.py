"""The SSE reader on the byte streams Gemini, proxies and broken networks produce."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from agentkit.errors import IncompleteStreamError
from agentkit.models.sse import iter_sse_json


async def _feed(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def read(*chunks: bytes) -> list[Any]:
    return [event async for event in iter_sse_json(_feed(*chunks))]


async def test_crlf_events_as_gemini_sends_them() -> None:
    body = b'data: {"a": 1}\r\n\r\ndata: {"b": 2}\r\n\r\n'
    assert await read(body) == [{"a": 1}, {"b": 2}]


@pytest.mark.parametrize("terminator", [b"\n", b"\r", b"\r\n"])
async def test_every_line_terminator(terminator: bytes) -> None:
    body = b'data: {"a": 1}' + terminator * 2 + b'data: {"b": 2}' + terminator * 2
    assert await read(body) == [{"a": 1}, {"b": 2}]


async def test_split_at_every_byte_boundary() -> None:
    body = 'data: {"text": "caf\u00e9 \u2603"}\r\n\r\ndata:{"n": 2}\r\n\r\n'.encode()
    for cut in range(1, len(body)):
        assert await read(body[:cut], body[cut:]) == [{"text": "caf\u00e9 \u2603"}, {"n": 2}], cut


async def test_multi_line_data_comments_and_ignored_fields() -> None:
    body = (
        b': keep-alive\r\nevent: message\r\nid: 7\r\ndata: {"a":\r\ndata:  [1, 2]}\r\n\r\n: bye\r\n'
    )
    assert await read(body) == [{"a": [1, 2]}]


async def test_bare_pretty_printed_error_object_after_events() -> None:
    error = {
        "error": {"code": 500, "message": "An internal error {has} occurred.", "status": "INTERNAL"}
    }
    body = b'data: {"candidates": []}\r\n\r\n' + json.dumps(error, indent=2).encode() + b"\n"
    assert await read(body) == [{"candidates": []}, error]


async def test_huge_event_line() -> None:
    signature = "A" * 300_000
    body = f'data: {{"thoughtSignature": "{signature}"}}\r\n\r\n'.encode()
    chunks = [body[i : i + 16_384] for i in range(0, len(body), 16_384)]
    assert await read(*chunks) == [{"thoughtSignature": signature}]


async def test_last_event_without_blank_line_is_accepted() -> None:
    assert await read(b'data: {"a": 1}\r\n\r\ndata: {"b": 2}') == [{"a": 1}, {"b": 2}]


async def test_torn_event_raises_incomplete_stream() -> None:
    with pytest.raises(IncompleteStreamError, match="middle of an event") as caught:
        await read(b'data: {"a": 1}\r\n\r\ndata: {"candidates": [{"cont')
    assert caught.value.received == 1


async def test_torn_bare_json_raises_incomplete_stream() -> None:
    with pytest.raises(IncompleteStreamError, match="inside a JSON object"):
        await read(b'{"error": {"code": 500,\n "message": "x"')


async def test_one_event_costs_in_proportion_to_its_size_up_to_16_mb() -> None:
    import time

    def chunked(size: int) -> list[bytes]:
        body = f'data: {{"text": "{"x" * size}"}}\r\n\r\n'.encode()
        return [body[i : i + 65_536] for i in range(0, len(body), 65_536)]

    async def cost(size: int) -> float:
        """The least of three readings: one reading of a few milliseconds swings with what else
        the machine is doing, and the least is the one nearest the reader's own work."""
        chunks = chunked(size)
        readings = []
        for _ in range(3):
            started = time.process_time()
            (event,) = await read(*chunks)
            readings.append(time.process_time() - started)
            assert len(event["text"]) == size
        return min(readings)

    small, large = await cost(1024 * 1024), await cost(16 * 1024 * 1024)
    # 16x the size: linear reading is ~16x (up to ~30x once 16 MB falls out of the CPU's caches);
    # rescanning the pending bytes per 64 KB chunk is (256/16)^2 = 256x.
    assert large / max(small, 1e-3) < 80
    assert large < 5.0


async def test_several_whole_events_in_one_read() -> None:
    crlf = b'data: {"a": 1}\r\n\r\ndata:{"b": "\xc3\xa9"}\r\n\r\ndata: {"c": 3}\r\n\r\n'
    assert await read(crlf) == [{"a": 1}, {"b": "\u00e9"}, {"c": 3}]
    lf = b'data: {"a": 1}\n\ndata: {"b": 2}\n\n'
    assert await read(lf) == [{"a": 1}, {"b": 2}]


async def test_reads_that_are_not_only_whole_events_go_line_by_line() -> None:
    # A comment, a two-line event, a CR inside an LF-terminated read, an event field: none
    # is a plain run of one-line events, and each must still come out exactly.
    assert await read(b': ping\r\n\r\ndata: {"a": 1}\r\n\r\n') == [{"a": 1}]
    assert await read(b'data: {"a":\r\ndata: 1}\r\n\r\n') == [{"a": 1}]
    # Two data lines of one event, joined by a newline: not JSON, and said so.
    with pytest.raises(IncompleteStreamError, match="not valid JSON"):
        await read(b'data: {"a": 1}\r\ndata: {"b": 2}\n\n')
    assert await read(b'event: message\n\ndata: {"a": 1}\n\n') == [{"a": 1}]


async def test_split_at_every_pair_of_boundaries() -> None:
    # Three reads, cut anywhere: inside "é" and "☃" (two and three bytes), between each CR
    # and its LF, inside "data:", in the blank line.
    body = 'data: {"t": "caf\u00e9 \u2603"}\r\n\r\ndata:{"n": 2}\r\n\r\n'.encode()
    expected = [{"t": "caf\u00e9 \u2603"}, {"n": 2}]
    for first in range(1, len(body)):
        for second in range(first, len(body)):
            pieces = (body[:first], body[first:second], body[second:])
            assert await read(*pieces) == expected, (first, second)


async def test_a_lone_cr_at_the_end_of_a_read_pairs_with_the_lf_of_the_next() -> None:
    # Cut between CR and LF, with an empty read in between: still one line end, not two (a
    # second would be a blank line, ending the event after its first data line).
    events = await read(b'data: {"a":\r', b"", b"\n", b"data: 1}\r", b"\n\r", b"\n")
    assert events == [{"a": 1}]
