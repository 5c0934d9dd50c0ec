"""A figure of each turn (its bytes, its tokens), worked out once per turn and read in bulk.

A conversation only grows, and every request repeats the turns before it. Looking each turn
up in a table on every request still costs a Python step per turn, which at thousands of
turns is most of a step's CPU. So the memo also keeps the sequences of turns it was asked
about, with their figures in a list: a request that continues one of them is recognised by
comparing the two lists (identity first, in C), and only the turns after the shared prefix
are looked at. A sequence that does not continue any kept one (another conversation, an
edited one) is answered turn by turn from the table, as before, and kept for next time.

Turns are values here, as everywhere in agentkit: a turn is changed by replacing it, never
in place. The kept sequences hold their turns (a bounded number of sequences, the least
recently used dropped first); the per-turn table forgets a turn when it is collected.
"""

from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from operator import is_
from typing import Generic, TypeVar

from agentkit.types import Content

V = TypeVar("V")
SEQUENCES_KEPT = 16


class _Sequence(Generic[V]):
    """A conversation seen before: its first turn (weakly: the sequence goes when the
    conversation does), the turns after it, and every turn's figure."""

    __slots__ = ("first", "rest", "values")

    def __init__(self, first: Content) -> None:
        self.first = weakref.ref(first)
        self.rest: list[Content] = []
        self.values: list[V] = []


class TurnMemo(Generic[V]):
    """``measure(turn)`` once per turn; ``each(turns)`` for a whole conversation."""

    def __init__(self, measure: Callable[[Content], V], kept: int = SEQUENCES_KEPT) -> None:
        self._measure = measure
        self._known: dict[int, V] = {}  # id(turn) -> its figure, while the turn lives
        self._sequences: OrderedDict[int, _Sequence[V]] = OrderedDict()  # by id(first turn)
        self._kept = kept

    def __call__(self, turn: Content) -> V:
        key = id(turn)
        value = self._known.get(key)
        if value is None:
            value = self._known[key] = self._measure(turn)
            weakref.finalize(turn, self._known.pop, key, None)
        return value

    def each(self, turns: Sequence[Content]) -> list[V]:
        """The figures of ``turns``, in order. The list returned is the memo's own: read
        it, do not change it."""
        if not turns:
            return []
        first = turns[0]
        key = id(first)
        kept = self._sequences.get(key)
        if kept is None or kept.first() is not first:
            kept = self._sequences[key] = _Sequence(first)
            kept.values.append(self(first))
            weakref.finalize(first, self._sequences.pop, key, None)
            while len(self._sequences) > self._kept:
                self._sequences.popitem(last=False)
        else:
            self._sequences.move_to_end(key)
        shared = _shared_prefix(kept.rest, turns)
        del kept.rest[shared - 1 :], kept.values[shared:]
        if shared < len(turns):
            added = list(itertools.islice(turns, shared, None))
            kept.rest.extend(added)
            kept.values.extend(map(self, added))
        return kept.values

    def total(self, turns: Sequence[Content]) -> int:
        """The sum of the figures of ``turns`` (figures that are numbers)."""
        return sum(self.each(turns))  # type: ignore[arg-type]


def _shared_prefix(rest: list[Content], turns: Sequence[Content]) -> int:
    """How many first turns ``turns`` shares with a kept sequence whose first turn it has
    and whose other turns are ``rest``: all of them when the conversation only grew, one
    fewer when its last turn was replaced (feedback on the turn in flight), else only the
    first (answered turn by turn). Compared by identity, in C: equal values that are not
    the same object could still encode differently (fields set to their defaults)."""
    size = min(len(rest) + 1, len(turns))
    later = itertools.islice(turns, 1, None)
    if all(map(is_, rest, later)):  # map stops at the shorter of the two
        return size
    if size > 2 and all(map(is_, rest[: size - 2], itertools.islice(turns, 1, None))):
        return size - 1
    return 1
