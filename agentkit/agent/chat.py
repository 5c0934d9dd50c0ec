"""``Chat``: a conversation with an agent, each message continuing from the last answer."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from agentkit.agent.events import Event, FunctionResultEvent, RunFinished
from agentkit.agent.limits import Limits
from agentkit.agent.result import RunResult
from agentkit.agent.running import Prompt, copy_history, result_of, run_blocking
from agentkit.agent.transcript import Transcript
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
        self._transcript = Transcript(copy_history(history))
        self.results: list[RunResult] = []
        # What the next message is sent after, when the context policy compacted the
        # history (None: the history itself). ``history`` always keeps everything.
        self.context: list[Content] | None = None
        # (transcript, its edits, turns) when the last run finished: the next run checks
        # only the turns after those, unless the transcript was edited since.
        self._checked: tuple[Transcript, int, int] | None = None

    @property
    def history(self) -> list[Content]:
        """Everything said, every tool result: the whole conversation, never compacted.
        Results share it (each sees the turns it finished with); editing it in place is
        allowed and makes the next message check it again."""
        return self._transcript

    @history.setter
    def history(self, turns: Sequence[Content | Mapping[str, Any]]) -> None:
        self._transcript = Transcript(copy_history(turns))
        self.context = None

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
        agent, history, context = self.agent, self._transcript, self.context
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
                        result = event.result
                        self._adopt(result.history_contents)
                        # The result shows the transcript's turns instead of its own copy.
                        result.history_contents = self._transcript.view()
                        self.results.append(result)
                        self.context = result.context_contents
                        transcript = self._transcript
                        self._checked = (transcript, transcript.edits, len(transcript))
                        finished = True
                    elif isinstance(event, FunctionResultEvent) and event.step != answered_step:
                        # The step's calls are answered: the history follows at once, so a
                        # consumer that just stops reading (a plain ``break``, whose closing
                        # comes later) already sees the calls that ran.
                        answered_step = event.step
                        state = started[0].state
                        self._adopt(state.history)
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
            self._adopt(partial.history_contents)
            self.context = partial.context_contents

    def _adopt(self, turns: Sequence[Content]) -> None:
        """Make the transcript ``turns``: by appending when they continue it (a run starts
        from the transcript's own turns and only adds), else by replacing it."""
        transcript = self._transcript
        known = len(transcript)
        continues = len(turns) >= known and (known == 0 or turns[known - 1] is transcript[-1])
        if continues:
            transcript.adopt(turns[known:])
        else:
            self._transcript = Transcript(turns)


def _still_checked(history: Transcript, checked: tuple[Transcript, int, int] | None) -> int:
    """How many first turns of ``history`` the last run checked: all of them when the
    transcript only grew since, else 0 (edited by the caller: everything is checked
    again)."""
    if checked is None:
        return 0
    transcript, edits, count = checked
    if history is not transcript or history.edits != edits or len(history) < count:
        return 0
    return count
