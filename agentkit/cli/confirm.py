"""Who approves calls that need confirmation when the CLI runs an agent."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from rich.console import Console
from rich.markup import escape

from agentkit.agent import ConfirmationRequest, Decision


def confirmation_policy(
    console: Console, *, approve: bool, interactive: bool | None = None
) -> Callable[[ConfirmationRequest], Decision]:
    """Ask at the terminal when there is one; otherwise approve with ``--approve``, else deny
    — and say which, so an unattended run's transcript shows every decision."""
    ask = sys.stdin.isatty() if interactive is None else interactive

    def decide(request: ConfirmationRequest) -> Decision:
        call = f"{request.tool_name}({json.dumps(request.args, ensure_ascii=False)})"
        if approve:
            console.print(f"  [bold yellow]approved by --approve:[/] {escape(call)}")
            return Decision(True)
        if not ask:
            console.print(
                f"  [bold red]denied (not interactive; --approve allows it):[/] {escape(call)}"
            )
            return Decision(False, "no one was there to approve it")
        prompt = f"  [bold yellow]allow {escape(call)}?[/] {escape('[y/N]')} "
        answer = console.input(prompt).strip().lower()
        approved = answer in ("y", "yes")
        return Decision(approved, None if approved else "the user said no")

    return decide
