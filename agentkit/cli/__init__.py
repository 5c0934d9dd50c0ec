"""The ``agentkit`` command: run, batch, chat, tools, serve, mcp, web.

Exit codes (``agentkit.cli.exits``): 0 success; 2 a usage or set-up error (bad run file,
tools, session, no model); 3 the model or the API failed; 4 a run stopped at a limit; 130
interrupted; 141 the output pipe was closed. Subcommands are imported only when used, so
``agentkit --help`` starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

from agentkit.cli.exits import EXIT_USAGE, UsageError


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (argparse adds a usage block before it)."""

    commands: Mapping[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> _Parser:
    parser = _Parser(prog="agentkit", description="Function-calling agents on the Gemini API.")
    parser.add_argument("--version", action="version", version=_version())
    log_level = {
        "choices": ["debug", "info", "warning", "error"],
        "help": "print agentkit's log events (model.request, tool.call, retry, ...) to stderr",
    }
    parser.add_argument("--log-level", **log_level)  # type: ignore[arg-type]
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.commands = commands.choices  # the subcommands' parsers, by name

    run = commands.add_parser("run", help="run a run file's prompts with a transcript")
    run.add_argument("file", help="a TOML run file")
    run.add_argument(
        "--json",
        metavar="PATH",
        help="also write the transcript as JSON lines, appended to PATH ('-' for stdout, "
        "which then carries only JSON)",
    )
    run.add_argument("--session", metavar="NAME", help="keep the conversation across invocations")
    run.add_argument(
        "--session-dir",
        metavar="DIR",
        help="where sessions live (default: AGENTKIT_SESSIONS or the data dir)",
    )
    run.add_argument(
        "--approve",
        action="store_true",
        help="approve calls that need confirmation (default when not interactive: deny)",
    )
    run.add_argument(
        "--session-db", metavar="PATH", help="keep sessions in this SQLite database instead"
    )
    run.add_argument(
        "--durable",
        action="store_true",
        help="record every model and tool call (DBOS): rerun with the same --run-id after a "
        "crash to continue where it stopped",
    )
    run.add_argument("--db", metavar="URL", help="--durable's database (default: SQLite file)")
    run.add_argument("--run-id", metavar="ID", help="--durable's run id (default: from FILE)")
    run.set_defaults(handler="agentkit.cli.run:run_command")

    batch = commands.add_parser(
        "batch",
        help="many independent runs from a JSONL file, resumable",
        description="One run per input line, one result line per id in --out. Rerunning the "
        "same command finishes the job: it runs the rows without a line and those that ended "
        "in an error. A failure every row would meet (invalid key, permission denied, per-day "
        "quota, unknown model) stops the batch at once and leaves the rest for the rerun.",
        epilog="exit codes: 0 every row ok; 3 a row failed or the batch stopped; 4 a run "
        "stopped at a limit (none failed); 130 interrupted; 2 a usage mistake",
    )
    batch.add_argument("file", help="a TOML run file")
    batch.add_argument("--inputs", required=True, help="JSONL: one object with an id per line")
    batch.add_argument(
        "--out",
        required=True,
        help="JSONL results, one line per id. A row whose line says ok, or limit (its run "
        "stopped at a limit), is finished and skipped on a rerun; a row whose line says error "
        "runs again",
    )
    # Text, checked by the batch command: a bad value gets one line, not argparse's usage.
    batch.add_argument("--concurrency", default="8", metavar="N", help="runs at once (default 8)")
    batch.add_argument(
        "--rpm",
        metavar="N",
        help="at most N model requests per minute across all runs, paced evenly; a 429 "
        "slows every run down",
    )
    batch.add_argument(
        "--tpm", metavar="N", help="at most N input tokens per minute across all runs"
    )
    batch.add_argument(
        "--keep-failed",
        action="store_true",
        help="do not run rows that ended in an error again; keep their error lines",
    )
    batch.add_argument(
        "--approve", action="store_true", help="approve calls that need confirmation"
    )
    batch.add_argument(
        "--queue",
        metavar="URL",
        help="enqueue the rows on a DBOS queue in Postgres (postgresql://...) for "
        "`agentkit worker` processes, and write --out as their results arrive",
    )
    batch.add_argument(
        "--via",
        choices=["direct", "batch-api"],
        default="direct",
        help="direct: each model call as it comes (default); batch-api: each step of every "
        "row as one Gemini Batch API job, at half the price, answered within 24 h",
    )
    batch.set_defaults(handler="agentkit.cli.batch:batch_command")

    chat = commands.add_parser("chat", help="talk to an agent at the terminal")
    chat.add_argument("file", nargs="?", help="a run file for model, tools and instructions")
    chat.add_argument(
        "--tools",
        action="append",
        default=[],
        metavar="MODULE",
        help="tool module, e.g. tools.home",
    )
    chat.add_argument("--model", help="the model, without a run file (default gemini-2.5-flash)")
    chat.set_defaults(handler="agentkit.cli.chat:chat_command")

    tools = commands.add_parser("tools", help="print a toolset's declarations as JSON")
    tools.add_argument("modules", nargs="*", metavar="MODULE", help="tool modules or .py files")
    tools.add_argument(
        "--mcp",
        action="append",
        default=[],
        metavar="COMMAND",
        help="an MCP server to start over stdio (one quoted command line); or an http(s) URL",
    )
    tools.add_argument(
        "--mcp-config", metavar="JSON", help='MCP servers in the {"mcpServers": ...} format'
    )
    tools.add_argument("--dialect", choices=["json_schema", "openapi"], default="json_schema")
    tools.add_argument(
        "--tool-path",
        action="append",
        default=[],
        metavar="DIR",
        help="where modules are found (default: .)",
    )
    tools.set_defaults(handler="agentkit.cli:tools_command")

    from agentkit.cli.serve import add_serve_parser

    add_serve_parser(commands)
    from agentkit.cli.mcp_serve import add_mcp_parser

    add_mcp_parser(commands)
    from agentkit.cli.worker import add_worker_parser

    add_worker_parser(commands)
    from agentkit.cli.web import add_web_parser

    add_web_parser(commands)
    for name in ("run", "batch", "chat", "web"):
        commands.choices[name].add_argument(
            "--otel",
            action="store_true",
            help="export traces and metrics over OTLP/HTTP, configured by the standard OTEL_* "
            "variables (OTEL_EXPORTER_OTLP_ENDPOINT, default http://localhost:4318)",
        )
    for command in commands.choices.values():
        # Also after the command (``agentkit run FILE --log-level debug``), where people put it;
        # not given there, the value before the command stands.
        command.add_argument("--log-level", default=argparse.SUPPRESS, **log_level)  # type: ignore[arg-type]
    return parser


def _version() -> str:
    from agentkit import __version__

    return f"agentkit {__version__}"


def tools_command(args: argparse.Namespace, out: Any, err: Any) -> int:
    from agentkit.cli.loading import load_tools

    if not args.modules and not args.mcp and not args.mcp_config:
        raise UsageError("name tool modules, or MCP servers with --mcp or --mcp-config")
    paths = [Path(p) for p in args.tool_path] or [Path.cwd()]
    toolset = load_tools(args.modules, paths, lambda note: err.print(f"[yellow]{note}[/]"))
    if args.mcp or args.mcp_config:
        from agentkit.cli.mcp_config import declarations_with_servers

        declarations = declarations_with_servers(toolset, args.mcp, args.mcp_config, args.dialect)
    else:
        declarations = [d.to_wire() for d in toolset.declarations(args.dialect)]
    print(json.dumps({"functionDeclarations": declarations}, indent=2, ensure_ascii=False))
    return 0


def serve_command(args: argparse.Namespace, out: Any, err: Any) -> int:
    from agentkit.cli.serve import serve_command as serve

    return serve(args, out, err)


@contextlib.contextmanager
def _log_to_stderr(level: str | None) -> Iterator[None]:
    """agentkit's log lines on stderr for this command only: ``main`` may run in a process
    that goes on (a test, a notebook), whose logging must be as it was afterwards."""
    if level is None:
        yield
        return
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("agentkit")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # Said by the subcommand (``agentkit run: ...``), whose --help lists its options.
        parser.commands.get(args.command, parser).error(
            f"unrecognized arguments: {' '.join(unknown)}"
        )
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    from agentkit.cli.console import command_console

    out = command_console()
    err = command_console(stderr=True)
    module_name, _, function_name = args.handler.partition(":")
    from agentkit.cli.exits import wait_for_tool_threads

    with _log_to_stderr(args.log_level):
        try:
            handler = getattr(importlib.import_module(module_name), function_name)
            from agentkit.cli.otel_export import exporting

            with exporting(getattr(args, "otel", False), err) as telemetry:
                args.telemetry = telemetry
                code = int(handler(args, out, err))
        except (Exception, KeyboardInterrupt) as error:
            code = _end_with(error, err, show_traceback=args.log_level == "debug")
        return wait_for_tool_threads(code, lambda line: _say(err, line))


def _say(err: Any, line: str) -> None:
    try:
        err.print(line, style="dim", markup=False)
    except OSError:
        pass  # stderr is gone: nothing left to tell


def _end_with(error: BaseException, err: Any, *, show_traceback: bool) -> int:
    from rich.markup import escape

    from agentkit.cli.exits import EXIT_BUG, ending_for, silence_stdout

    ending = ending_for(error)
    if ending.line is None:  # a closed pipe
        silence_stdout()
    if ending.line is not None:
        try:
            if show_traceback and ending.code == EXIT_BUG:
                err.print_exception()
            err.print(f"[{ending.style}]{escape(ending.line)}[/]")
        except (BrokenPipeError, OSError):
            pass  # stderr is gone too: the exit code is all that is left to say it
    return ending.code


if __name__ == "__main__":
    raise SystemExit(main())
