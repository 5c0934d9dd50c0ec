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

import json
from typing import Any

import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.shared.exceptions import MCPError

from agentkit.tools import Toolset
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
        return _answer(await item.run(validated, multimodal=False))

    return Server(name, version=__version__, on_list_tools=list_tools, on_call_tool=call_tool)


def _listed(item: Tool) -> types.Tool:
    return types.Tool.model_validate(
        {
            "name": item.name,
            "description": item.description or "",
            "inputSchema": item.parameters_json_schema,
        }
    )


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
