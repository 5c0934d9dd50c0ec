"""The consoles a command prints on (kept apart from ``exits`` so ``--help`` skips rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from agentkit.signals import interrupts_deferred


class CommandConsole(Console):
    """A rich console whose closed pipe ends the command quietly (exit 141).

    Rich's default answer to a closed pipe is ``SystemExit(1)`` from inside whatever was
    printing; raising ``BrokenPipeError`` instead lets the run close its streams on the way
    out and the command end with the exit code every Unix tool uses for it.
    """

    def print(self, *objects: Any, **options: Any) -> None:
        # A Ctrl-C in the middle of a print would leave the printed text in rich's buffer,
        # to be printed again by the next print: the interrupt waits for the print to end.
        with interrupts_deferred():
            super().print(*objects, **options)

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError("the reader of this output went away")


def command_console(*, stderr: bool = False, **options: Any) -> CommandConsole:
    return CommandConsole(stderr=stderr, highlight=False, soft_wrap=True, **options)
