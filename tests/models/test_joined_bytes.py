"""Joined bytes kept as chunks are always exactly ``separator.join`` of the pieces, and
stay a few chunks however many pieces are added."""

from __future__ import annotations

import itertools
import random

from agentkit.models.joined_bytes import JoinedBytes


def test_growth_and_cuts_match_a_plain_join_at_every_step() -> None:
    chooser = random.Random(17)
    joined, pieces = JoinedBytes(b","), []
    for step in range(2_000):
        if pieces and chooser.random() < 0.1:
            keep = chooser.randrange(len(pieces) + 1)
            joined.truncate(keep)
            del pieces[keep:]
        else:
            added = [
                bytes([97 + chooser.randrange(26)]) * chooser.randrange(0, 90)
                for _ in range(chooser.randrange(1, 4))
            ]
            joined.extend(added)
            pieces.extend(added)
        assert b"".join(joined.chunks) == b",".join(pieces), step
        assert len(joined) == len(pieces)


def test_ten_thousand_pieces_are_held_in_a_few_chunks() -> None:
    joined = JoinedBytes(b",")
    for number in range(10_000):
        joined.extend([f"piece {number}".encode()])
        # sizes at least halve from one chunk to the next: at most log2 of the bytes
        assert len(joined.chunks) <= 20
    sizes = [len(chunk) for chunk in joined.chunks]
    assert all(earlier >= 2 * later for earlier, later in itertools.pairwise(sizes))
    assert b"".join(joined.chunks) == b",".join(f"piece {n}".encode() for n in range(10_000))


def test_cutting_to_nothing_and_starting_again() -> None:
    joined = JoinedBytes(b", ")
    joined.extend([b"a", b"b"])
    joined.truncate(0)
    assert joined.chunks == [] and len(joined) == 0
    joined.extend([b"c"])
    joined.extend([b"d", b""])
    assert b"".join(joined.chunks) == b"c, d, "
    joined.truncate(1)
    assert b"".join(joined.chunks) == b"c"
