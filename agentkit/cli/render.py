"""Showing a run: a readable transcript on the terminal, and JSON lines for machines."""

from __future__ import annotations

import json
from typing import IO, Any

from rich.console import Console
from rich.markup import escape

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
from agentkit.offline import ModelChoice


def compaction_text(event: ContextCompacted) -> str:
    """``context compacted: 3 old tool results elided, 12 earlier exchanges summarised
    (41,000 → 9,500 tokens); the transcript keeps everything``."""
    done = []
    if event.elided_results:
        done.append(f"{event.elided_results} old tool result(s) elided")
    if event.removed_exchanges:
        how = "summarised" if event.summary else "dropped"
        done.append(f"{event.removed_exchanges} earlier exchange(s) {how}")
    sizes = f"{event.tokens_before:,} → {event.tokens_after:,} tokens"
    return f"context compacted: {', '.join(done)} ({sizes}); the transcript keeps everything"


def progress_text(event: ToolProgress) -> str:
    """``3/10 (30%) copying``: what a report says, in the words a person reads."""
    done = f"{event.progress:g}"
    if event.total:
        done += f"/{event.total:g} ({min(100.0, 100 * event.progress / event.total):.0f}%)"
    return f"{done} {event.message}" if event.message else done


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Transcript:
    """Prints events as they come: the user's prompt, calls with arguments, results or
    errors, streamed text, and the usage at the end."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._in_text = False

    def user(self, prompt: str) -> None:
        self._end_text()
        self.console.print(f"[bold cyan]user>[/] {escape(prompt)}")

    def event(self, event: Event) -> None:
        if isinstance(event, TextDelta):
            if not self._in_text:
                # State before output, here and below: a Ctrl-C raised as a print ends
                # must find the line's state as the screen shows it.
                self._in_text = True
                self.console.print("[bold green]model>[/] ", end="")
            self.console.print(escape(event.text), end="", highlight=False)
            return
        self._end_text()
        if isinstance(event, ThoughtDelta):
            self.console.print(f"[dim italic]  thinking: {escape(event.text)}[/]")
        elif isinstance(event, FunctionCallEvent):
            args = _short(event.call.arguments)
            self.console.print(f"  [yellow]→ {escape(event.call.name)}[/]({escape(args)})")
        elif isinstance(event, FunctionResultEvent):
            if event.ok:
                self.console.print(
                    f"  [green]← {escape(event.name)}[/] {escape(_short(event.response))}"
                )
            else:
                error = event.response.get("error", event.response)
                self.console.print(f"  [red]✗ {escape(event.name)}[/] {escape(_short(error))}")
        elif isinstance(event, CodeExecuted):
            first = event.code.strip().splitlines()[0] if event.code.strip() else ""
            said = _short(event.output or "", 120) if event.output is not None else "(no output)"
            self.console.print(
                f"  [cyan]⚙ ran code[/] {escape(first)} → {escape(str(event.outcome))}: "
                f"{escape(said)}"
            )
        elif isinstance(event, ContextCompacted):
            self.console.print(f"  [dim]⋯ {escape(compaction_text(event))}[/]")
        elif isinstance(event, ToolProgress):
            self.console.print(f"  [dim]… {escape(event.name)} {escape(progress_text(event))}[/]")
        elif isinstance(event, RetryEvent):
            where = f"{event.source}, attempt {event.attempt}"
            self.console.print(f"  [magenta]retry ({where})[/]: {escape(event.reason)}")
        elif isinstance(event, RunFinished):
            self.finished(event.result)

    def finished(self, result: RunResult) -> None:
        self._end_text()
        for number, source in enumerate(result.sources, start=1):
            self.console.print(
                f"  [blue]source {number}:[/] {escape(source['title'])} — {escape(source['uri'])}"
            )
        usage = result.usage
        cost = f"${usage.cost_usd:.6f}" if usage.cost_usd is not None else "unknown cost"
        self.console.print(
            f"[dim]  {result.stop_reason} · {len(result.steps)} model call(s) · "
            f"{len(result.tool_calls)} tool call(s) · {usage.total_tokens} tokens "
            f"({usage.prompt_tokens} in, {usage.candidates_tokens} out, {usage.thoughts_tokens} "
            f"thinking) · {cost}[/]"
        )

    def _end_text(self) -> None:
        if self._in_text:
            self._in_text = False
            self.console.print()


def print_banner(console: Console, choice: ModelChoice) -> None:
    """Say which model answers: live, or the run file's scripted turns (never mistakable)."""
    if choice.scripted:
        note = choice.banner + " (turns from the run file's [offline] section)"
        console.print(f"[bold yellow]{escape(note)}[/]")
    else:
        console.print(f"[dim]{escape(choice.banner)}[/]")


def event_record(event: Event) -> dict[str, Any] | None:
    """The JSON-lines form of an event (text deltas are left to the step records)."""
    if isinstance(event, FunctionCallEvent):
        return {
            "type": "function_call",
            "step": event.step,
            "name": event.call.name,
            "args": event.call.arguments,
            "id": event.call.id,
        }
    if isinstance(event, FunctionResultEvent):
        return {
            "type": "function_result",
            "step": event.step,
            "name": event.name,
            "id": event.call_id,
            "ok": event.ok,
            "response": event.response,
            "duration_s": round(event.duration, 4),
        }
    if isinstance(event, CodeExecuted):
        return {
            "type": "code",
            "step": event.step,
            "code": event.code,
            "outcome": event.outcome,
            "output": event.output,
        }
    if isinstance(event, ContextCompacted):
        return {
            "type": "compaction",
            "step": event.step,
            "tokens_before": event.tokens_before,
            "tokens_after": event.tokens_after,
            "elided_results": event.elided_results,
            "removed_exchanges": event.removed_exchanges,
            "summary": event.summary,
        }
    if isinstance(event, ToolProgress):
        return {
            "type": "progress",
            "step": event.step,
            "name": event.name,
            "id": event.call_id,
            "progress": event.progress,
            "total": event.total,
            "message": event.message,
        }
    if isinstance(event, RetryEvent):
        return {
            "type": "retry",
            "step": event.step,
            "source": event.source,
            "reason": event.reason,
            "attempt": event.attempt,
        }
    if isinstance(event, StepFinished):
        return {
            "type": "step",
            "step": event.step,
            "finish_reason": event.finish_reason,
            "calls": event.calls,
        }
    if isinstance(event, RunFinished):
        return {"type": "run", **result_record(event.result)}
    return None


def result_record(result: RunResult) -> dict[str, Any]:
    usage = result.usage
    return {
        "run_id": result.run_id,
        "stop_reason": str(result.stop_reason),
        "text": result.text,
        "tool_calls": [
            {"name": c.name, "args": c.args, "ok": c.ok, "response": c.response}
            for c in result.tool_calls
        ],
        "usage": {
            "requests": usage.requests,
            "prompt_tokens": usage.prompt_tokens,
            "candidates_tokens": usage.candidates_tokens,
            "thoughts_tokens": usage.thoughts_tokens,
            "total_tokens": usage.total_tokens,
            "cost_usd": usage.cost_usd,
        },
        **({"sources": result.sources} if result.sources else {}),
        **({"code_runs": result.code_runs} if result.code_runs else {}),
    }


def write_json_line(stream: IO[str], record: dict[str, Any]) -> None:
    stream.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    stream.flush()
