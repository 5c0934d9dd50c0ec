"""A conversation with an agent at the terminal, driven from the main thread.

``TerminalChat`` is what ``agentkit chat`` runs, and a program can run it too::

    terminal = TerminalChat(choice)   # choice from agentkit.offline.live_or_scripted
    agent = Agent(choice.model, tools=[...], confirm=terminal.confirm)
    terminal.talk(agent)

What a person can do, and what happens:

- Enter sends the line; readline edits it and recalls earlier ones (↑), across chats
  (``agentkit.cli.terminal``).
- Ctrl-C at the prompt drops the line and gives a new prompt; it never leaves the chat.
- Ctrl-C during a turn abandons it and the prompt is back at once: the model's stream is
  closed, the steps the turn completed stay in the conversation (``Chat`` keeps them), and a
  sync tool still running is said to run on in its thread (Python cannot stop one).
- Ctrl-D, ``exit`` or ``quit`` — or the end of piped input — leaves with status 0.
- Ctrl-C or Ctrl-D at a confirmation question is a no; the model is told, the chat goes on.
- An error in a turn (the API, the model) is one line, and the conversation goes on from
  the same history plus whatever the failed turn completed.
- Offline, the scripted turns answer in order; once they are used up nothing more is sent
  (``agentkit.cli.scripted``).

The main thread owns the terminal; the agent runs in one event loop in a second thread for
the whole chat (``agentkit.cli.loop_thread`` says why).
"""

from __future__ import annotations

import threading
from typing import Any

from rich.console import Console
from rich.markup import escape

from agentkit.agent import (
    Agent,
    Chat,
    Event,
    FunctionCallEvent,
    FunctionResultEvent,
    StepFinished,
    TextDelta,
)
from agentkit.cli.confirm import ask_reading
from agentkit.cli.console import command_console
from agentkit.cli.exits import EXIT_INTERRUPTED, EXIT_OK, ending_for
from agentkit.cli.held_logs import HeldLines, held_warnings
from agentkit.cli.loop_thread import LoopThread, interrupts_held
from agentkit.cli.render import Transcript
from agentkit.cli.scripted import ScriptedTurns
from agentkit.cli.terminal import LineReader, history_file
from agentkit.models.base import close_model
from agentkit.offline import ModelChoice
from agentkit.signals import join_interruptibly
from agentkit.tools import Toolset

QUIT = {"exit", "quit", "/exit", "/quit"}
PROMPT = "[bold cyan]you>[/] "


class TerminalChat:
    """The conversation: read a line, run its turn, repeat, until the person leaves.

    ``confirm`` is the confirmation callback to give the agent: questions are asked at this
    terminal, between the lines of the transcript.
    """

    def __init__(
        self,
        choice: ModelChoice | None = None,
        *,
        out: Console | None = None,
        err: Console | None = None,
    ) -> None:
        self.out = out if out is not None else command_console()
        self.err = err if err is not None else command_console(stderr=True)
        self.script = ScriptedTurns.of(choice, choice.model.name) if choice else None
        self.loop = LoopThread()
        self.confirm = self.loop.confirm
        self.reader = LineReader(self.out, history_file())
        self.ask = ask_reading(self.reader.answer, self.out)
        self.held: HeldLines | None = None

    def talk(self, agent: Agent[Any]) -> int:
        """Converse until Ctrl-D, ``exit`` or the end of the input; the exit status: 0, or
        130 when the person would not wait for a tool still running at the end."""
        with held_warnings() as self.held:
            with self.loop:
                try:
                    # The agent's MCP servers stay open for the whole chat, entered and left
                    # by one task of the loop (their task groups require it).
                    with self.loop.portal.wrap_async_context_manager(agent):
                        self._introduce(agent.toolset)
                        self._converse(agent.chat(), agent.toolset)
                finally:
                    self.loop.call(close_model, agent.model)
            return wait_for(self.loop.threads_left(), self.err, self.held)

    def _introduce(self, toolset: Toolset) -> None:
        if self.script is not None:
            self.err.print(f"[bold yellow]{escape(self.script.banner())}[/]")
        self.err.print(
            f"[dim]tools: {escape(', '.join(toolset.names) or '(none)')} · Ctrl-C stops a "
            "turn · exit or Ctrl-D leaves[/]"
        )

    def _converse(self, chat: Chat, toolset: Toolset) -> None:
        while True:
            try:
                if not self._one_line(chat, toolset):
                    return
            except KeyboardInterrupt:
                # Ctrl-C between the places that expect it (while a note was printed):
                # it still only means "back to the prompt".
                self.out.print()

    def _one_line(self, chat: Chat, toolset: Toolset) -> bool:
        """Read and act on one line; False when the person leaves."""
        show_held(self.held, self.err)
        try:
            line = self.reader.message(PROMPT)
        except KeyboardInterrupt:
            self.out.print()  # the line is dropped; the cursor was after it
            return True
        except EOFError:
            self.out.print()
            self.err.print("[dim]bye[/]")
            return False
        except UnicodeDecodeError:
            self.err.print("[red]that line is not UTF-8 text; nothing was sent[/]")
            return True
        text = line.strip()
        if not text:
            return True
        if text.lower() in QUIT:
            self.err.print("[dim]bye[/]")
            return False
        if self.script is not None and self.script.used_up():
            self.err.print(f"[yellow]{escape(self.script.used_up_line())}[/]")
            return True
        self._turn(chat, text, toolset)
        return True

    def _turn(self, chat: Chat, text: str, toolset: Toolset) -> None:
        view = TurnView(self.out, toolset)
        try:
            error = self.loop.turn(lambda: chat.stream(text), view.show, self.ask)
        except KeyboardInterrupt:
            with interrupts_held():
                if not view.end_text() and self.reader.interactive:
                    self.out.print()  # the terminal echoed ^C where the cursor was
                for note in view.interrupted():
                    self.err.print(f"[yellow]{escape(note)}[/]")
            return
        view.end_text()
        if error is None:
            return
        if self.script is not None and self.script.ran_out(error):
            self.err.print(f"[yellow]{escape(self.script.ran_out_line())}[/]")
            return
        ending = ending_for(error)
        if ending.line is None:  # a closed pipe: the command ends as it would anywhere
            raise error
        self.err.print(f"[{ending.style}]{escape(ending.line)}[/]")


class TurnView:
    """One turn on the screen (through the transcript), and what it had under way — which
    is what a Ctrl-C leaves behind."""

    def __init__(self, out: Console, toolset: Toolset) -> None:
        self.out = out
        self.toolset = toolset
        self.transcript = Transcript(out)
        self.in_text = False
        self.calls: list[str] = []  # announced in the current step, not answered yet
        self.steps = 0

    def show(self, event: Event) -> None:
        # What the event means is noted before it is printed: a Ctrl-C raised as the print
        # ends must find a call that is on the screen among the calls under way.
        self.in_text = isinstance(event, TextDelta)
        if isinstance(event, FunctionCallEvent):
            self.calls.append(event.call.name)
        elif isinstance(event, FunctionResultEvent) and event.name in self.calls:
            self.calls.remove(event.name)
        elif isinstance(event, StepFinished):
            self.steps += 1
            self.calls.clear()
        self.transcript.event(event)

    def end_text(self) -> bool:
        """End a line of streamed text; whether there was one."""
        if not self.in_text:
            return False
        self.in_text = False
        self.out.print()
        return True

    def interrupted(self) -> list[str]:
        kept = (
            f"the conversation keeps its {self.steps} completed step"
            + ("" if self.steps == 1 else "s")
            if self.steps
            else "the conversation is as it was before it"
        )
        notes = [f"interrupted: turn abandoned; {kept}"]
        threads = []
        for name in self.calls:
            tool = self.toolset.get(name)
            if tool is not None and tool.in_thread and name not in threads:
                threads.append(name)
        if threads:
            notes.append(
                f"{', '.join(threads)} may still be running in a background thread (Python "
                "cannot stop a thread): it runs to its end, and its result will not reach "
                "the model"
            )
        return notes


def show_held(held: HeldLines | None, err: Console) -> None:
    for line in held.take() if held is not None else ():
        err.print(f"[dim]{escape(line)}[/]")


def wait_for(threads: list[threading.Thread], err: Console, held: HeldLines | None) -> int:
    """Leaving while tools a cancelled turn abandoned still run. Their worker threads are
    daemons, so the interpreter would stop them wherever they are at exit — a tool cut off
    half-way through its work, without a word. So the chat waits, and says so; Ctrl-C leaves
    at once (the threads then end with the process). The exit status."""
    if not threads:
        return EXIT_OK
    count = len(threads)
    try:  # from the first word on: a Ctrl-C the moment the line appears leaves too
        err.print(
            f"[dim]waiting for {count} tool{'s' if count > 1 else ''} still running in a "
            "background thread (Ctrl-C leaves without waiting)[/]"
        )
        for thread in threads:
            join_interruptibly(thread)
    except KeyboardInterrupt:
        err.print("[dim]left without waiting[/]")
        return EXIT_INTERRUPTED
    show_held(held, err)
    return EXIT_OK
