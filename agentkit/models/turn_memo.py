"""A figure of each turn (its bytes, its tokens), worked out once per turn and read in bulk.

A conversation only grows, and every request repeats the turns before it. Looking each turn
up in a table on every request still costs a Python step per turn, which at thousands of
turns is most of a step's CPU. So the memo also keeps the sequences of turns it was asked
about, with their figures in a list (and, once asked for, their running totals): a request
that continues one of them is recognised by comparing the two lists (identity first, in C),
and only the turns after the shared prefix are looked at. A sequence that does not continue
any kept one (another conversation, an edited one) is answered turn by turn from the table,
as before, and kept for next time.

Turns are values here, as everywhere in agentkit: a turn is changed by replacing it, never
in place. The kept sequences hold their turns (a bounded number of sequences, the least
recently used dropped first); the per-turn table forgets a turn when it is collected.

What the memo keeps alive is part of its cost: a long conversation's steps each leave new
objects behind, and every full garbage collection walks all of them. So a turn costs the
table one object (a weak reference that also holds the figure and the key to forget), not
the four a ``weakref.finalize`` would add.
"""

from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from operator import is_
from typing import Any, Generic, TypeVar, cast

from agentkit.models.joined_bytes import JoinedBytes
from agentkit.types import Content
from agentkit.types.content import value_comparisons

V = TypeVar("V")
SEQUENCES_KEPT = 16
# A total of this few turns is summed from the table: a kept sequence (and its bookkeeping)
# pays only for conversations, not for the few turns added since a known count.
SHORT = 16


class _Entry(weakref.ref):  # type: ignore[type-arg]
    """A turn's figure, held by a weak reference to the turn that drops it when it goes."""

    __slots__ = ("key", "value")
    key: int
    value: Any


class _Sequence(Generic[V]):
    """A conversation seen before: its first turn (weakly: the sequence goes when the
    conversation does), the turns after it, every turn's figure and, once asked for, the
    running totals of the figures, or their bytes joined."""

    __slots__ = ("first", "rest", "values", "totals", "joined")

    def __init__(self, first: _Entry) -> None:
        self.first = first
        self.rest: list[Content] = []
        self.values: list[V] = []
        self.totals: list[int] = []
        self.joined: JoinedBytes | None = None


class TurnMemo(Generic[V]):
    """``measure(turn)`` once per turn; ``each(turns)`` for a whole conversation."""

    def __init__(self, measure: Callable[[Content], V], kept: int = SEQUENCES_KEPT) -> None:
        self._measure = measure
        self._known: dict[int, _Entry] = {}  # id(turn) -> its entry, while the turn lives
        self._sequences: OrderedDict[int, _Sequence[V]] = OrderedDict()  # by id(first turn)
        self._kept = kept
        # The callbacks close over the tables, not the memo: no cycle keeps a memo alive.
        known, sequences = self._known, self._sequences

        def forget_turn(entry: _Entry) -> None:
            if known.get(entry.key) is entry:
                del known[entry.key]

        def forget_sequence(entry: _Entry) -> None:
            kept = sequences.get(entry.key)
            if kept is not None and kept.first is entry:
                del sequences[entry.key]

        self._forget_turn, self._forget_sequence = forget_turn, forget_sequence

    def __call__(self, turn: Content) -> V:
        key = id(turn)
        entry = self._known.get(key)
        if entry is None:
            value = self._measure(turn)  # first: a turn that cannot be measured is not kept
            entry = _Entry(turn, self._forget_turn)
            entry.key, entry.value = key, value
            self._known[key] = entry
            return value
        known: V = entry.value
        return known

    def each(self, turns: Sequence[Content]) -> list[V]:
        """The figures of ``turns``, in order. The list returned is the memo's own: read
        it, do not change it."""
        if not turns:
            return []
        return self._sequence(turns).values

    def total(self, turns: Sequence[Content]) -> int:
        """The sum of the figures of ``turns`` (figures that are numbers)."""
        if len(turns) <= SHORT:
            return sum(map(self, turns))  # type: ignore[arg-type]
        kept = self._sequence(turns)
        totals, done = kept.totals, len(kept.totals)
        if done < len(kept.values):
            start = totals[-1] if totals else 0
            added = cast(list[int], kept.values[done:])  # a slice: ``islice`` walks from 0
            totals.extend(itertools.accumulate(added, initial=start))
            del totals[done]  # the start, which ``accumulate`` gives first
        return totals[-1]

    def joined(self, turns: Sequence[Content], separator: bytes) -> list[bytes]:
        """The figures of ``turns`` (figures that are bytes) joined with ``separator``, as
        chunks to concatenate (see ``joined_bytes``); the memo's own list: read it, do not
        change it. Always called with the same separator."""
        if not turns:
            return []
        kept = self._sequence(turns)
        if kept.joined is None:
            kept.joined = JoinedBytes(separator)
        joined = kept.joined
        if len(joined) < len(kept.values):
            joined.extend(kept.values[len(joined) :])  # type: ignore[arg-type]
        return joined.chunks

    def _sequence(self, turns: Sequence[Content]) -> _Sequence[V]:
        """The kept sequence of ``turns``, brought up to date with them."""
        first = turns[0]
        key = id(first)
        kept = self._sequences.get(key)
        if kept is None or kept.first() is not first:
            entry = _Entry(first, self._forget_sequence)
            entry.key = key
            kept = self._sequences[key] = _Sequence(entry)
            kept.values.append(self(first))
            while len(self._sequences) > self._kept:
                self._sequences.popitem(last=False)
        else:
            self._sequences.move_to_end(key)
        shared = _shared_prefix(kept.rest, turns)
        del kept.rest[shared - 1 :], kept.values[shared:], kept.totals[shared:]
        if kept.joined is not None:
            kept.joined.truncate(shared)
        if shared < len(turns):
            added = list(turns[shared:])
            figures = list(map(self, added))  # first: a failure leaves the sequence whole
            kept.rest.extend(added)
            kept.values.extend(figures)
        return kept


def _shared_prefix(rest: list[Content], turns: Sequence[Content]) -> int:
    """How many first turns ``turns`` shares with a kept sequence whose first turn it has
    and whose other turns are ``rest``: all of them when the conversation only grew, one
    fewer when its last turn was replaced (feedback on the turn in flight), else only the
    first (answered turn by turn). Compared by identity: equal values that are not the same
    object could still encode differently (fields set to their defaults)."""
    size = min(len(rest) + 1, len(turns))
    if _same_objects(rest, turns, size - 1):
        return size
    if size > 2 and _same_objects(rest, turns, size - 2):
        return size - 1
    return 1


# Below this many turns the pairs are tested one by one (the two slices cost more).
_SLICED_FROM = 64


def _same_objects(rest: list[Content], turns: Sequence[Content], count: int) -> bool:
    """Whether ``rest[:count]`` are the very objects ``turns[1:count + 1]``, in order.

    Long conversations are compared as lists, which test identity first in C and call
    ``Content.__eq__`` only for a pair that is not the same object; a comparison that made
    no such call found them all identical (``value_comparisons``). Else, or when that count
    is not to be trusted, pair by pair with ``is``."""
    if count >= _SLICED_FROM and isinstance(turns, list):
        before = value_comparisons()
        if before is not None:
            same = rest[:count] == turns[1 : count + 1]
            return same and value_comparisons() == before
    return all(map(is_, itertools.islice(rest, count), itertools.islice(turns, 1, count + 1)))
