"""``agentkit serve``: the strict emulator in the foreground, answering from a script.

The script is a JSON list of answers or a run file's ``[[offline.turns]]``. By default each
answer is served once, in order; ``--per-conversation`` serves the whole script to every
conversation (the turn picked by how many model turns the request holds), so many clients
can run the same run file against one server. Every set-up mistake (a missing or broken
script, a taken port, the emulator extra not installed) raises an error whose message is
the one line the CLI prints before exiting with 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from agentkit.cli.exits import UsageError

_EXTRA_MODULES = frozenset({"starlette", "uvicorn"})


def add_serve_parser(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the Gemini emulator")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only)",
    )
    # Read as text so that a bad value gets the CLI's one-line error, not argparse's usage.
    serve.add_argument("--port", default="8765", help="port to listen on (default 8765)")
    serve.add_argument(
        "--script",
        help="answers to serve: a JSON list, or a run file (.toml) with [[offline.turns]]",
    )
    serve.add_argument(
        "--per-conversation",
        action="store_true",
        help="serve the whole script to every conversation instead of each answer once",
    )
    serve.add_argument("--api-key", help="require this key on every request")
    serve.set_defaults(handler="agentkit.cli:serve_command")


def serve_command(args: argparse.Namespace, out: Any, err: Any) -> int:
    if args.per_conversation and not args.script:
        raise UsageError("--per-conversation serves a script to every conversation: give --script")
    script = load_script(Path(args.script)) if args.script else None
    try:
        from agentkit.testing.emulator.__main__ import serve
    except ImportError as error:
        if (error.name or "").partition(".")[0] in _EXTRA_MODULES:
            raise UsageError(
                "agentkit serve needs the emulator's web server (starlette, uvicorn): "
                "pip install 'agentkit[emulator]'"
            ) from None
        raise
    return serve(
        args.host, args.port, script, per_conversation=args.per_conversation, api_key=args.api_key
    )


def load_script(path: Path) -> list[Any]:
    """The answers in ``path``: a run file's offline turns (``.toml``) or a JSON list."""
    if path.suffix != ".toml":
        from agentkit.testing.emulator.script import load_script_file

        return load_script_file(path)
    # Imported here: the parser is built for every command and must stay light.
    from agentkit.cli.runfile import RunFileError, load_run_file

    run_file = load_run_file(path)  # every way it can be unusable is a RunFileError
    if run_file.offline_turns is None:
        raise RunFileError(f"{path}: the run file has no [[offline.turns]] to serve")
    return list(run_file.offline_turns)
