"""``python -m agentkit.testing.emulator --script answers.json [--port 8765]``.

The script file is a JSON list of entries (strings for text turns, part lists, or whole
response objects). Without a script the emulator answers every request with a short text.
``agentkit serve`` runs the same server and also takes a run file's offline turns.
"""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agentkit.errors import ConfigurationError
from agentkit.testing.emulator.script import load_script_file
from agentkit.testing.emulator.server import Emulator
from agentkit.testing.emulator.state import EmulatorOptions
from agentkit.types import GenerateContentRequest


def _echo(request: GenerateContentRequest) -> str:
    last = request.contents[-1].text if request.contents else None
    return f"(emulator) you said: {last}" if last else "(emulator) ok"


def serve(
    host: str,
    port: int | str,
    script: Sequence[Any] | None = None,
    *,
    per_conversation: bool = False,
    api_key: str | None = None,
) -> int:
    """Serve in the foreground until Ctrl-C; 0 when stopped that way.

    A port that cannot be had (taken, privileged, an address not on this machine) raises
    ``ConfigurationError`` naming ``host:port``, before anything is printed.
    """
    number = checked_port(port)
    try:
        emulator = Emulator(host=host, port=number, options=EmulatorOptions(api_key=api_key))
    except OSError as error:
        raise ConfigurationError(cannot_listen(host, number, error)) from None
    if script is not None:
        emulator.script(script, per_conversation=per_conversation)
    else:
        emulator.respond_with(_echo)
    mode = " (the whole script for every conversation)" if per_conversation else ""
    print(f"agentkit emulator listening on {emulator.url}{mode} (Ctrl-C stops it)", file=sys.stderr)
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


def checked_port(value: str | int) -> int:
    """A port from the command line: a whole number from 0 (any free one) to 65535."""
    text = str(value).strip()
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise ConfigurationError(f"--port {value}: a port is a number from 0 to 65535")
    return int(text)


def cannot_listen(host: str, port: int, error: OSError, flag: str = "--port") -> str:
    """The one line for a server that cannot have ``host:port``; ``flag`` sets the port."""
    where = f"cannot listen on {host}:{port}"
    if error.errno == errno.EADDRINUSE:
        return (
            f"{where}: the address is already in use; stop what is using it or choose "
            f"another {flag}"
        )
    if error.errno == errno.EACCES:
        return f"{where}: permission denied; choose a port above 1023"
    reason = error.strerror or str(error)
    return f"{where}: {reason}; serve on 127.0.0.1 or a --host of this machine"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agentkit.testing.emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--script", type=Path, help="JSON list of answers, served in order")
    parser.add_argument(
        "--per-conversation",
        action="store_true",
        help="serve the whole script to every conversation instead of once",
    )
    parser.add_argument("--api-key", help="require this key on every request")
    args = parser.parse_args(argv)
    try:
        script = load_script_file(args.script) if args.script else None
        return serve(
            args.host,
            args.port,
            script,
            per_conversation=args.per_conversation,
            api_key=args.api_key,
        )
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
