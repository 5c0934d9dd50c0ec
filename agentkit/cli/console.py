"""The consoles a command prints on (kept apart from ``exits`` so ``--help`` skips rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console


class CommandConsole(Console):
    """A rich console whose closed pipe ends the command quietly (exit 141).

    Rich's default answer to a closed pipe is ``SystemExit(1)`` from inside whatever was
    printing; raising ``BrokenPipeError`` instead lets the run close its streams on the way
    out and the command end with the exit code every Unix tool uses for it.
    """

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError("the reader of this output went away")


def command_console(*, stderr: bool = False, **options: Any) -> CommandConsole:
    return CommandConsole(stderr=stderr, highlight=False, soft_wrap=True, **options)
