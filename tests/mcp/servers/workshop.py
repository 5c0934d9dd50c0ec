"""An MCP server written for the tests, on the official SDK's low-level API.

Its tools are declared as JSON Schema dicts, the way servers in other languages send them
(``$schema``, ``$ref``, a name Gemini refuses, a destructive tool), and each exercises one
thing a client must handle: structured results, images, resources, ``isError``, JSON-RPC
errors, a changed tool list, and a call that blocks until the test releases it (or kills
the server). It writes its pid to $WORKSHOP_PID_FILE when it starts, so a test can kill it.

Run: python workshop.py stdio | python workshop.py http PORT (on 127.0.0.1)
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.lowlevel import NotificationOptions
from mcp.shared.exceptions import MCPError

PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d605f60000000049454e44ae426082"
    )
).decode()
DRAFT_07 = "http://json-schema.org/draft-07/schema#"

TOOLS: list[dict[str, Any]] = [
    {
        "name": "add",
        "description": "Add two numbers.",
        "inputSchema": {
            "$schema": DRAFT_07,
            "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
            "required": ["a", "b"],
            "additionalProperties": False,
        },
        "outputSchema": {
            "type": "object",
            "properties": {"sum": {"type": "number"}},
            "required": ["sum"],
        },
        "annotations": {"readOnlyHint": True},
    },
    {
        "name": "note/write",
        "description": "Write a note.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "note": {"$ref": "#/$defs/note"},
                "tags": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            },
            "required": ["note"],
            "$defs": {
                "note": {
                    "type": "object",
                    "properties": {"title": {"type": "string"}, "body": {"type": ["string", "null"]}},
                    "required": ["title"],
                }
            },
        },
    },
    {
        "name": "wipe",
        "description": "Erase everything.",
        "inputSchema": {"type": "object", "properties": {}},
        "annotations": {"destructiveHint": True},
    },
    {"name": "picture", "description": "A tiny picture.", "inputSchema": {"type": "object"}},
    {"name": "report", "description": "A report as resources.", "inputSchema": {"type": "object"}},
    {"name": "fail", "description": "Always fails.", "inputSchema": {"type": "object"}},
    {"name": "refuse", "description": "Answers with a JSON-RPC error.", "inputSchema": {"type": "object"}},
    {
        "name": "block",
        "description": "Waits until the file $WORKSHOP_RELEASE exists.",
        "inputSchema": {"type": "object", "properties": {"label": {"type": "string"}}},
    },
    {"name": "grow", "description": "Adds the tool 'extra'.", "inputSchema": {"type": "object"}},
    {
        "name": "steps",
        "description": "Reports progress 1 of 2, waits for $WORKSHOP_RELEASE, reports 2 of 2.",
        "inputSchema": {"type": "object"},
    },
    {"name": "headers", "description": "The HTTP headers seen.", "inputSchema": {"type": "object"}},
    {
        "name": "summarize",
        "description": "Asks the client's model to summarise a text (sampling).",
        "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    },
]
BOOKING_FORM = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "Name", "minLength": 2},
        "guests": {"type": "integer", "title": "Guests", "minimum": 1, "maximum": 8, "default": 2},
        "seating": {
            "type": "string",
            "title": "Seating",
            "oneOf": [{"const": "in", "title": "Inside"}, {"const": "out", "title": "Terrace"}],
        },
        "date": {"type": "string", "title": "Date", "format": "date", "description": "YYYY-MM-DD"},
        "newsletter": {"type": "boolean", "title": "Newsletter"},
    },
    "required": ["name", "seating", "date"],
}
TOOLS.append(
    {"name": "book", "description": "Books a table, asking the person for the details (a form).", "inputSchema": {"type": "object"}}
)
EXTRA = {"name": "extra", "description": "Added later.", "inputSchema": {"type": "object"}}
grown = False


def _text(text: str) -> types.TextContent:
    return types.TextContent(type="text", text=text)


async def list_tools(
    ctx: ServerRequestContext, params: types.PaginatedRequestParams | None
) -> types.ListToolsResult:
    listed = TOOLS + ([EXTRA] if grown else [])
    # Two pages, so clients must follow the cursor.
    start = int(params.cursor) if params is not None and params.cursor else 0
    page = listed[start : start + 6]
    following = str(start + 6) if start + 6 < len(listed) else None
    return types.ListToolsResult(
        tools=[types.Tool.model_validate(tool) for tool in page], next_cursor=following
    )


async def call_tool(ctx: ServerRequestContext, params: types.CallToolRequestParams) -> types.CallToolResult:
    global grown
    args = params.arguments or {}
    name = params.name
    _log(f"{name} {sorted(args.items())}")
    if name == "add":
        total = args["a"] + args["b"]
        return types.CallToolResult(content=[_text(f'{{"sum": {total}}}')], structured_content={"sum": total})
    if name == "note/write":
        return types.CallToolResult(content=[_text(f"wrote {args['note']['title']}")])
    if name == "wipe":
        return types.CallToolResult(content=[_text("wiped")])
    if name == "picture":
        return types.CallToolResult(
            content=[_text("here it is"), types.ImageContent(type="image", data=PNG, mime_type="image/png")]
        )
    if name == "report":
        return types.CallToolResult(
            content=[
                types.ResourceLink(type="resource_link", uri="file:///r/full.txt", name="full.txt", mime_type="text/plain"),
                types.EmbeddedResource(
                    type="resource",
                    resource=types.TextResourceContents(uri="file:///r/summary.txt", mime_type="text/plain", text="all good"),
                ),
            ]
        )
    if name == "fail":
        return types.CallToolResult(content=[_text("the disk is full")], is_error=True)
    if name == "refuse":
        raise MCPError(code=types.INVALID_PARAMS, message="not today")
    if name == "block":
        release = Path(os.environ["WORKSHOP_RELEASE"])
        while not release.exists():
            await anyio.sleep(0.01)
        return types.CallToolResult(content=[_text(f"released {args.get('label', '')}")])
    if name == "steps":
        token = (params.meta or {}).get("progress_token")
        _log(f"steps token={'yes' if token is not None else 'no'}")
        if token is not None:
            await ctx.session.send_progress_notification(token, 1, 2, "halfway", ctx.request_id)
        release = Path(os.environ["WORKSHOP_RELEASE"])
        while not release.exists():
            await anyio.sleep(0.01)
        if token is not None:
            await ctx.session.send_progress_notification(token, 2, 2, None, ctx.request_id)
        return types.CallToolResult(content=[_text("all steps done")])
    if name == "book":
        answer = await ctx.session.elicit_form("Book a table", BOOKING_FORM, related_request_id=ctx.request_id)
        _log(f"book {answer.action} {sorted((answer.content or {}).items())}")
        if answer.action != "accept":
            return types.CallToolResult(content=[_text(f"not booked: the person chose {answer.action}")])
        return types.CallToolResult(content=[_text(f"booked for {answer.content['name']}")])
    if name == "grow":
        grown = True
        await ctx.session.send_tool_list_changed()
        return types.CallToolResult(content=[_text("grown")])
    if name == "headers":
        request = ctx.request
        seen = dict(request.headers) if request is not None else {}
        return types.CallToolResult(content=[], structured_content={"headers": seen})
    if name == "summarize":
        caps = ctx.session.client_capabilities
        if caps is None or caps.sampling is None:
            return types.CallToolResult(content=[_text("this client does not sample")], is_error=True)
        answer = await ctx.session.create_message(
            [types.SamplingMessage(role="user", content=_text(f"Summarise: {args['text']}"))],
            max_tokens=64,
            system_prompt="Be brief.",
            temperature=0.2,
            related_request_id=ctx.request_id,
        )
        said = answer.content.text if isinstance(answer.content, types.TextContent) else ""
        return types.CallToolResult(content=[_text(f"summary by {answer.model}: {said}")])
    raise MCPError(code=types.INVALID_PARAMS, message=f"unknown tool {name}")


def _log(line: str) -> None:
    """Each call, appended to $WORKSHOP_LOG: what the server really received."""
    path = os.environ.get("WORKSHOP_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(line + "\n")


server = Server("workshop", version="1.0.0", on_list_tools=list_tools, on_call_tool=call_tool)


async def serve_stdio() -> None:
    from mcp.server.stdio import stdio_server

    async with stdio_server() as (read, write):
        options = server.create_initialization_options(NotificationOptions(tools_changed=True))
        await server.run(read, write, options)


if __name__ == "__main__":
    pid_file = os.environ.get("WORKSHOP_PID_FILE")
    if pid_file:
        with open(pid_file, "a", encoding="utf-8") as stream:
            stream.write(f"{os.getpid()}\n")
    if sys.argv[1] == "stdio":
        anyio.run(serve_stdio)
    else:
        import uvicorn

        app = server.streamable_http_app(streamable_http_path="/mcp", host="127.0.0.1")
        uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
