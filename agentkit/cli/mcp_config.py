"""MCP servers named in a run file, and the ``mcpServers`` JSON other clients use.

A run file lists servers as ``[[mcp]]`` tables::

    [[mcp]]
    name = "time"                       # how errors name it (default: the command or URL)
    command = "mcp-server-time"         # a server started over stdio...
    args = ["--local-timezone", "UTC"]
    env = { TZ = "UTC" }
    # url = "http://127.0.0.1:8931/mcp" # ...or one reached over streamable HTTP
    # headers = { Authorization = "Bearer ..." }
    prefix = "time_"                    # added to every tool's name
    include = ["get_current_time"]      # only these tools (the server's names)
    confirm = true                      # or a list of the server's tool names
    call_timeout = 60

or points at a JSON file in the common ``{"mcpServers": {"name": {...}}}`` shape (Claude
Desktop, Cursor, VS Code write it) with ``mcp_servers = "servers.json"``. Both are checked
when the file is read: every mistake is one line naming the file, the server and the key.
"""

from __future__ import annotations

import contextlib
import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentkit.agent.confirmation import ConfirmationRequest, as_decision
from agentkit.cli.confirm import ELICITATION_KEY
from agentkit.cli.elicitation import FormAnswer, is_yes_no
from agentkit.cli.exits import UsageError

_KEYS = {
    "name",
    "command",
    "args",
    "env",
    "cwd",
    "url",
    "headers",
    "prefix",
    "include",
    "confirm",
    "confirm_destructive",
    "call_timeout",
    "connect_timeout",
    "type",
}


@dataclass(frozen=True)
class MCPServerSpec:
    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    prefix: str = ""
    include: tuple[str, ...] | None = None
    confirm: bool | tuple[str, ...] = False
    confirm_destructive: bool = True
    call_timeout: float | None = 300.0
    connect_timeout: float = 30.0


def parse_mcp_tables(value: Any, path: Path) -> tuple[MCPServerSpec, ...]:
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise UsageError(f"{path}: mcp must be [[mcp]] tables, one per server")
    return tuple(_spec(table, None, path, path.parent) for table in value)


def load_mcp_servers_file(file: Path, path: Path) -> tuple[MCPServerSpec, ...]:
    """The servers of an ``mcpServers`` JSON file (``file``, named in run file ``path``)."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: mcp_servers: no such file {file}") from None
    except (OSError, ValueError) as error:
        raise UsageError(f"{path}: mcp_servers: {file} is not readable JSON: {error}") from None
    servers = data.get("mcpServers") if isinstance(data, dict) else None
    if not isinstance(servers, dict):
        raise UsageError(f'{file}: expected {{"mcpServers": {{"name": {{...}}}}}}')
    specs = []
    for name, table in servers.items():
        if not isinstance(table, dict):
            raise UsageError(f"{file}: server {name!r} must be an object")
        known = {k: v for k, v in table.items() if k in _KEYS}  # other clients' extras pass
        specs.append(_spec(known, str(name), file, file.parent))
    return tuple(specs)


def _spec(table: dict[str, Any], name: str | None, path: Path, base: Path) -> MCPServerSpec:
    unknown = sorted(set(table) - _KEYS)
    label = table.get("name", name)
    where = f"{path}: MCP server {label!r}" if label else f"{path}: [[mcp]]"
    if unknown:
        raise UsageError(
            f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}"
        )
    command, url = table.get("command"), table.get("url")
    if (command is None) == (url is None):
        raise UsageError(f"{where}: give either command (a server to start) or url (one to reach)")
    if command is not None and (not isinstance(command, str) or not command.strip()):
        raise UsageError(f"{where}: command must be a program name or path")
    if url is not None and (
        not isinstance(url, str) or not url.startswith(("http://", "https://"))
    ):
        raise UsageError(f"{where}: url must be an http:// or https:// URL, not {url!r}")
    cwd = table.get("cwd")
    if cwd is not None and not isinstance(cwd, str):
        raise UsageError(f"{where}: cwd must be a folder")
    return MCPServerSpec(
        name=str(label) if label else (command or _shown_url(url or "") or "mcp"),
        command=command,
        args=tuple(_strings(table.get("args", []), "args", where)),
        env=_string_map(table.get("env", {}), "env", where),
        cwd=(base / cwd) if cwd is not None else None,
        url=url,
        headers=_string_map(table.get("headers", {}), "headers", where),
        prefix=_string(table.get("prefix", ""), "prefix", where),
        include=tuple(_strings(table["include"], "include", where)) if "include" in table else None,
        confirm=_confirm(table.get("confirm", False), where),
        confirm_destructive=_bool(
            table.get("confirm_destructive", True), "confirm_destructive", where
        ),
        call_timeout=_seconds(table.get("call_timeout", 300.0), "call_timeout", where, none=True),
        connect_timeout=_seconds(table.get("connect_timeout", 30.0), "connect_timeout", where)
        or 30.0,
    )


def _strings(value: Any, key: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: {key} must be a list of strings")
    return list(value)


def _string_map(value: Any, key: str, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise UsageError(f"{where}: {key} must be a table of strings")
    return {str(k): v for k, v in value.items()}


def _string(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str):
        raise UsageError(f"{where}: {key} must be a string")
    return value


def _bool(value: Any, key: str, where: str) -> bool:
    if not isinstance(value, bool):
        raise UsageError(f"{where}: {key} must be true or false")
    return value


def _confirm(value: Any, where: str) -> bool | tuple[str, ...]:
    if isinstance(value, bool):
        return value
    return tuple(_strings(value, "confirm", where))


def _seconds(value: Any, key: str, where: str, *, none: bool = False) -> float | None:
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise UsageError(f"{where}: {key} must be a positive number of seconds")
    return float(value)


def question_asker(server: str, confirm: Any) -> Any:
    """A server's questions (elicitation) put to the person through the CLI's confirmation
    callback: one yes/no field as a [y/N] question, like a call's confirmation (what
    ``agentkit mcp serve`` asks); any other form field by field (``cli/elicitation``)."""

    async def elicit(message: str, schema: dict[str, Any]) -> dict[str, Any] | None:
        args = {"question": message, "schema": schema}
        request = ConfirmationRequest("", 0, server, args, None, ELICITATION_KEY)
        answer = confirm(request)
        if inspect.isawaitable(answer):
            answer = await answer
        decision = as_decision(answer)
        if isinstance(decision, FormAnswer):
            return decision.content if decision.approved else None
        if not is_yes_no(schema):
            return None  # a form answered by a plain yes or no: nothing to send
        (field_name,) = schema["properties"]
        return {field_name: decision.approved}

    return elicit


def mcp_toolsets(specs: tuple[MCPServerSpec, ...], confirm: Any = None) -> list[Any]:
    """The toolsets of ``specs`` (closed: an agent opens them), each under its wrappers;
    with ``confirm``, the servers' questions are asked through it."""
    if not specs:
        return []
    try:
        from agentkit.mcp import MCPToolset
    except ImportError:
        raise UsageError("the run file names MCP servers: pip install 'agentkit[mcp]'") from None
    toolsets: list[Any] = []
    for spec in specs:
        options: dict[str, Any] = {
            "name": spec.name,
            "connect_timeout": spec.connect_timeout,
            "call_timeout": spec.call_timeout,
            "requires_confirmation": spec.confirm
            if isinstance(spec.confirm, bool)
            else set(spec.confirm),
            "confirm_destructive": spec.confirm_destructive,
        }
        if confirm is not None:
            options["elicit"] = question_asker(spec.name, confirm)
        if spec.command is not None:
            toolset: Any = MCPToolset.stdio(
                spec.command, *spec.args, env=spec.env or None, cwd=spec.cwd, **options
            )
        else:
            assert spec.url is not None
            toolset = MCPToolset.http(spec.url, spec.headers or None, **options)
        if spec.include is not None:
            kept = set(spec.include)
            toolset = toolset.filter(
                lambda item, kept=kept: getattr(item, "server_name", item.name) in kept
            )
        if spec.prefix:
            toolset = toolset.prefixed(spec.prefix)
        toolsets.append(toolset)
    return toolsets


def specs_from_options(commands: list[str], config: str | None) -> tuple[MCPServerSpec, ...]:
    """``agentkit tools --mcp "cmd args" --mcp http://... --mcp-config servers.json``."""
    import shlex

    specs: list[MCPServerSpec] = []
    for given in commands:
        if given.startswith(("http://", "https://")):
            specs.append(MCPServerSpec(name=_shown_url(given), url=given))
            continue
        try:
            words = shlex.split(given)
        except ValueError as error:
            raise UsageError(f"--mcp {given!r}: {error}") from None
        if not words:
            raise UsageError("--mcp needs a command line, e.g. --mcp 'mcp-server-time'")
        specs.append(MCPServerSpec(name=given, command=words[0], args=tuple(words[1:])))
    if config is not None:
        specs.extend(load_mcp_servers_file(Path(config), Path(config)))
    return tuple(specs)


def declarations_with_servers(
    toolset: Any, commands: list[str], config: str | None, dialect: str
) -> list[dict[str, Any]]:
    """The declarations of ``toolset`` and of the servers, exactly as an agent sends them."""
    import anyio

    from agentkit.tools import Toolset
    from agentkit.tools.toolset import openable

    servers = mcp_toolsets(specs_from_options(commands, config))

    async def listed() -> list[dict[str, Any]]:
        async with contextlib.AsyncExitStack() as stack:
            for server in servers:
                await stack.enter_async_context(openable(server))
            everything = Toolset([toolset, *servers])
            return [d.to_wire() for d in everything.declarations(dialect)]  # type: ignore[arg-type]

    return anyio.run(listed)


def _shown_url(url: str) -> str:
    from agentkit.models.urls import shown_url

    return shown_url(url) if url else ""
