"""``MCPToolset``: the tools of one MCP server, as a toolset like any other.

Opened with ``async with`` (before the agent that uses it is built, so the agent sees its
tools), it starts or reaches the server, fetches the tool list once and keeps it, and
fetches it again when the server says it changed or after a reconnect. Each tool becomes an
``MCPTool``: its schema normalised for Gemini (``schemas``), its name mapped when Gemini
would refuse it, and a call sent to the server with the toolset's call timeout. Whatever
goes wrong in a call — the server's own error, a timeout, the server dying — is a tool error
the model reads; only failing to open is raised.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from types import TracebackType
from typing import Any, TextIO, TypeAlias, TypedDict

import anyio
import mcp_types as types
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from typing_extensions import Unpack

from agentkit.errors import MCPServerError, MCPToolError, ToolDefinitionError
from agentkit.mcp.connection import Connection, Endpoint, describe_failure
from agentkit.mcp.keeper import KeptOpen, NotOnAsyncio
from agentkit.mcp.results import call_result
from agentkit.mcp.schemas import SchemaRefused, ToolNames, input_schema, output_schema
from agentkit.mcp.stderr import ServerStderr
from agentkit.mcp.tool import MCPTool
from agentkit.models.base import Model
from agentkit.models.urls import shown_url
from agentkit.tools.context import ProgressReporter
from agentkit.tools.results import ToolError, ToolResult
from agentkit.tools.tool import Tool
from agentkit.tools.toolset import ToolsetBase

ConfirmationChoice: TypeAlias = "bool | Collection[str] | Callable[[str, dict[str, Any]], bool]"
# Answers a server's question (elicitation): (message, the answer's JSON Schema) -> the
# answer, or None to decline.
Elicit: TypeAlias = "Callable[[str, dict[str, Any]], Awaitable[dict[str, Any] | None]]"
DEFAULT_CONNECT_TIMEOUT = 30.0


class ServerOptions(TypedDict, total=False):
    """What ``MCPToolset.stdio`` and ``.http`` take besides where the server is.

    name: how errors and logs name the server (default: its command or URL).
    connect_timeout: seconds to start and initialise it (default 30).
    call_timeout: seconds one call may take (default 300; None for no limit).
    requires_confirmation: True for every tool, a collection of the server's tool names, or
        a predicate on (tool name, arguments).
    confirm_destructive: tools marked ``destructiveHint: true`` need confirmation too
        (default True).
    elicit: answers the server's questions (elicitation); without it, the client says it
        cannot be asked.
    sampling_model: a model to answer the server's ``sampling/createMessage`` requests;
        without it, the client does not sample (it would spend the user's tokens).
    stderr: where a stdio server's stderr goes (default: kept, and its last lines put in
        the error when the server fails; see ``agentkit.mcp.stderr``).
    """

    name: str
    connect_timeout: float
    call_timeout: float | None
    requires_confirmation: ConfirmationChoice
    confirm_destructive: bool
    elicit: Elicit | None
    sampling_model: Model | None
    stderr: TextIO | None


DEFAULT_CALL_TIMEOUT = 300.0


class MCPToolset(ToolsetBase):
    """The tools of one MCP server. Build it with ``MCPToolset.stdio`` or ``.http``; both
    take the ``ServerOptions`` above."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        requires_confirmation: ConfirmationChoice = False,
        confirm_destructive: bool = True,
    ) -> None:
        self.endpoint = endpoint
        self.label = endpoint.label
        self.requires_confirmation = requires_confirmation
        self.confirm_destructive = confirm_destructive
        self._connection: Connection | None = None
        self._kept: KeptOpen[Connection] | None = None
        self._opening = False
        self._tools: list[Tool] = []
        self._built_for = -1  # the connection generation the tools were built from
        self._revision = 0  # counts tool lists built: what an agent's plan is checked against
        self.name_map = ToolNames()

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def stdio(
        cls,
        command: str,
        *args: str,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        **options: Unpack[ServerOptions],
    ) -> MCPToolset:
        """A server started as a subprocess, spoken to over its stdin and stdout.

        ``env`` is added to a minimal environment (the SDK passes only HOME, PATH and the
        like, so the server does not inherit this process's secrets)."""
        parameters = StdioServerParameters(
            command=command,
            args=list(args),
            env=dict(env) if env is not None else None,
            cwd=os.fspath(cwd) if cwd is not None else None,
        )
        answering = _answering(options)
        shown = options.get("stderr")
        kept = ServerStderr()

        def open_client(on_message: Callable[..., Any]) -> Any:
            errlog = shown if shown is not None else kept.fresh()
            return Client(
                stdio_client(parameters, errlog=errlog),
                mode="legacy",
                message_handler=on_message,
                cache=None,
                read_timeout_seconds=None,
                **answering,
            )

        label = " ".join([os.path.basename(command), *args])[:80]
        toolset = cls._with(label, open_client, options)
        toolset.endpoint.stderr_tail = kept.tail
        return toolset

    @classmethod
    def http(
        cls,
        url: str,
        headers: Mapping[str, str] | None = None,
        **options: Unpack[ServerOptions],
    ) -> MCPToolset:
        """A server reached over streamable HTTP at ``url``, with ``headers`` on every
        request (an ``Authorization`` header, say — never shown in errors or logs)."""
        import httpx2

        sent = dict(headers or {})
        answering = _answering(options)
        connect_timeout = options.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT)

        @contextlib.asynccontextmanager
        async def open_client(on_message: Callable[..., Any]) -> AsyncIterator[Client]:
            async with httpx2.AsyncClient(
                headers=sent, timeout=httpx2.Timeout(connect_timeout, read=None)
            ) as http:
                transport = streamable_http_client(url, http_client=http)
                async with Client(
                    transport, mode="legacy", message_handler=on_message, cache=None, **answering
                ) as client:
                    yield client

        return cls._with(shown_url(url), open_client, options)

    @classmethod
    def _with(
        cls, label: str, open_client: Callable[..., Any], options: ServerOptions
    ) -> MCPToolset:
        endpoint = Endpoint(
            options.get("name") or label,
            open_client,
            options.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT),
            options.get("call_timeout", DEFAULT_CALL_TIMEOUT),
        )
        return cls(
            endpoint,
            requires_confirmation=options.get("requires_confirmation", False),
            confirm_destructive=options.get("confirm_destructive", True),
        )

    # -- opening and closing ----------------------------------------------------------------

    async def __aenter__(self) -> MCPToolset:
        if self._kept is not None or self._opening:
            raise MCPServerError(
                self.label,
                "this toolset is already open (or being opened); open it once, around "
                "everything that uses it",
            )
        self._opening = True  # before the first await: a second opener is refused at once
        kept = KeptOpen(Connection(self.endpoint, self._on_message).running())
        try:
            self._connection = await kept.open()
            self._rebuild()
        except BaseException as error:
            self._connection = None
            with contextlib.suppress(Exception):
                await kept.close()
            if isinstance(error, NotOnAsyncio):
                raise MCPServerError(self.label, str(error)) from None
            if isinstance(error, Exception) and not isinstance(
                error, MCPServerError | MCPToolError
            ):
                raise MCPServerError(self.label, describe_failure(error)) from error
            raise _unwrapped(error) from None
        finally:
            self._opening = False
        self._kept = kept
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the connection and stop the server; any task may do this, not only the
        one that opened it (see ``agentkit.mcp.keeper``)."""
        kept, self._kept = self._kept, None
        self._connection = None
        if kept is not None:
            await kept.close()

    # -- the tools --------------------------------------------------------------------------

    def tools(self) -> list[Tool]:
        if self._connection is None:
            raise MCPServerError(
                self.label,
                "not connected: open the toolset first (async with MCPToolset...(...) as tools)",
            )
        if self._built_for != self._connection.generation:
            self._rebuild()
        return list(self._tools)

    def _rebuild(self) -> None:
        assert self._connection is not None
        built: list[Tool] = []
        for listed in self._connection.tools:
            built.append(self._tool(listed))
        self._tools = built
        self._built_for = self._connection.generation
        self._revision += 1

    @property
    def is_open(self) -> bool:
        return self._connection is not None

    def tools_version(self) -> object:
        """Changes whenever the tool list does (opening, a reconnect, a list_changed
        notification, closing)."""
        if self._connection is None:
            return ("closed", self._revision)
        if self._built_for != self._connection.generation:
            self._rebuild()
        return self._revision

    def _tool(self, listed: types.Tool) -> MCPTool:
        wire = listed.model_dump(by_alias=True, exclude_none=True)
        server_name = str(wire["name"])
        try:
            return self._convert(wire, server_name)
        except (MCPToolError, ToolDefinitionError):
            raise
        except SchemaRefused as refusal:
            raise MCPToolError(self.label, server_name, str(refusal)) from None
        except Exception as error:  # a schema no reader expects (a deep nesting, odd types)
            reason = f"its schema cannot be read ({type(error).__name__}: {error})"
            raise MCPToolError(self.label, server_name, reason[:300]) from None

    def _convert(self, wire: dict[str, Any], server_name: str) -> MCPTool:
        parameters = input_schema(wire.get("inputSchema"))
        annotations = wire.get("annotations") or {}
        return MCPTool(
            server=self.label,
            name=self.name_map.add(server_name),
            server_name=server_name,
            description=wire.get("description") or wire.get("title"),
            parameters=parameters,
            response=output_schema(wire.get("outputSchema")),
            draft=wire.get("inputSchema") or {},
            call_server=self._call,
            requires_confirmation=self._confirmation(server_name, annotations),
            annotations=annotations,
        )

    def _confirmation(self, server_name: str, annotations: dict[str, Any]) -> Any:
        choice = self.requires_confirmation
        if self.confirm_destructive and annotations.get("destructiveHint") is True:
            return True
        if isinstance(choice, bool):
            return choice
        if callable(choice):
            predicate = choice
            return lambda arguments: bool(predicate(server_name, arguments))
        return server_name in set(choice)

    # -- calls ------------------------------------------------------------------------------

    async def _call(
        self,
        server_name: str,
        arguments: dict[str, Any],
        multimodal: bool,
        progress: ProgressReporter | None = None,
    ) -> ToolResult:
        connection = self._connection
        shown = self.name_map.to_gemini.get(server_name, server_name)
        if connection is None:
            return _failure("unavailable", f"{shown}: the MCP server {self.label!r} is closed")
        try:
            client = await connection.client()
        except MCPServerError as error:
            return _failure("unavailable", f"{shown} was not run: the MCP server {error.reason}")
        timeout = self.endpoint.call_timeout
        try:
            result = await client.call_tool(
                server_name,
                arguments,
                read_timeout_seconds=timeout,
                progress_callback=None if progress is None else _forwarding(progress),
            )
        except MCPError as error:
            return self._call_failed(connection, shown, error, timeout)
        except Exception as error:
            if not _lost_connection(error):
                # The SDK checks structured results against the tool's outputSchema.
                return _failure("invalid_result", f"{shown}: {describe_failure(error)}")
            connection.mark_broken(error)
            return _failure(
                "server_gone",
                f"{shown}: the MCP server {self.label!r} stopped answering during the call "
                f"({describe_failure(error)}). The call may or may not have taken effect; it "
                "was not retried. The server is reconnected for the next call.",
            )
        wire = result.model_dump(by_alias=True, exclude_none=True)
        return call_result(shown, wire, multimodal=multimodal, duration=0.0)

    def _call_failed(
        self, connection: Connection, shown: str, error: MCPError, timeout: float | None
    ) -> ToolResult:
        if error.code == types.REQUEST_TIMEOUT:
            return _failure(
                "timeout",
                f"{shown}: the MCP server {self.label!r} did not answer within {timeout:g} s. "
                "The call may still be running there and may still take effect.",
                {"still_running": True},
            )
        if error.code == types.CONNECTION_CLOSED:
            connection.mark_broken(error)
            return _failure(
                "server_gone",
                f"{shown}: the MCP server {self.label!r} closed the connection during the "
                "call. The call may or may not have taken effect; it was not retried. The "
                "server is reconnected for the next call.",
            )
        return _failure("tool_error", f"{shown}: the MCP server refused the call: {error.message}")

    async def _on_message(self, message: Any) -> None:
        """Server notifications: a changed tool list is fetched again at once."""
        if isinstance(message, types.ToolListChangedNotification) and self._connection:
            with contextlib.suppress(Exception):
                await self._connection.refresh_tools()
                self._rebuild()

    def __repr__(self) -> str:
        state = "open" if self._connection is not None else "closed"
        return f"MCPToolset({self.label!r}, {state})"


def _answering(options: ServerOptions) -> dict[str, Any]:
    """The client's callbacks for a server's requests. Only what the user gave is declared:
    the SDK announces elicitation or sampling support exactly when a callback is passed."""
    answering: dict[str, Any] = {}
    elicit = options.get("elicit")
    if elicit is not None:
        answering["elicitation_callback"] = _elicitation(elicit)
    model = options.get("sampling_model")
    if model is not None:
        from agentkit.mcp.sampling import sampler

        answering["sampling_callback"] = sampler(model)
    return answering


def _elicitation(elicit: Elicit) -> Any:
    async def on_elicit(context: Any, params: Any) -> types.ElicitResult:
        if not isinstance(params, types.ElicitRequestFormParams):
            return types.ElicitResult(action="decline")  # URL-mode questions are not supported
        try:
            answer = await elicit(params.message, dict(params.requested_schema))
        except Exception:
            return types.ElicitResult(action="decline")
        if answer is None:
            return types.ElicitResult(action="decline")
        return types.ElicitResult(action="accept", content=answer)

    return on_elicit


def _forwarding(progress: ProgressReporter) -> Any:
    """The SDK's progress callback, passing the server's notifications on. Only given when
    someone listens: with it the request carries a progress token, which asks the server to
    send them."""

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress(done, total, message)

    return on_progress


def _lost_connection(error: BaseException) -> bool:
    """Whether an error says the connection itself is gone (a closed stream, a reset socket,
    an HTTP transport failure), rather than something wrong with one answer."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    lost = (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream, OSError)
    return isinstance(error, lost) or type(error).__module__.startswith(("httpx2", "httpcore"))


def _failure(kind: str, message: str, details: dict[str, Any] | None = None) -> ToolResult:
    return ToolResult.failure(ToolError(kind, message, details or {}))


def _unwrapped(error: BaseException) -> BaseException:
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return error
