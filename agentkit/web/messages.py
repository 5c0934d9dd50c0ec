"""The page's messages: the run's typed events, and a saved session's turns, as JSON.

The page draws from these alone. A live turn's events (the same ones ``agentkit run`` and
``chat`` print) become one message each; a reopened session's history becomes the same
kinds of message, so a call looks the same whether it ran a second ago or last week. Each
call gets an id for the page (``call_id`` when the model gave one, else its step and
position), prefixed by its turn (``t2.``; ``h.`` in a reopened history) so that ids stay
unique on a page that shows many turns. Its result, progress and confirmation refer to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agentkit.agent import (
    CodeExecuted,
    ContextCompacted,
    Event,
    FunctionCallEvent,
    FunctionResultEvent,
    RetryEvent,
    RunFinished,
    RunResult,
    StepFinished,
    TextDelta,
    ThoughtDelta,
    ToolProgress,
)
from agentkit.pricing import call_cost
from agentkit.types import Content, UsageMetadata


def call_status(response: dict[str, Any]) -> str:
    """``ok``, ``denied`` (a person said no) or ``error``: said in words on the page."""
    error = response.get("error")
    if error is None:
        return "ok"
    if isinstance(error, dict) and error.get("type") == "denied":
        return "denied"
    return "error"


def usage_of(usage: UsageMetadata | None) -> dict[str, int]:
    if usage is None:
        return {"prompt": 0, "output": 0, "thinking": 0, "cached": 0, "total": 0}
    prompt = usage.prompt_token_count or 0
    output = usage.candidates_token_count or 0
    thinking = usage.thoughts_token_count or 0
    return {
        "prompt": prompt,
        "output": output,
        "thinking": thinking,
        "cached": usage.cached_content_token_count or 0,
        "total": usage.total_token_count or prompt + output + thinking,
    }


class TurnMessages:
    """The messages of one turn's events, in order. Results are matched to their calls by
    id, or by position within the step when the model gave no ids (results come back in
    the calls' order)."""

    def __init__(self, model: str, turn: int = 1) -> None:
        self.model = model
        self.prefix = f"t{turn}."
        self._calls: dict[int, list[tuple[str, str]]] = {}  # step → (page id, name), in order
        self._answered: dict[int, int] = {}  # step → results seen

    def _new_call(self, step: int, name: str, call_id: str | None) -> str:
        taken = self._calls.setdefault(step, [])
        page_id = self.prefix + (call_id if call_id is not None else f"s{step}c{len(taken) + 1}")
        taken.append((page_id, name))
        return page_id

    def confirmed_call(self, step: int, call_id: str | None, key: str) -> str:
        """The page id of the call a confirmation asks about: its id, or (without one) the
        position in its turn that the request's key holds."""
        if call_id is not None:
            return self.prefix + call_id
        calls = self._calls.get(step, [])
        if key.isdigit() and int(key) < len(calls):
            return calls[int(key)][0]
        return f"{self.prefix}s{step}c?{key}"

    def _progressing_call(self, step: int, name: str, call_id: str | None) -> str:
        if call_id is not None:
            return self.prefix + call_id
        for page_id, called in self._calls.get(step, []):
            if called == name:
                return page_id
        return f"{self.prefix}s{step}-{name}"

    def of(self, event: Event) -> dict[str, Any] | None:
        if isinstance(event, TextDelta):
            return {"type": "text", "step": event.step, "text": event.text}
        if isinstance(event, ThoughtDelta):
            return {"type": "thought", "step": event.step, "text": event.text}
        if isinstance(event, FunctionCallEvent):
            call = event.call
            return {
                "type": "call",
                "step": event.step,
                "call": self._new_call(event.step, call.name, call.id),
                "name": call.name,
                "args": call.arguments,
            }
        if isinstance(event, FunctionResultEvent):
            return self._result(event)
        if isinstance(event, ToolProgress):
            return {
                "type": "progress",
                "step": event.step,
                "call": self._progressing_call(event.step, event.name, event.call_id),
                "name": event.name,
                "progress": event.progress,
                "total": event.total,
                "message": event.message,
            }
        if isinstance(event, CodeExecuted):
            return {
                "type": "code",
                "step": event.step,
                "code": event.code,
                "outcome": event.outcome,
                "output": event.output,
            }
        if isinstance(event, RetryEvent):
            return {
                "type": "retry",
                "step": event.step,
                "source": event.source,
                "reason": one_line(event.reason),
                "attempt": event.attempt,
                "delay": event.delay,
            }
        if isinstance(event, ContextCompacted):
            return {
                "type": "compacted",
                "step": event.step,
                "tokens_before": event.tokens_before,
                "tokens_after": event.tokens_after,
            }
        if isinstance(event, StepFinished):
            return {
                "type": "step",
                "step": event.step,
                "finish_reason": event.finish_reason,
                "calls": event.calls,
                "usage": usage_of(event.usage),
                "cost_usd": call_cost(self.model, event.usage),
            }
        if isinstance(event, RunFinished):
            return run_message(event.result)
        return None

    def _result(self, event: FunctionResultEvent) -> dict[str, Any]:
        step = event.step
        position = self._answered.get(step, 0)
        self._answered[step] = position + 1
        calls = self._calls.get(step, [])
        if event.call_id is not None:
            page_id = self.prefix + event.call_id
        elif position < len(calls):
            page_id = calls[position][0]
        else:
            page_id = f"{self.prefix}s{step}r{position + 1}"
        return {
            "type": "result",
            "step": step,
            "call": page_id,
            "name": event.name,
            "status": call_status(event.response),
            "response": event.response,
            "duration": event.duration,
            "started_at": event.started_at,
        }


def run_message(result: RunResult) -> dict[str, Any]:
    usage = result.usage
    return {
        "type": "run",
        "stop_reason": str(result.stop_reason),
        "steps": len(result.steps),
        "tool_calls": len(result.tool_calls),
        "usage": {
            "prompt": usage.prompt_tokens,
            "output": usage.candidates_tokens,
            "thinking": usage.thoughts_tokens,
            "cached": usage.cached_tokens,
            "total": usage.total_tokens,
        },
        "cost_usd": usage.cost_usd,
    }


def one_line(text: str, limit: int = 400) -> str:
    """Text for one line of the page: whitespace runs (newlines too) become one space."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def transcript_of(history: Sequence[Content]) -> list[dict[str, Any]]:
    """A saved conversation as page messages: what was said, each call and its result.
    Nothing was timed, so results carry no times; steps are counted per model turn."""
    items: list[dict[str, Any]] = []
    step = 0
    pending: list[str] = []  # page ids of the last model turn's calls, in order
    for content in history:
        if content.role == "model":
            step += 1
            pending = []
            for part in content.parts or ():
                if part.function_call is not None:
                    call = part.function_call
                    page_id = "h." + (call.id if call.id else f"s{step}c{len(pending) + 1}")
                    pending.append(page_id)
                    items.append(
                        {
                            "type": "call",
                            "step": step,
                            "call": page_id,
                            "name": call.name,
                            "args": call.arguments,
                        }
                    )
                elif part.text:
                    kind = "thought" if part.thought else "text"
                    items.append({"type": kind, "step": step, "text": part.text})
            continue
        answers = content.function_responses
        for position, answer in enumerate(answers):
            response = answer.response or {}
            if answer.id is not None:
                page_id = "h." + answer.id
            elif position < len(pending):
                page_id = pending[position]
            else:
                page_id = f"h.s{step}r{position + 1}"
            items.append(
                {
                    "type": "result",
                    "step": step,
                    "call": page_id,
                    "name": answer.name,
                    "status": call_status(response),
                    "response": response,
                    "duration": None,
                    "started_at": None,
                }
            )
        said = [part.text for part in content.parts or () if part.text and not part.thought]
        if said and not answers:
            items.append({"type": "user", "text": "\n".join(said)})
    return items
