"""Which of a turn's calls stops the run, when several do: the first in call order.

A call stops the run when its tool exits (``ToolExitError``), raises something that is not
an ``Exception`` (KeyboardInterrupt), or what records it fails (a durable run's step). When
two calls of one turn stop it, the one reported must not depend on which thread happened
to finish first. So a stop is not raised where it happens: it is kept with its call's
position, the calls after it are stopped (cancelled, or abandoned in their threads) since
the run will not use them, the calls before it are waited for (one of them may stop the
run too, and then it is the one reported), and the turn raises the first in call order.
"""

from __future__ import annotations

from collections.abc import Callable


class Stops:
    def __init__(self) -> None:
        self.first: int | None = None  # the position of the earliest call that stopped
        self._errors: dict[int, BaseException] = {}
        self._cutters: list[Callable[[int], None]] = []

    def on_stop(self, cut: Callable[[int], None]) -> None:
        """``cut(position)`` is told each time an earlier stop than any before arrives: it
        stops whatever it runs after that position."""
        self._cutters.append(cut)

    def cuts(self, position: int) -> bool:
        """Whether the call at ``position`` is no longer to run (a call before it stopped)."""
        return self.first is not None and position > self.first

    def record(self, position: int, error: BaseException) -> None:
        self._errors[position] = error
        if self.first is None or position < self.first:
            self.first = position
            for cut in self._cutters:
                cut(position)

    def raise_first(self) -> None:
        if self.first is not None:
            raise self._errors[self.first]
