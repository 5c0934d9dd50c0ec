"""Pieces of bytes joined with a separator, grown at the end without copying what came first.

A long conversation's request is mostly its earlier turns' bytes, the same every step. Two
ways of making them one run of bytes are both slow at thousands of turns: joining every
turn's piece each step reads thousands of small objects scattered in memory (a cache miss
apiece, ~50 ns), and keeping one joined ``bytes`` that grows by each step's turns copies all
of it into a new, slightly larger block every step (~140 µs at 400 KB: a fresh block is
fresh pages, each faulted in). Here the joined bytes are kept as a few chunks whose sizes at
least halve from one to the next, like the digits of a binary counter: a step adds one small
chunk and merges only chunks of similar size, so each byte is copied a few times over the
conversation's life, and a request is joined from about log2(size) chunks.
"""

from __future__ import annotations

import bisect
import itertools


class JoinedBytes:
    """``separator.join(pieces)``, kept as chunks that concatenate to it."""

    __slots__ = ("separator", "chunks", "ends", "_chunk_ends")

    def __init__(self, separator: bytes) -> None:
        self.separator = separator
        self.chunks: list[bytes] = []  # concatenated, they are the joined bytes
        self.ends: list[int] = []  # where each piece's bytes end in the joined bytes
        self._chunk_ends: list[int] = []  # where each chunk ends

    def __len__(self) -> int:
        """How many pieces are joined."""
        return len(self.ends)

    def extend(self, pieces: list[bytes]) -> None:
        if not pieces:
            return
        step = len(self.separator)
        done = len(self.ends)
        start = self.ends[-1] if done else -step
        sizes = map(step.__add__, map(len, pieces))
        self.ends.extend(itertools.accumulate(sizes, initial=start))
        del self.ends[done]  # the start, which ``accumulate`` gives first
        chunk = self.separator.join(pieces)
        if done:
            chunk = self.separator + chunk
        self.chunks.append(chunk)
        self._chunk_ends.append(self.ends[-1])
        # Merge while the chunk before is less than twice this one: sizes keep halving.
        chunks = self.chunks
        while len(chunks) > 1 and len(chunks[-2]) < 2 * len(chunks[-1]):
            last = chunks.pop()
            chunks[-1] += last
            del self._chunk_ends[-2]

    def truncate(self, count: int) -> None:
        """Keep the first ``count`` pieces."""
        if count >= len(self.ends):
            return
        if count == 0:
            self.chunks.clear()
            self.ends.clear()
            self._chunk_ends.clear()
            return
        del self.ends[count:]
        end = self.ends[-1]
        # The chunk holding the new end is cut there; the chunks after it go.
        index = bisect.bisect_left(self._chunk_ends, end)
        begins = self._chunk_ends[index - 1] if index else 0
        del self.chunks[index + 1 :], self._chunk_ends[index + 1 :]
        self.chunks[index] = self.chunks[index][: end - begins]
        self._chunk_ends[index] = end
