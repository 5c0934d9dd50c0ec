"""``agentkit chat``: talk to an agent at the terminal, with the manners of a shell.

The conversation itself is ``agentkit.cli.terminal_chat``; this is the set-up: the run file
(or ``--model``/``--tools``), the model — live, another base URL, or the run file's scripted
turns offline — and the banner. Without a key and without a run file nothing could answer,
and the chat says so before anyone types a word (exit 2) instead of offering a prompt whose
messages go nowhere.
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from rich.console import Console

from agentkit.cli.exits import UsageError
from agentkit.cli.render import print_banner
from agentkit.cli.runfile import RunFile, load_run_file
from agentkit.cli.scripted import no_model_line
from agentkit.cli.setup import agent_for, tools_for
from agentkit.cli.terminal_chat import TerminalChat
from agentkit.offline import live_or_scripted, remote_configured


def chat_command(args: argparse.Namespace, out: Console, err: Console) -> int:
    runfile = run_file_for(args)
    if runfile.offline_turns is None and not args.file and not remote_configured():
        raise UsageError(no_model_line(runfile.model))
    # What can be wrong with the set-up is found before anything is shown or started.
    toolset = tools_for(runfile, lambda note: err.print(f"[yellow]{note}[/]"))
    with contextlib.ExitStack() as running:
        choice = running.enter_context(live_or_scripted(runfile.model, runfile.offline_turns))
        print_banner(err, choice)
        terminal = TerminalChat(choice, out=out, err=err)
        agent = agent_for(
            runfile,
            choice.model,
            toolset,
            terminal.confirm,
            telemetry=args.telemetry,
            conversation=True,
        )
        return terminal.talk(agent)


def run_file_for(args: argparse.Namespace) -> RunFile:
    """The run file named, or one made of ``--model`` and ``--tools`` (also ``agentkit web``)."""
    if args.file:
        # A run file says which model and tools; options that would be ignored are refused.
        for flag, given in (("--model", args.model), ("--tools", args.tools)):
            if given:
                raise UsageError(
                    f"{flag} is for a chat without a run file; {args.file} names its own "
                    f"{flag.removeprefix('--')} (change it there)"
                )
        return load_run_file(args.file)
    cwd = Path.cwd().resolve()
    model = args.model or "gemini-2.5-flash"
    return RunFile(path=cwd / "chat", model=model, tools=tuple(args.tools), tool_paths=(cwd,))
