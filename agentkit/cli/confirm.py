"""Who approves calls that need confirmation when the CLI runs an agent."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape

from agentkit.agent import ConfirmationRequest, Decision
from agentkit.cli.elicitation import FormAnswer, NotAnswerable, fill_form, is_yes_no

SAID_NO = "the user said no"


ELICITATION_KEY = "elicitation"  # an MCP server's own question (see cli/mcp_config.py)


def form_schema(request: ConfirmationRequest) -> dict[str, Any] | None:
    """The form a server's question asks to be filled in; None for a yes/no question."""
    if request.key != ELICITATION_KEY:
        return None
    schema = request.args.get("schema")
    return schema if isinstance(schema, dict) and not is_yes_no(schema) else None


def shown_call(request: ConfirmationRequest) -> str:
    if request.key == ELICITATION_KEY:
        return f"MCP server {request.tool_name!r} asks: {request.args.get('question', '')}"
    return f"{request.tool_name}({json.dumps(request.args, ensure_ascii=False)})"


def question(request: ConfirmationRequest) -> str:
    """The question, as rich markup; only "y" or "yes" approves."""
    if request.key == ELICITATION_KEY:
        return f"  [bold yellow]{escape(shown_call(request))}[/] {escape('[y/N]')} "
    return f"  [bold yellow]allow {escape(shown_call(request))}?[/] {escape('[y/N]')} "


def decision_for(answer: str | None) -> Decision:
    """The decision an answer means; None (Ctrl-C or Ctrl-D instead of an answer) is no."""
    approved = answer is not None and answer.strip().lower() in ("y", "yes")
    return Decision(approved, None if approved else SAID_NO)


def confirmation_policy(
    console: Console, *, approve: bool, interactive: bool | None = None
) -> Callable[[ConfirmationRequest], Decision]:
    """Ask at the terminal when there is one; otherwise approve with ``--approve``, else deny
    — and say which, so an unattended run's transcript shows every decision."""
    ask = sys.stdin.isatty() if interactive is None else interactive

    def decide(request: ConfirmationRequest) -> Decision:
        call = shown_call(request)
        if approve and form_schema(request) is not None:
            console.print(
                f"  [bold red]declined (--approve answers yes/no questions, and this is a "
                f"form):[/] {escape(call)}"
            )
            return Decision(False, "the form was not filled in")
        if approve:
            console.print(f"  [bold yellow]approved by --approve:[/] {escape(call)}")
            return Decision(True)
        if not ask:
            console.print(
                f"  [bold red]denied (not interactive; --approve allows it):[/] {escape(call)}"
            )
            return Decision(False, "no one was there to approve it")
        return asking(request)

    # At a run's question Ctrl-D is "no answer", a denial; Ctrl-C stops the run (exit 130),
    # as it would anywhere else in ``agentkit run``.
    asking = ask_reading(console.input, console, denied_by=(EOFError,))
    return decide


def ask_reading(
    read: Callable[[str], str],
    console: Console,
    *,
    denied_by: tuple[type[BaseException], ...] = (KeyboardInterrupt, EOFError),
) -> Callable[[ConfirmationRequest], Decision]:
    """Ask with ``read`` (the chat's line reader, or the console's). Ctrl-C or Ctrl-D at the
    question (``denied_by``) is a no: the model is told the call was declined and the
    conversation goes on, as when the person types "n"."""

    def decide(request: ConfirmationRequest) -> Decision:
        try:
            form = form_schema(request)
            if form is not None:
                return _filled(read, console, request, form)
            return decision_for(read(question(request)))
        except denied_by:
            # The cursor is still on the question's line, after a ^C or nothing at all.
            console.print()
            console.print(f"  [bold red]denied (no answer):[/] {escape(shown_call(request))}")
            return decision_for(None)

    return decide


def _filled(
    read: Callable[[str], str],
    console: Console,
    request: ConfirmationRequest,
    form: dict[str, Any],
) -> Decision:
    asked = str(request.args.get("question", ""))
    try:
        return FormAnswer(True, content=fill_form(read, console, request.tool_name, asked, form))
    except NotAnswerable as problem:
        console.print(
            f"  [bold red]declined (cannot be asked here: {escape(str(problem))}):[/] "
            f"{escape(shown_call(request))}"
        )
        return Decision(False, str(problem))
