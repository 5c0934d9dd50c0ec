"""One tool of an MCP server, as the loop sees every tool.

A ``Tool`` is normally built from a Python function's signature; an MCP tool has a JSON
Schema and a server instead. ``MCPTool`` keeps the ``Tool`` interface the loop and the
wrappers use (declarations per dialect, ``validate``, ``needs_confirmation``, ``run``,
``renamed``) and fills it from the schema: what is declared is what is checked (the
normalised schema, with the JSON Schema draft the server named), and a call goes to the
server through its toolset's connection.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import jsonschema
from jsonschema.exceptions import SchemaError

from agentkit.errors import MCPToolError
from agentkit.tools.argument_engines import Engine
from agentkit.tools.context import ProgressReporter, ToolContext
from agentkit.tools.invocation import CallFate
from agentkit.tools.parameters import NO_RETURN, Arguments
from agentkit.tools.results import ToolError, ToolResult, argument_problems, exception_error
from agentkit.tools.tool import ConfirmationRule, SchemaDialect, Tool
from agentkit.types import FunctionDeclaration

# Sends the call to the server: (server's tool name, arguments, multimodal, who is told the
# call's progress) -> the result.
CallServer = Callable[[str, dict[str, Any], bool, ProgressReporter | None], Awaitable[ToolResult]]


class MCPTool(Tool):
    """A tool served by an MCP server (built by ``MCPToolset``, not by hand)."""

    def __init__(  # the parent's function-based constructor does not apply
        self,
        *,
        server: str,
        name: str,
        server_name: str,
        description: str | None,
        parameters: dict[str, Any],
        response: dict[str, Any] | None,
        draft: dict[str, Any],
        call_server: CallServer,
        requires_confirmation: ConfirmationRule = False,
        annotations: dict[str, Any] | None = None,
    ) -> None:
        self.server = server
        self.server_name = server_name
        self.annotations = dict(annotations or {})
        self.name = name
        self.description = description
        self.timeout = None  # the toolset's call timeout applies, inside call_server
        self.requires_confirmation = requires_confirmation
        self._method = False
        self.is_async = True
        self.in_thread = False
        self.parameters_json_schema = parameters
        self.response_json_schema = response
        self._call_server = call_server
        try:
            validator_class = jsonschema.validators.validator_for(
                draft, default=jsonschema.Draft202012Validator
            )
            validator_class.check_schema(parameters)
        except SchemaError as error:
            reason = f"its inputSchema is invalid: {error.message}"
            raise MCPToolError(server, server_name, reason) from None
        self._validator = validator_class(parameters)
        self.arguments = Arguments((), _engine(parameters), None, NO_RETURN)
        self.fn = call_server  # what wrappers compare to see the tool changed
        self._declarations = {"json_schema": self._build_declaration("json_schema")}

    @property
    def tool_type(self) -> str:
        """What tracing calls it: a call to another service (the server), not a function
        run here."""
        return "extension"

    @property
    def takes_context(self) -> bool:
        """Always: the context carries where the server's progress notifications go."""
        return True

    def declaration_for(self, dialect: SchemaDialect) -> FunctionDeclaration:
        built = self._declarations.get(dialect)
        if built is None:
            built = self._declarations[dialect] = self._build_declaration(dialect)
        if not isinstance(built, FunctionDeclaration):
            raise MCPToolError(
                self.server,
                self.server_name,
                f"cannot be declared in the {dialect} dialect: {built}",
            )
        return built

    def validate(self, args: dict[str, Any] | None) -> dict[str, Any] | ToolError:
        arguments = args if args is not None else {}
        problems = []
        try:
            errors = sorted(self._validator.iter_errors(arguments), key=lambda e: list(e.path))
        except Exception as failure:  # the validator itself failed (a reference it cannot follow)
            return exception_error(self.name, failure)
        for error in errors:
            path = ".".join(str(p) for p in error.absolute_path) or "(arguments)"
            problems.append({"path": path, "message": error.message})
        if not problems:
            return dict(arguments)
        return argument_problems(self.name, problems)

    async def run(
        self,
        validated: dict[str, Any],
        context: ToolContext[Any] | None = None,
        *,
        limiter: anyio.CapacityLimiter | None = None,
        multimodal: bool = True,
        fate: CallFate | None = None,
    ) -> ToolResult:
        """Send the call; the server's failures come back as results, never raised."""
        fate = fate or CallFate(self.name)
        started = time.perf_counter()
        fate.begin()
        try:
            progress = context.progress_reporter if context is not None else None
            result = await self._call_server(self.server_name, validated, multimodal, progress)
        except Exception as error:  # a bug below: still a result, never a crashed run
            result = ToolResult.failure(exception_error(self.name, error))
        finally:
            fate.end()
        duration = time.perf_counter() - started
        return ToolResult(result.response, result.parts, result.error, duration)

    def __repr__(self) -> str:
        return f"MCPTool({self.name!r}, server={self.server!r})"


def _engine(parameters: dict[str, Any]) -> Engine:
    def refuse(args: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError("MCPTool validates with its JSON Schema validator")

    return Engine("model", {}, parameters, refuse)
