"""``Chat``: a conversation with an agent, each message continuing from the last answer."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from agentkit.agent.events import Event, FunctionResultEvent, RunFinished
from agentkit.agent.limits import Limits
from agentkit.agent.result import RunResult
from agentkit.agent.running import Prompt, copy_history, result_of, run_blocking
from agentkit.types import Content

if TYPE_CHECKING:
    from agentkit.agent.agent import Agent
    from agentkit.agent.loop import Loop


class Chat:
    """A conversation with an agent: each ``send`` continues from the previous answer.

    A turn that fails (an API error, a model that keeps misbehaving) or is abandoned (a
    consumer that stops reading ``stream``, a cancelled task) still keeps every step it
    completed: the calls that ran and their results stay in ``history``, so sending the
    message again continues from them instead of running the tools a second time.
    """

    def __init__(
        self, agent: Agent[Any], history: Sequence[Content | Mapping[str, Any]] | None = None
    ) -> None:
        self.agent = agent
        self.history: list[Content] = copy_history(history)
        self.results: list[RunResult] = []
        # What the next message is sent after, when the context policy compacted the
        # history (None: the history itself). ``history`` always keeps everything.
        self.context: list[Content] | None = None
        # The turns the last run left (all checked but its last answer): the next run
        # checks only from there, while the history still starts with them.
        self._checked: list[Content] = []

    async def send(
        self, prompt: Prompt, *, deps: Any = None, limits: Limits | None = None
    ) -> RunResult:
        return await result_of(self._turn(prompt, deps, limits, stream=False))

    def send_sync(self, prompt: Prompt, **options: Any) -> RunResult:
        return run_blocking(self.send, prompt, close=self.agent.model, **options)

    def stream(
        self, prompt: Prompt, *, deps: Any = None, limits: Limits | None = None
    ) -> AsyncGenerator[Event, None]:
        return self._turn(prompt, deps, limits, stream=True)

    async def _turn(
        self, prompt: Prompt, deps: Any, limits: Limits | None, *, stream: bool
    ) -> AsyncGenerator[Event, None]:
        agent, history, context = self.agent, self.history, self.context
        checked = _still_checked(history, self._checked) if context is None else 0
        started: list[Loop] = []
        finished = False
        answered_step = 0
        try:
            events = agent._events(
                lambda: agent._loop(
                    prompt,
                    history,
                    deps,
                    limits,
                    stream=stream,
                    owned=True,
                    checked=checked,
                    context=context,
                ),
                started=started.append,
            )
            async with aclosing(events):
                async for event in events:
                    if isinstance(event, RunFinished):
                        self.results.append(event.result)
                        self.history = list(event.result.history_contents)
                        self.context = event.result.context_contents
                        self._checked = list(self.history)
                        finished = True
                    elif isinstance(event, FunctionResultEvent) and event.step != answered_step:
                        # The step's calls are answered: the history follows at once, so a
                        # consumer that just stops reading (a plain ``break``, whose closing
                        # comes later) already sees the calls that ran.
                        answered_step = event.step
                        state = started[0].state
                        self.history = list(state.history)
                        self.context = None if state.context is None else list(state.context)
                    yield event
        finally:
            if not finished and started:
                # Failed, abandoned at any event, or cancelled: keep what the run did. Its
                # state says it exactly (every answered call, never an unanswered one),
                # however far the consumer got in reading the events.
                self._keep_completed(started[0].state.partial())

    def _keep_completed(self, partial: RunResult) -> None:
        added = partial.history_contents[partial.new_from :]
        if any(content.role == "model" for content in added):
            self.history = list(partial.history_contents)
            self.context = partial.context_contents


def _still_checked(history: list[Content], checked: list[Content]) -> int:
    """How many first turns of ``history`` are the checked ones (the same objects, in the
    same places): the whole count when the history only grew since, else 0 (edited or
    trimmed by the caller: everything is checked again). Comparing identities costs a
    fraction of checking the turns again."""
    count = len(checked)
    if not count or len(history) < count:
        return 0
    if not all(now is then for now, then in zip(history, checked, strict=False)):
        return 0
    return count
