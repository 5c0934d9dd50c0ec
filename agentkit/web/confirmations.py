"""Calls that need a person's approval, asked on the page and answered by its buttons.

The desk is the agent's confirmation callback. The run waits in it — the loop asks one
call at a time, in call order — while the page shows the question with Approve and Deny;
the button's POST answers it and the run goes on from exactly where it waited. Nothing is
run twice and no second loop is started: the waiting run is the one that continues.

A question nobody answers keeps waiting; stopping the turn cancels it (and the run keeps
the steps it completed). Everything runs in the server's event loop.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from agentkit.agent import ConfirmationRequest, Decision

DENIED_HERE = "denied in the web view"


@dataclass
class _Question:
    request: ConfirmationRequest
    answer: asyncio.Future[Decision]


class ConfirmationDesk:
    """``confirm`` goes to the agent; ``answer`` comes from the page.

    ``announce`` is called with each question's id and request when it is asked, and
    ``settled`` with its id and the decision (so the page can show and then retire it).
    """

    def __init__(self) -> None:
        self._questions: dict[str, _Question] = {}
        self._numbers = itertools.count(1)
        self.announce: Callable[[str, ConfirmationRequest], None] = lambda key, request: None
        self.settled: Callable[[str, Decision], None] = lambda key, decision: None

    @property
    def waiting(self) -> list[str]:
        return list(self._questions)

    async def confirm(self, request: ConfirmationRequest) -> Decision:
        """The agent's callback: show the question, wait for a button."""
        key = f"q{next(self._numbers)}"
        answer: asyncio.Future[Decision] = asyncio.get_running_loop().create_future()
        self._questions[key] = _Question(request, answer)
        self.announce(key, request)
        try:
            decision = await answer
        finally:
            del self._questions[key]
        self.settled(key, decision)
        return decision

    def answer(self, key: str, approved: bool) -> bool:
        """The page's answer to question ``key``; False when no such question waits (it
        was answered already, from another tab say, or its turn was stopped)."""
        question = self._questions.get(key)
        if question is None or question.answer.done():
            return False
        question.answer.set_result(Decision(approved, None if approved else DENIED_HERE))
        return True
