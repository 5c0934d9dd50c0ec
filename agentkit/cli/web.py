"""``agentkit web [RUN_FILE]``: the local web view (``agentkit.web``), set up as ``chat`` is.

The run file (or ``--model``/``--tools``), the tools, the model — live, another server, or
the run file's scripted turns offline, through the same ``live_or_scripted`` as ``run``
and ``chat`` — and the agent are made here; the page's confirmation desk is the agent's
confirmation callback. The server listens on 127.0.0.1 only: any other ``--host`` is
refused. The URL printed at start holds the token; it is printed nowhere else.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from agentkit.agent import ConfirmationRequest, Decision
from agentkit.cli.chat import run_file_for
from agentkit.cli.confirm import form_schema
from agentkit.cli.exits import EXIT_OK, UsageError, ending_for
from agentkit.cli.render import print_banner
from agentkit.cli.run import OFFLINE_SIGNATURE_KEY, sessions_directory
from agentkit.cli.scripted import ScriptedTurns, no_model_line
from agentkit.cli.setup import agent_for, tools_for
from agentkit.offline import ModelChoice, live_or_scripted, remote_configured
from agentkit.sessions import JsonFileStore, SessionStore, SqliteStore, check_name

if TYPE_CHECKING:
    from agentkit.web import WebServer

DEFAULT_PORT = "8780"
LOCAL_NAMES = ("127.0.0.1", "localhost")


def add_web_parser(commands: Any) -> None:
    web = commands.add_parser(
        "web",
        help="a local page: chat with the agent, approve its calls, watch every step",
        description="Serves a page on 127.0.0.1 (this machine only). Open the URL it prints: "
        "it holds a random token, and requests without it are refused.",
    )
    web.add_argument("file", nargs="?", help="a run file for model, tools and instructions")
    web.add_argument(
        "--tools",
        action="append",
        default=[],
        metavar="MODULE",
        help="tool module, e.g. tools.home",
    )
    web.add_argument("--model", help="the model, without a run file (default gemini-2.5-flash)")
    # Text, checked here: a bad value gets the CLI's one line, not argparse's usage.
    web.add_argument(
        "--port", default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0: any)"
    )
    web.add_argument(
        "--host",
        default="127.0.0.1",
        help="only 127.0.0.1 (or localhost): the page can run tools, so it is never served "
        "to other machines",
    )
    web.add_argument("--session", metavar="NAME", help="the session to show first")
    web.add_argument(
        "--session-dir",
        metavar="DIR",
        help="where sessions live (default: AGENTKIT_SESSIONS or the data dir)",
    )
    web.add_argument(
        "--session-db", metavar="PATH", help="keep sessions in this SQLite database instead"
    )
    web.set_defaults(handler="agentkit.cli.web:web_command")


def web_command(args: argparse.Namespace, out: Console, err: Console) -> int:
    with web_server(args, err) as server:
        # The one place the token is shown: the person opens this URL.
        out.print(
            f"agentkit web: open {server.url} (this machine only; Ctrl-C stops it)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        out.file.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass  # uvicorn stopped on Ctrl-C and raises it again once it is done
        err.print("[dim]stopped[/]")
    return EXIT_OK


@contextlib.contextmanager
def web_server(args: argparse.Namespace, err: Console) -> Iterator[WebServer]:
    """The server ``agentkit web ARGS`` runs, bound but not yet serving, with the banner
    printed; the offline emulator (if any) runs while the block does."""
    port = _checked_address(args.host, args.port)
    try:
        from agentkit.web import ConfirmationDesk, WebServer, WebSetup
    except ImportError as error:
        if (error.name or "").partition(".")[0] in ("starlette", "uvicorn"):
            raise UsageError(
                "agentkit web needs starlette and uvicorn: pip install 'agentkit[web]'"
            ) from None
        raise
    runfile = run_file_for(args)
    if runfile.offline_turns is None and not args.file and not remote_configured():
        raise UsageError(no_model_line(runfile.model))
    store = _session_store(args)
    # What can be wrong with the set-up is found before anything is shown or started.
    toolset = tools_for(runfile, lambda note: err.print(f"[yellow]{escape(note)}[/]"))
    with live_or_scripted(
        runfile.model, runfile.offline_turns, signature_key=OFFLINE_SIGNATURE_KEY
    ) as choice:
        desk = ConfirmationDesk()
        script = ScriptedTurns.of(choice, runfile.model)
        agent = agent_for(
            runfile,
            choice.model,
            toolset,
            _asking_on_the_page(desk.confirm),
            telemetry=getattr(args, "telemetry", None),
            conversation=True,
        )
        setup = WebSetup(
            agent,
            desk,
            store,
            _banner(choice, script),
            scripted=choice.scripted,
            script=script,
            session=args.session,
            error_line=lambda error: ending_for(error).line or type(error).__name__,
        )
        try:
            server = WebServer(setup, port=port)
        except OSError as error:
            from agentkit.testing.emulator.__main__ import cannot_listen

            raise UsageError(cannot_listen("127.0.0.1", port, error)) from None
        try:
            print_banner(err, choice)
            yield server
        finally:
            server.stop()


def _checked_address(host: str, port: str) -> int:
    if host not in LOCAL_NAMES:
        raise UsageError(
            f"--host {host}: agentkit web serves this machine only (127.0.0.1); the page can "
            "run the agent's tools, so it is never offered to other machines"
        )
    text = str(port).strip()
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise UsageError(f"--port {port}: a port is a number from 0 to 65535")
    return int(text)


def _session_store(args: argparse.Namespace) -> SessionStore:
    if args.session_db is not None and args.session_dir is not None:
        raise UsageError(
            "--session-db and --session-dir both say where sessions are kept; give one"
        )
    store: SessionStore = (
        SqliteStore(args.session_db)
        if args.session_db is not None
        else JsonFileStore(sessions_directory(args.session_dir))
    )
    if args.session is not None:
        check_name(args.session)
        store.load(args.session)  # a damaged session is a set-up error, said now
    return store


def _banner(choice: ModelChoice, script: ScriptedTurns | None) -> tuple[str, ...]:
    """What ``print_banner`` says at the terminal, for the top of the page."""
    if not choice.scripted:
        return (choice.banner,)
    lines = [choice.banner + " (turns from the run file's [offline] section)"]
    if script is not None:
        lines.append(script.banner())
    return tuple(lines)


def _asking_on_the_page(confirm: Any) -> Any:
    """The desk's callback, except for an MCP server's form question (elicitation): the
    page asks yes or no and cannot fill in a form, so that is declined, as ``--approve``
    declines it."""

    async def deciding(request: ConfirmationRequest) -> Decision:
        if form_schema(request) is not None:
            return Decision(False, "the web view cannot fill in a form")
        decision: Decision = await confirm(request)
        return decision

    return deciding
