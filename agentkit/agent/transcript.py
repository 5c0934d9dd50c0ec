"""A chat's transcript, held once however many results look at it.

A chat's results each carry the history as it stood when they finished. Copying it into
every result made a long chat quadratic in memory (a 3,000-turn chat held gigabytes). The
chat keeps one ``Transcript``, a list that grows by appending; each result holds a
``TurnsView`` of its first turns. Appending leaves every view as it was. Any other change
(trimming, replacing a turn) first gives each view its own copy of what it shows, so a
result never changes after the fact, and bumps ``edits``, so the chat knows to check the
history again before sending it.

Both also say how many of their first turns are agentkit's own (``owned``): turns a run
made or copied from a caller, which agentkit never edits in place. Passed back as a run's
``history``, those are taken as they are instead of being copied and checked again, so a
step of a long conversation costs what the step added. A turn the caller appended (or any
other edit, which sets ``owned`` to 0) is copied, as every caller's turn is.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, SupportsIndex, overload

from agentkit.types import Content


class Transcript(list[Content]):
    """A list of turns that counts its edits other than appending."""

    def __init__(self, turns: Iterable[Content] = (), *, owned: bool = True) -> None:
        """``owned``: the turns are agentkit's own (a run's, or copies of a caller's)."""
        super().__init__(turns)
        self.edits = 0
        self.owned = len(self) if owned else 0
        self._views: weakref.WeakSet[TurnsView] = weakref.WeakSet()

    def view(self, stop: int | None = None) -> TurnsView:
        stop = len(self) if stop is None else stop
        shown = TurnsView(self, stop, min(stop, self.owned))
        self._views.add(shown)
        return shown

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (a durable run's result) as its turns and how many are owned: the views
        # of this process stay behind.
        return (_rebuilt, (list(self), self.owned))

    def adopt(self, turns: Iterable[Content]) -> None:
        """Append a run's own turns (still owned when everything before them is)."""
        whole = self.owned == len(self)
        self.extend(turns)
        if whole:
            self.owned = len(self)

    def _editing(self) -> None:
        for shown in list(self._views):
            shown._detach()
        self._views = weakref.WeakSet()
        self.edits += 1
        self.owned = 0

    # Every way a list changes other than growing at its end.
    def __setitem__(self, index: Any, value: Any) -> None:
        self._editing()
        super().__setitem__(index, value)

    def __delitem__(self, index: Any) -> None:
        self._editing()
        super().__delitem__(index)

    def insert(self, index: SupportsIndex, value: Content) -> None:
        self._editing()
        super().insert(index, value)

    def pop(self, index: SupportsIndex = -1) -> Content:
        self._editing()
        return super().pop(index)

    def remove(self, value: Content) -> None:
        self._editing()
        super().remove(value)

    def clear(self) -> None:
        self._editing()
        super().clear()

    def __iadd__(self, other: Iterable[Content]) -> Transcript:  # type: ignore[override,misc]
        self.extend(other)  # appends: what was owned stays owned
        return self

    def __imul__(self, count: SupportsIndex) -> Transcript:
        self._editing()
        super().__imul__(count)
        return self

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._editing()
        super().sort(*args, **kwargs)

    def reverse(self) -> None:
        self._editing()
        super().reverse()


def _rebuilt(turns: list[Content], owned: int) -> Transcript:
    transcript = Transcript(turns)
    transcript.owned = min(owned, len(transcript))
    return transcript


class TurnsView(Sequence[Content]):
    """The first ``stop`` turns of a transcript, without a copy of them."""

    def __init__(self, base: list[Content], stop: int, owned: int = 0) -> None:
        self._base = base
        self._stop = stop
        self.owned = owned  # a view cannot be edited: what was agentkit's stays so

    def _detach(self) -> None:
        self._base = list(self._base[: self._stop])

    def __len__(self) -> int:
        return self._stop

    @overload
    def __getitem__(self, index: int) -> Content: ...
    @overload
    def __getitem__(self, index: slice) -> list[Content]: ...
    def __getitem__(self, index: int | slice) -> Content | list[Content]:
        if isinstance(index, slice):  # only the turns asked for are copied
            start, stop, step = index.indices(self._stop)
            if step == 1:
                return self._base[start:stop]
            return [self._base[place] for place in range(start, stop, step)]
        if index < 0:
            index += self._stop
        if not 0 <= index < self._stop:
            raise IndexError("turn index out of range")
        return self._base[index]

    def __iter__(self) -> Iterator[Content]:
        base, stop = self._base, self._stop
        for index in range(stop):
            yield base[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    def __hash__(self) -> int:  # kept in a WeakSet by its transcript: by identity
        return id(self)

    def __repr__(self) -> str:
        return f"TurnsView({self._stop} turns)"
