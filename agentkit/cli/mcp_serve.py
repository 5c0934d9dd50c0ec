"""``agentkit mcp serve MODULE...``: toolsets served to any MCP client.

Over stdio by default — the client starts this command and speaks on its stdin and stdout,
so nothing else may be printed there: notes go to stderr. With ``--http PORT`` it serves
streamable HTTP at ``http://127.0.0.1:PORT/mcp``, on this machine only.
"""

from __future__ import annotations

import argparse
import socket
from pathlib import Path
from typing import Any

from agentkit.cli.exits import EXIT_OK, UsageError


def add_mcp_parser(commands: Any) -> None:
    mcp = commands.add_parser("mcp", help="Model Context Protocol: serve toolsets to MCP clients")
    actions = mcp.add_subparsers(dest="mcp_command", metavar="ACTION", required=True)
    serve = actions.add_parser("serve", help="serve toolsets' tools over MCP (stdio or HTTP)")
    serve.add_argument("modules", nargs="+", metavar="MODULE", help="tool modules or .py files")
    serve.add_argument(
        "--http", metavar="PORT", help="serve streamable HTTP on 127.0.0.1:PORT instead of stdio"
    )
    serve.add_argument(
        "--tool-path",
        action="append",
        default=[],
        metavar="DIR",
        help="where modules are found (default: .)",
    )
    serve.set_defaults(handler="agentkit.cli.mcp_serve:mcp_serve_command")


def mcp_serve_command(args: argparse.Namespace, out: Any, err: Any) -> int:
    port = _port(args.http) if args.http is not None else None
    try:
        import anyio

        from agentkit.mcp.server import toolset_server
    except ImportError:
        raise UsageError("agentkit mcp needs the MCP SDK: pip install 'agentkit[mcp]'") from None
    from agentkit.cli.loading import load_tools

    paths = [Path(p) for p in args.tool_path] or [Path.cwd()]
    toolset = load_tools(args.modules, paths, lambda note: err.print(f"[yellow]{note}[/]"))
    server = toolset_server(toolset)
    count = len(toolset)
    if port is None:
        err.print(f"[dim]serving {count} tools over stdio[/]")
        anyio.run(_stdio, server)
        return EXIT_OK
    try:
        import uvicorn
    except ImportError:
        raise UsageError(
            "agentkit mcp serve --http needs uvicorn: pip install 'agentkit[emulator]'"
        ) from None
    from agentkit.testing.emulator.__main__ import cannot_listen

    # The socket is bound here, so a taken port is this command's one-line error rather than
    # uvicorn's log line and exit, after a "serving" line that was not true.
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind(("127.0.0.1", port))
        listening.listen(128)
    except OSError as error:
        listening.close()
        raise UsageError(cannot_listen("127.0.0.1", port, error, "--http PORT")) from None
    app = server.streamable_http_app(streamable_http_path="/mcp", host="127.0.0.1")
    http = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    err.print(f"[dim]serving {count} tools at http://127.0.0.1:{port}/mcp[/]")
    try:
        http.run(sockets=[listening])
    finally:
        listening.close()
    return EXIT_OK


async def _stdio(server: Any) -> None:
    from mcp.server.stdio import stdio_server

    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UsageError(f"--http takes a port number from 1 to 65535, not {text!r}")
    return int(text)
