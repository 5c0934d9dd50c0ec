"""The state of a run: what it has done so far, and its JSON form for pause and resume.

A paused run is saved as plain JSON (history as wire dicts, counters, records) so it can wait
for a person in another process, a database row or a file. Loading checks the shape and the
pairing of the pending calls before anything runs again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import ValidationError

from agentkit.agent.result import RunResult, RunUsage, StepRecord, StopReason, ToolCallRecord
from agentkit.agent.transcript import Transcript
from agentkit.errors import ConfigurationError
from agentkit.types import Content, UsageMetadata

STATE_VERSION = 1


@dataclass
class LoopState:
    """What a run has done so far; also what a paused run saves and restores."""

    run_id: str
    history: list[Content]
    new_from: int
    step: int = 0
    model_calls: int = 0
    tool_calls: int = 0
    forced_round_done: bool = False
    usage: RunUsage = field(default_factory=RunUsage)
    records: list[ToolCallRecord] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    thoughts: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    resumed_from: dict[str, Any] | None = None  # the paused run's span (``dump_state``)
    # What requests send when a context policy has compacted it; None: the history itself.
    # Turns after a compaction are appended to both, as the same objects.
    context: list[Content] | None = None

    @property
    def sent(self) -> list[Content]:
        return self.history if self.context is None else self.context

    def append(self, content: Content) -> None:
        self.history.append(content)
        if self.context is not None:
            self.context.append(content)

    def change_last(self, change: Callable[[Content], Content]) -> None:
        """Replace the last turn by ``change(turn)``, in both lists (the context's may carry
        a compaction's note, so each list's own last turn is changed)."""
        last = self.history[-1]
        self.history[-1] = changed = change(last)
        if self.context is not None:
            mine = self.context[-1]
            self.context[-1] = changed if mine is last else change(mine)

    def result(
        self,
        stop_reason: StopReason,
        text: str | None = None,
        output: Any = None,
        state: dict[str, Any] | None = None,
    ) -> RunResult:
        return RunResult(
            run_id=self.run_id,
            text=text,
            output=output if output is not None else text,
            # Transcripts: passed back as a run's history, these turns are shared, not copied.
            history_contents=Transcript(self.history),
            new_from=self.new_from,
            tool_calls=list(self.records),
            thoughts=list(self.thoughts),
            usage=self.usage,
            steps=list(self.steps),
            stop_reason=stop_reason,
            state=state,
            context_contents=None if self.context is None else Transcript(self.context),
        )

    def partial(self, text: str | None = None) -> RunResult:
        """What a failed run did, for the error it raises: a history that can be continued
        (a model turn whose calls were never answered is left out — none of them ran), the
        executed calls, usage and steps."""
        result = self.result(StopReason.FAILED, text)
        history = list(result.history_contents)
        for turns in (history, result.context_contents):
            if turns and turns[-1].role == "model" and turns[-1].function_calls:
                del turns[-1]
        result.history_contents = history
        return result


def dump_state(
    state: LoopState,
    pending: list[dict[str, Any]],
    key: bytes,
    trace: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The signed JSON of a paused run; ``trace`` names the paused run's span, which the
    resumed run's span links to."""
    body = {
        "version": STATE_VERSION,
        "run_id": state.run_id,
        "step": state.step,
        "history": [content.to_wire() for content in state.history],
        "new_from": state.new_from,
        "model_calls": state.model_calls,
        "tool_calls": state.tool_calls,
        "forced_round_done": state.forced_round_done,
        "usage": asdict(state.usage),
        "records": [asdict(record) for record in state.records],
        "steps": [
            {**asdict(step), "usage": step.usage.to_wire() if step.usage else None}
            for step in state.steps
        ],
        "thoughts": list(state.thoughts),
        "pending": pending,
    }
    if state.context is not None:
        body["context"] = [content.to_wire() for content in state.context]
    if trace is not None:
        body["trace"] = trace
    return {**body, "signature": _sign(body, key)}


def _sign(body: dict[str, Any], key: bytes) -> str:
    """An HMAC of the state: a person approves the calls a state shows, so a state edited
    afterwards (other arguments, other calls) must not resume."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def load_state(data: Any, key: bytes) -> tuple[LoopState, list[dict[str, Any]]]:
    """Rebuild a paused run; a state that is not one, or not signed by ``key``, raises
    ``ConfigurationError``."""
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        raise ConfigurationError(
            f"not an agentkit run state (expected a dict with version {STATE_VERSION})"
        )
    body = {k: v for k, v in data.items() if k != "signature"}
    signature = data.get("signature")
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _sign(body, key)):
        raise ConfigurationError(
            "the run state's signature does not match: it was changed after it was saved, or "
            "saved by an agent with another state_key"
        )
    try:
        history = [Content.model_validate(item) for item in data["history"]]
        state = LoopState(
            run_id=str(data["run_id"]),
            history=history,
            new_from=int(data["new_from"]),
            step=int(data["step"]),
            model_calls=int(data["model_calls"]),
            tool_calls=int(data["tool_calls"]),
            forced_round_done=bool(data["forced_round_done"]),
            usage=RunUsage(**data["usage"]),
            records=[ToolCallRecord(**record) for record in data["records"]],
            steps=[
                StepRecord(
                    **{
                        **step,
                        "usage": UsageMetadata.model_validate(step["usage"])
                        if step["usage"]
                        else None,
                    }
                )
                for step in data["steps"]
            ],
            thoughts=[str(t) for t in data["thoughts"]],
            resumed_from=data["trace"] if isinstance(data.get("trace"), dict) else None,
            context=[Content.model_validate(c) for c in data["context"]]
            if data.get("context") is not None
            else None,
        )
        pending = list(data["pending"])
    except (KeyError, TypeError, ValueError, ValidationError) as error:
        raise ConfigurationError(f"the run state is damaged: {error}") from None
    if not history or not history[-1].function_calls:
        raise ConfigurationError("the run state has no pending function calls to resume")
    return state, pending
