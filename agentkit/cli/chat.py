"""``agentkit chat``: talk to an agent at the terminal; confirmations are asked there too."""

from __future__ import annotations

import argparse
from contextlib import aclosing
from pathlib import Path

import anyio
import anyio.to_thread
from rich.console import Console

from agentkit.agent import Chat
from agentkit.cli.confirm import confirmation_policy
from agentkit.cli.render import Transcript, print_banner
from agentkit.cli.runfile import RunFile, load_run_file
from agentkit.cli.setup import agent_for, tools_for
from agentkit.models.base import close_model
from agentkit.offline import live_or_scripted

QUIT = {"exit", "quit", "/exit", "/quit"}


def chat_command(args: argparse.Namespace, out: Console, err: Console) -> int:
    if args.file:
        runfile = load_run_file(args.file)
    else:
        cwd = Path.cwd().resolve()
        runfile = RunFile(
            path=cwd / "chat", model=args.model, tools=tuple(args.tools), tool_paths=(cwd,)
        )
    with live_or_scripted(runfile.model, runfile.offline_turns) as choice:
        print_banner(err, choice)
        toolset = tools_for(runfile, lambda note: err.print(f"[yellow]{note}[/]"))
        agent = agent_for(
            runfile,
            choice.model,
            toolset,
            confirmation_policy(out, approve=False, interactive=True),
        )
        chat = agent.chat()
        err.print(
            f"[dim]tools: {', '.join(toolset.names) or '(none)'} · "
            "type 'exit' or Ctrl-D to leave[/]"
        )
        anyio.run(_converse, chat, out, Transcript(out))
    return 0


async def _converse(chat: Chat, out: Console, transcript: Transcript) -> None:
    """The whole conversation in one event loop; the terminal is read in a worker thread so
    the loop (and the model's connections) stay alive between lines."""
    try:
        while True:
            try:
                line = (await anyio.to_thread.run_sync(out.input, "[bold cyan]you>[/] ")).strip()
            except EOFError:
                break
            if not line:
                continue
            if line.lower() in QUIT:
                break
            async with aclosing(chat.stream(line)) as events:
                async for event in events:
                    transcript.event(event)
    finally:
        await close_model(chat.agent.model)
