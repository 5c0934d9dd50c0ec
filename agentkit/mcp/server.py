"""agentkit's toolsets served over MCP, so any MCP client can drive them.

Each tool is listed with its parameters' JSON Schema (the JSON dialect an agent would send to
Gemini) and its description; a call is validated by the tool's own validator, run as an agent
would run it (sync tools in worker threads), and answered with the result as
``structuredContent`` (the functionResponse an agent would send: a dict, or ``{"output": ...}``)
plus the same JSON as text for clients that only read text. A failure — invalid arguments,
an exception, a timeout — is ``isError`` with the error's message, never a protocol error.

A tool that requires confirmation is never run unconfirmed. The server asks the client's
user through elicitation, when the client declared it can be asked. It refuses with an
error saying why when the client cannot be asked, or when the person declines.
"""

from __future__ import annotations

import contextlib
import json
import math
from types import UnionType
from typing import Any, Union, get_origin

import anyio
import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.shared.exceptions import MCPError
from typing_extensions import is_typeddict

from agentkit.tools import Toolset
from agentkit.tools.context import ToolContext
from agentkit.tools.progress import on_the_loop
from agentkit.tools.results import ToolError, ToolResult
from agentkit.tools.tool import Tool

APPROVAL_SCHEMA = {
    "type": "object",
    "properties": {"approve": {"type": "boolean", "description": "Run this call?"}},
    "required": ["approve"],
}
MODERN_PROTOCOL = "2026-07-28"  # where a server may not send requests; it asks for input


def toolset_server(toolset: Toolset, name: str = "agentkit") -> Server:
    """A low-level MCP server over ``toolset``'s tools."""
    from agentkit import __version__

    tools = toolset.by_name()
    listed = [_listed(item) for item in tools.values()]

    async def list_tools(
        ctx: ServerRequestContext, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listed)

    async def call_tool(
        ctx: ServerRequestContext, params: types.CallToolRequestParams
    ) -> types.CallToolResult | types.InputRequiredResult:
        item = tools.get(params.name)
        if item is None:
            raise MCPError(code=types.INVALID_PARAMS, message=f"no tool named {params.name!r}")
        validated = item.validate(params.arguments or {})
        if isinstance(validated, ToolError):
            return _answer(ToolResult.failure(validated))
        if item.needs_confirmation(validated):
            decision = await _ask(ctx, params, item, validated)
            if isinstance(decision, types.InputRequiredResult):
                return decision
            if decision is not None:
                return _answer(ToolResult.failure(decision))
        token = (params.meta or {}).get("progress_token")
        if token is None or not item.takes_context:
            return _answer(await item.run(validated, multimodal=False))
        return _answer(await _run_reporting(ctx, token, item, validated))

    return Server(name, version=__version__, on_list_tools=list_tools, on_call_tool=call_tool)


async def _run_reporting(
    ctx: ServerRequestContext, token: str | int, item: Tool, validated: dict[str, Any]
) -> ToolResult:
    """Run a tool that takes a context, sending what it reports to the client as progress
    notifications for the client's token, in the order reported."""
    send, receive = anyio.create_memory_object_stream[tuple[float, float | None, str | None]](
        math.inf
    )

    def deliver(progress: float, total: float | None, message: str | None) -> None:
        with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
            send.send_nowait((progress, total, message))

    async def forward() -> None:
        async with receive:
            async for progress, total, message in receive:
                # The session only asks whether a related request is given (the SDK's
                # annotation says str; a request id may be an int).
                related = None if ctx.request_id is None else str(ctx.request_id)
                await ctx.session.send_progress_notification(
                    token, progress, total, message, related_request_id=related
                )

    context: ToolContext[Any] = ToolContext(tool_name=item.name, _progress=on_the_loop(deliver))
    async with anyio.create_task_group() as group:
        group.start_soon(forward)
        try:
            result = await item.run(validated, context, multimodal=False)
        finally:
            send.close()  # the forwarder sends what is queued, then ends
    return result


def _listed(item: Tool) -> types.Tool:
    listed: dict[str, Any] = {
        "name": item.name,
        "description": item.description or "",
        "inputSchema": item.parameters_json_schema,
    }
    declared = _output_schema(item)
    if declared is not None:
        listed["outputSchema"] = declared
    return types.Tool.model_validate(listed)


def _output_schema(item: Tool) -> dict[str, Any] | None:
    """The JSON Schema of the ``structuredContent`` a call answers with, from the tool's
    return annotation. Clients check each result against it, so it is declared only where
    it describes every result exactly: a returned dict is the content as it is, any other
    value is wrapped as ``{"output": value}`` (as for Gemini). A union, which may hold a
    dict or not, and bytes, which travel as media, declare nothing."""
    schema = item.response_json_schema
    if schema is None or '"binary"' in json.dumps(schema):
        return None
    annotation = item.arguments.return_annotation
    if get_origin(annotation) in (Union, UnionType):
        return None
    if get_origin(annotation) is dict or is_typeddict(annotation):
        return schema
    wrapped: dict[str, Any] = {
        "type": "object",
        "properties": {"output": {k: v for k, v in schema.items() if k != "$defs"}},
        "required": ["output"],
    }
    if "$defs" in schema:
        wrapped["$defs"] = schema["$defs"]
    return wrapped


def _answer(result: ToolResult) -> types.CallToolResult:
    text = json.dumps(result.response, ensure_ascii=False)
    if result.error is not None:
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=result.error.message)],
            structured_content=result.response,
            is_error=True,
        )
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)], structured_content=result.response
    )


async def _ask(
    ctx: ServerRequestContext,
    params: types.CallToolRequestParams,
    item: Tool,
    validated: dict[str, Any],
) -> ToolError | types.InputRequiredResult | None:
    """None when the person approved; otherwise why the call was not run (or, on the modern
    protocol, the question to put to the client first)."""
    question = f"allow {item.name}({json.dumps(validated, ensure_ascii=False, default=str)})?"
    capabilities = ctx.session.client_capabilities
    if capabilities is None or capabilities.elicitation is None:
        return ToolError(
            "denied",
            f"{item.name} requires a person's confirmation, and this MCP client cannot ask "
            "one (it does not support elicitation); it was not run",
        )
    if ctx.protocol_version == MODERN_PROTOCOL:
        answers = params.input_responses or {}
        answer = answers.get("approval")
        if answer is None:
            return types.InputRequiredResult(
                input_requests={
                    "approval": types.ElicitRequest(
                        params=types.ElicitRequestFormParams(
                            message=question, requested_schema=APPROVAL_SCHEMA
                        )
                    )
                },
                request_state=item.name,
            )
    else:
        answer = await ctx.session.elicit_form(
            question, APPROVAL_SCHEMA, related_request_id=ctx.request_id
        )
    if not isinstance(answer, types.ElicitResult):
        return ToolError("denied", f"{item.name}: no answer to the confirmation; it was not run")
    approved = answer.action == "accept" and bool((answer.content or {}).get("approve"))
    if approved:
        return None
    return ToolError("denied", f"a person declined this call to {item.name}; it was not executed")
