"""One run's progress, kept between invocations so a killed batch resumes it mid-way.

A run is its prompts, taken one after the other by the agent loop on the history so far.
After every step that called tools the transcript is saved (a session: the history, and
beside it which prompt the run is at, the usage so far and the calls it executed), so the
next invocation continues that prompt from its last completed step (``prompt=None``) —
repeating the model call it was waiting for, which the batch then finds in the job that
already holds it. A step without calls is not saved on its own: it ends the prompt (or
asks again), and its answer is kept when the prompt ends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import asdict, dataclass, field
from typing import Any

from agentkit.agent import RunFinished, RunResult, StepFinished
from agentkit.agent.events import FunctionCallEvent, FunctionResultEvent
from agentkit.agent.result import RunUsage, ToolCallRecord
from agentkit.sessions import Session, SessionStore
from agentkit.types import Content, FunctionCall

_META = "batch_run"
_COUNTS = (
    "requests",
    "prompt_tokens",
    "candidates_tokens",
    "thoughts_tokens",
    "cached_tokens",
    "tool_use_prompt_tokens",
    "total_tokens",
)


def session_name(run: str) -> str:
    """A run's session: any run id (an input row's, free text) gives a valid name."""
    return "run-" + hashlib.sha256(run.encode()).hexdigest()[:24]


def added_usage(first: RunUsage, second: RunUsage) -> RunUsage:
    """Two runs' usage together; an unknown cost (an unpriced model) stays unknown."""
    total = RunUsage()
    for name in _COUNTS:
        setattr(total, name, getattr(first, name) + getattr(second, name))
    total.cache_storage_usd = first.cache_storage_usd + second.cache_storage_usd
    costs = (first.cost_usd, second.cost_usd)
    total.cost_usd = None if None in costs else (first.cost_usd or 0.0) + (second.cost_usd or 0.0)
    return total


@dataclass
class RunProgress:
    run: str
    prompts: tuple[str, ...]
    store: SessionStore
    session: Session = field(default_factory=Session)
    prompt: int = 0  # the prompt in progress (or next)
    in_prompt: bool = False  # a step of that prompt completed, the prompt did not
    # What the prompt in progress did in earlier invocations.
    usage: RunUsage = field(default_factory=RunUsage)
    calls: list[ToolCallRecord] = field(default_factory=list)

    @classmethod
    def load(cls, store: SessionStore, run: str, prompts: Sequence[str]) -> RunProgress:
        """The run as saved, or a fresh start when nothing (or another run) was saved."""
        progress = cls(run, tuple(prompts), store)
        session = store.load(session_name(run))
        saved = session.meta.get(_META) if session is not None else None
        if (
            session is None
            or not isinstance(saved, dict)
            or saved.get("run") != run
            or saved.get("prompts") != list(prompts)
        ):
            return progress
        progress.session = session
        progress.prompt = int(saved["prompt"])
        progress.in_prompt = bool(saved["in_prompt"])
        progress.usage = RunUsage(**saved["usage"])
        progress.calls = [ToolCallRecord(**record) for record in saved["tool_calls"]]
        return progress

    @property
    def resumed(self) -> bool:
        return self.in_prompt or self.prompt > 0

    async def drive(self, agent: Any) -> RunResult:
        """Run the prompts not done yet on ``agent``; the last one's result, with the usage
        and calls of its earlier invocations added."""
        result: RunResult | None = None
        for index in range(self.prompt, len(self.prompts)):
            continuing = self.in_prompt and index == self.prompt
            prompt = None if continuing else self.prompts[index]
            result = await self._one(agent, prompt)
            if index + 1 < len(self.prompts):
                # The last prompt's end is the run's: its result is reported, and the
                # session goes (``forget``), so nothing is saved for it.
                self.session.history = result.history
                self.prompt, self.in_prompt = index + 1, False
                self.usage, self.calls = RunUsage(), []
                self._save()
        assert result is not None, "a run has at least one prompt"
        return result

    def forget(self) -> None:
        self.store.delete(session_name(self.run))

    async def _one(self, agent: Any, prompt: str | None) -> RunResult:
        history = [Content.model_validate(item) for item in self.session.history]
        usage, calls = RunUsage(), list[ToolCallRecord]()
        asked: list[FunctionCall] = []  # this step's calls, answered in the same order
        model = str(agent.model.name)
        async with aclosing(agent.stream(prompt, history=history)) as events:
            async for event in events:
                if isinstance(event, FunctionCallEvent):
                    asked.append(event.call)
                elif isinstance(event, FunctionResultEvent):
                    call = asked.pop(0)
                    calls.append(
                        ToolCallRecord(
                            event.step,
                            event.name,
                            call.arguments,
                            event.call_id,
                            event.response,
                            event.ok,
                            event.duration,
                        )
                    )
                elif isinstance(event, StepFinished):
                    usage.add_call(model, event.usage)
                    if event.calls:
                        self.session.history = [content.to_wire() for content in event.history]
                        self.in_prompt = True
                        self._save(added_usage(self.usage, usage), [*self.calls, *calls])
                elif isinstance(event, RunFinished):
                    result = event.result
                    result.usage = added_usage(self.usage, result.usage)
                    result.tool_calls = [*self.calls, *result.tool_calls]
                    return result
        raise AssertionError("the run ended without a RunFinished event")

    def _save(
        self, usage: RunUsage | None = None, calls: list[ToolCallRecord] | None = None
    ) -> None:
        self.session.meta[_META] = {
            "run": self.run,
            "prompts": list(self.prompts),
            "prompt": self.prompt,
            "in_prompt": self.in_prompt,
            "usage": asdict(usage if usage is not None else self.usage),
            "tool_calls": [asdict(r) for r in (calls if calls is not None else self.calls)],
        }
        self.store.save(session_name(self.run), self.session)
