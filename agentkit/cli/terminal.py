"""Reading what a person types into ``agentkit chat``: line editing, history, and pipes.

At a terminal, lines are read with ``input()`` and, when the ``readline`` module exists,
with its line editing and a history kept across chats in a file (``AGENTKIT_CHAT_HISTORY``,
else ``$XDG_DATA_HOME/agentkit/chat_history``, else ``~/.local/share/agentkit/chat_history``;
an empty ``AGENTKIT_CHAT_HISTORY`` keeps no file). Without ``readline`` (some builds, some
platforms) lines are still read, just without editing: nothing here may fail for its lack.

The prompt is handed to ``input()`` itself, never printed before it: readline redraws the
prompt when it moves through a line longer than the terminal, recalls a history entry or the
terminal is resized, and a prompt it does not know about would be wiped. Its colours are
wrapped in ``\\x01``/``\\x02`` so readline does not count escape codes as columns.

When stdin is not a terminal (``echo hi | agentkit chat``) each line read is echoed after the
prompt, so the transcript reads as a conversation, and the end of the input is an ordinary
end (``EOFError``), like Ctrl-D.

Messages go into the history; answers to confirmation questions ("y") do not.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from rich.console import Console
from rich.markup import escape

HISTORY_ENV = "AGENTKIT_CHAT_HISTORY"
HISTORY_LIMIT = 1000  # entries kept in the file; older ones are dropped when a chat starts
_ESCAPE = re.compile(r"(\x1b\[[0-9;?]*[A-Za-z])")


def history_file() -> Path | None:
    """Where the chat history lives, or None for no file (an empty ``AGENTKIT_CHAT_HISTORY``,
    or no home directory to put it in)."""
    explicit = os.environ.get(HISTORY_ENV)
    if explicit is not None:
        return Path(explicit) if explicit.strip() else None
    base = os.environ.get("XDG_DATA_HOME")
    if not base:
        try:
            base = str(Path.home() / ".local" / "share")
        except RuntimeError:  # no HOME and no passwd entry
            return None
    return Path(base) / "agentkit" / "chat_history"


def is_terminal(stream: IO[Any] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):  # a closed or detached stream
        return False


class History:
    """readline's history, loaded from a file and appended to it one message at a time, so
    two chats at once both keep their lines and a chat that is killed loses none.

    A file that cannot be read or written is given up on quietly: the history then lives for
    this chat only. The file is created private (0600): it holds what the person typed.
    """

    def __init__(self, readline: ModuleType, path: Path | None) -> None:
        self.readline = readline
        self.path = path

    @classmethod
    def load(cls, path: Path | None) -> History | None:
        try:
            import readline
        except ImportError:
            return None
        try:
            readline.set_auto_history(False)  # answers to questions stay out of it
        except AttributeError:  # an old libedit: every line goes in, which is harmless
            pass
        history = cls(readline, path)
        history._read()
        return history

    def _read(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
            self.readline.read_history_file(str(self.path))
            if self.readline.get_current_history_length() > HISTORY_LIMIT:
                self.readline.set_history_length(HISTORY_LIMIT)
                self.readline.write_history_file(str(self.path))
        except OSError:
            self.path = None

    def add(self, line: str) -> None:
        length = self.readline.get_current_history_length()
        if length and self.readline.get_history_item(length) == line:
            return  # a repeated line is kept once, as shells do
        self.readline.add_history(line)
        if self.path is None:
            return
        try:
            self.readline.append_history_file(1, str(self.path))
        except (OSError, AttributeError):
            self.path = None


class LineReader:
    """Reads messages and answers in the main thread, where Ctrl-C arrives as
    ``KeyboardInterrupt`` from inside ``input()`` and Ctrl-D (or the end of piped input) as
    ``EOFError``; both are left to the caller, which knows what they mean at that moment."""

    def __init__(self, console: Console, history_path: Path | None) -> None:
        self.console = console
        self.interactive = is_terminal(sys.stdin)
        # input() uses readline only when both ends are a terminal; so does the history.
        self.history = (
            History.load(history_path) if self.interactive and is_terminal(sys.stdout) else None
        )

    def message(self, prompt: str) -> str:
        """A line to send (rich markup ``prompt``); it goes into the history."""
        line = self._read(prompt)
        if self.history is not None and line.strip():
            self.history.add(line)
        return line

    def answer(self, prompt: str) -> str:
        """An answer to a question; kept out of the history."""
        return self._read(prompt)

    def _read(self, prompt: str) -> str:
        if not self.interactive:
            return self._read_piped(prompt)
        if self.history is None:
            # No readline: nothing will redraw the prompt, so it can be printed as usual.
            self.console.print(prompt, end="")
            return input()
        return input(self._readline_prompt(prompt))

    def _readline_prompt(self, prompt: str) -> str:
        with self.console.capture() as captured:
            self.console.print(prompt, end="")
        return _ESCAPE.sub("\x01\\1\x02", captured.get())

    def _read_piped(self, prompt: str) -> str:
        self.console.print(prompt, end="")
        line = sys.stdin.readline() if sys.stdin is not None else ""
        if not line:
            raise EOFError
        line = line.rstrip("\r\n")
        self.console.print(escape(line), highlight=False)
        return line
