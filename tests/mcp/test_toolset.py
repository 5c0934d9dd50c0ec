"""``MCPToolset`` against a real MCP server process (tests/mcp/servers/workshop.py) and the
strict emulator: declarations as sent, calls as the server received them, results as the
model reads them, and what happens when the server fails, dies or changes its tools."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

import anyio
import pytest

from agentkit import Agent, Gemini
from agentkit.agent import ToolProgress
from agentkit.errors import MCPServerError
from agentkit.mcp import MCPToolset
from agentkit.mcp.connection import connection_ended
from agentkit.testing.emulator import Emulator, call

from .conftest import Workshop, alive, eventually


def responses(request_json: dict[str, Any]) -> list[dict[str, Any]]:
    """The functionResponse parts of a request's last content."""
    return [part["functionResponse"] for part in request_json["contents"][-1]["parts"]]


async def test_declarations_are_sent_as_converted_and_calls_reach_the_server(
    workshop: Workshop, emulator: Emulator
) -> None:
    emulator.script([[call("add", a=2, b=3), call("note_write", note={"title": "milk"})], "Done."])
    async with workshop.stdio() as server:
        agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[server])
        result = await agent.run("add and write")
    assert result.text == "Done."
    assert emulator.rejections == []
    declarations = emulator.requests[0].json["tools"][0]["functionDeclarations"]
    assert [d["name"] for d in declarations] == [
        "add", "note_write", "wipe", "picture", "report", "fail", "refuse", "block", "grow", "steps",
        "headers", "summarize", "book",
    ]
    assert declarations[0] == {
        "name": "add",
        "description": "Add two numbers.",
        "parametersJsonSchema": {
            "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
            "required": ["a", "b"],
            "additionalProperties": False,
        },
        "responseJsonSchema": {
            "type": "object",
            "properties": {"sum": {"type": "number"}},
            "required": ["sum"],
        },
    }
    assert responses(emulator.requests[1].json) == [
        {"name": "add", "response": {"sum": 5}},
        {"name": "note_write", "response": {"output": "wrote milk"}},
    ]
    # The server got its own tool name back, and exactly the arguments the model sent.
    assert sorted(workshop.calls) == [
        "add [('a', 2), ('b', 3)]",
        "note/write [('note', {'title': 'milk'})]",
    ]


async def test_the_openapi_dialect_gets_the_same_tools_compiled(
    workshop: Workshop, emulator: Emulator
) -> None:
    emulator.script(["ok"])
    async with workshop.stdio() as server:
        agent = Agent(
            Gemini("gemini-2.5-flash", base_url=emulator.url),
            tools=[server],
            schema_dialect="openapi",
        )
        await agent.run("hi")
    assert emulator.rejections == []
    note = emulator.requests[0].json["tools"][0]["functionDeclarations"][1]
    assert note["parameters"] == {
        "type": "OBJECT",
        "properties": {
            "note": {
                "type": "OBJECT",
                "properties": {
                    "title": {"type": "STRING"},
                    "body": {"type": "STRING", "nullable": True},
                },
                "required": ["title"],
            },
            "tags": {"type": "ARRAY", "items": {"anyOf": [{"type": "STRING"}, {"type": "INTEGER"}]}},
        },
        "required": ["note"],
    }


async def test_results_errors_and_invalid_arguments_as_the_model_reads_them(
    workshop: Workshop,
) -> None:
    async with workshop.stdio() as server:
        picture = await server.get("picture").invoke({})  # type: ignore[union-attr]
        report = await server.get("report").invoke({})  # type: ignore[union-attr]
        failed = await server.get("fail").invoke({})  # type: ignore[union-attr]
        refused = await server.get("refuse").invoke({})  # type: ignore[union-attr]
        invalid = await server.get("add").invoke({"a": "two"})  # type: ignore[union-attr]
    assert picture.response == {
        "output": "here it is",
        "media": [{"mimeType": "image/png", "attached": True}],
    }
    assert [part.inline_data.mime_type for part in picture.parts if part.inline_data] == ["image/png"]
    assert report.response == {
        "resources": [
            {"type": "resource_link", "uri": "file:///r/full.txt", "name": "full.txt", "mimeType": "text/plain"},
            {"type": "resource", "uri": "file:///r/summary.txt", "mimeType": "text/plain", "text": "all good"},
        ]
    }
    assert failed.response == {"error": {"type": "tool_error", "message": "fail: the disk is full"}}
    assert refused.response == {
        "error": {"type": "tool_error", "message": "refuse: the MCP server refused the call: not today"}
    }
    assert invalid.error is not None and invalid.error.kind == "invalid_arguments"
    assert invalid.error.details["errors"] == [
        {"path": "(arguments)", "message": "'b' is a required property"},
        {"path": "a", "message": "'two' is not of type 'number'"},
    ]
    # Invalid calls never reach the server.
    assert [line.split()[0] for line in workshop.calls] == ["picture", "report", "fail", "refuse"]


async def test_a_server_killed_mid_call_is_a_tool_error_and_the_next_call_reconnects(
    workshop: Workshop, emulator: Emulator
) -> None:
    emulator.script([[call("block", label="first")], [call("add", a=1, b=1)], "Recovered."])
    async with workshop.stdio() as server:
        agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[server])
        async with anyio.create_task_group() as group:
            group.start_soon(agent.run, "go")
            await eventually(lambda: any(line.startswith("block") for line in workshop.calls))
            first = workshop.pids[0]
            os.kill(first, signal.SIGKILL)
        assert len(workshop.pids) == 2  # a new server for the second call
        second = workshop.pids[1]
        assert alive(second) and not alive(first)
    assert not alive(second)  # closed with the toolset: no orphan
    gone, answered = responses(emulator.requests[1].json), responses(emulator.requests[2].json)
    assert gone == [
        {
            "name": "block",
            "response": {
                "error": {
                    "type": "server_gone",
                    "message": (
                        f"block: the MCP server {server.label!r} closed the connection during "
                        "the call. The call may or may not have taken effect; it was not "
                        "retried. The server is reconnected for the next call."
                    ),
                }
            },
        }
    ]
    assert answered == [{"name": "add", "response": {"sum": 2}}]
    assert workshop.calls == ["block [('label', 'first')]", "add [('a', 1), ('b', 1)]"]


async def test_a_server_that_died_while_idle_is_restarted_and_the_call_sent_once(
    workshop: Workshop,
) -> None:
    async with workshop.stdio() as server:
        add = server.get("add")
        assert add is not None
        assert (await add.invoke({"a": 1, "b": 1})).response == {"sum": 2}
        client = await server._connection.client()  # type: ignore[union-attr]
        # What the toolset reads to know the server is gone before sending: if the SDK
        # stops keeping it, this fails rather than idle deaths reading as "may have run".
        assert connection_ended(client) is False
        first = workshop.pids[0]
        os.kill(first, signal.SIGKILL)
        await eventually(lambda: connection_ended(client))
        after = await add.invoke({"a": 2, "b": 2})
        assert after.error is None and after.response == {"sum": 4}
        assert len(workshop.pids) == 2 and alive(workshop.pids[1])
    assert workshop.calls == ["add [('a', 1), ('b', 1)]", "add [('a', 2), ('b', 2)]"]


async def test_a_servers_progress_reaches_a_streamed_run_while_the_call_runs(
    workshop: Workshop, emulator: Emulator
) -> None:
    emulator.script([[call("steps")], "Stepped.", [call("steps")], "Again."])
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[workshop.stdio()])
    shown: list[tuple[Any, ...]] = []
    with anyio.fail_after(20):
        async for event in agent.stream("step"):
            if isinstance(event, ToolProgress):
                shown.append((event.name, event.progress, event.total, event.message))
                workshop.release()  # the server waits for this after its first report
            elif event.kind in ("function_call", "function_result"):
                shown.append((event.kind,))
    assert shown == [
        ("function_call",),
        ("steps", 1.0, 2.0, "halfway"),
        ("steps", 2.0, 2.0, None),
        ("function_result",),
    ]
    # A plain run reads no progress, so it asks the server for none.
    assert (await agent.run("again")).text == "Again."
    assert [line for line in workshop.calls if "token" in line] == [
        "steps token=yes",
        "steps token=no",
    ]


async def test_a_call_past_its_timeout_says_it_may_still_run(workshop: Workshop) -> None:
    async with workshop.stdio(call_timeout=0.5) as server:
        result = await server.get("block").invoke({"label": "slow"})  # type: ignore[union-attr]
        workshop.release()
        after = await server.get("add").invoke({"a": 1, "b": 2})  # type: ignore[union-attr]
    assert result.response == {
        "error": {
            "type": "timeout",
            "message": (
                f"block: the MCP server {server.label!r} did not answer within 0.5 s. The call "
                "may still be running there and may still take effect."
            ),
            "still_running": True,
        }
    }
    assert after.response == {"sum": 3}  # the connection survived the timeout


async def test_a_changed_tool_list_reaches_the_next_run(
    workshop: Workshop, emulator: Emulator
) -> None:
    emulator.script([[call("grow")], "Grown.", [call("extra")], "Extra ran."])
    async with workshop.stdio() as server:
        agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[server])
        await agent.run("grow")
        await eventually(lambda: "extra" in server.names)
        result = await agent.run("use the new tool")
    assert result.text == "Extra ran."
    first_run = [d["name"] for d in emulator.requests[0].json["tools"][0]["functionDeclarations"]]
    second_run = [d["name"] for d in emulator.requests[2].json["tools"][0]["functionDeclarations"]]
    assert "extra" not in first_run and second_run == [*first_run, "extra"]
    assert emulator.rejections == []


async def test_two_servers_in_one_parallel_turn(workshop: Workshop, emulator: Emulator, tmp_path: Any) -> None:
    other = Workshop(tmp_path / "other")
    other.root.mkdir()
    emulator.script([[call("a_add", a=1, b=2), call("b_add", a=10, b=20)], "3 and 30."])
    async with workshop.stdio() as first, other.stdio() as second:
        agent = Agent(
            Gemini("gemini-2.5-flash", base_url=emulator.url),
            tools=[first.prefixed("a_"), second.prefixed("b_")],
        )
        result = await agent.run("add on both")
    assert result.text == "3 and 30."
    assert responses(emulator.requests[1].json) == [
        {"name": "a_add", "response": {"sum": 3}},
        {"name": "b_add", "response": {"sum": 30}},
    ]
    assert workshop.calls == ["add [('a', 1), ('b', 2)]"]
    assert other.calls == ["add [('a', 10), ('b', 20)]"]


async def test_destructive_tools_need_confirmation_unless_the_user_opts_out(workshop: Workshop) -> None:
    async with workshop.stdio() as guarded:
        assert guarded.get("wipe").needs_confirmation({})  # type: ignore[union-attr]
        assert not guarded.get("add").needs_confirmation({"a": 1, "b": 2})  # type: ignore[union-attr]
    async with workshop.stdio(confirm_destructive=False, requires_confirmation={"note/write"}) as chosen:
        assert not chosen.get("wipe").needs_confirmation({})  # type: ignore[union-attr]
        assert chosen.get("note_write").needs_confirmation({"note": {"title": "x"}})  # type: ignore[union-attr]
    rule = lambda name, args: name == "add" and args["a"] > 100  # noqa: E731
    async with workshop.stdio(requires_confirmation=rule) as predicate:
        add = predicate.get("add")
        assert add is not None
        assert add.needs_confirmation({"a": 101, "b": 0}) and not add.needs_confirmation({"a": 1, "b": 0})


async def test_a_server_that_cannot_start_names_itself_and_the_reason() -> None:
    toolset = MCPToolset.stdio("/no/such/server", "--flag", name="ghost")
    with pytest.raises(MCPServerError, match=r"^MCP server 'ghost': cannot start it: no such command"):
        async with toolset:
            pass
    with pytest.raises(MCPServerError, match="not connected: open the toolset first"):
        toolset.tools()


async def test_a_server_that_exits_at_once_is_refused_with_what_it_said(
    capfd: pytest.CaptureFixture[str],
) -> None:
    code = "import sys; sys.stderr.write('no config at /etc/quitter.toml\\n'); raise SystemExit(3)"
    toolset = MCPToolset.stdio(sys.executable, "-c", code, name="quitter")
    with pytest.raises(MCPServerError) as refused:
        async with toolset:
            pass
    assert str(refused.value).startswith("MCP server 'quitter': ")
    assert str(refused.value).endswith("; it said on stderr: no config at /etc/quitter.toml")
    assert "quitter.toml" not in capfd.readouterr().err  # kept, not printed over the terminal


async def test_an_agent_opens_its_servers_for_a_run_or_for_its_block(
    workshop: Workshop, emulator: Emulator
) -> None:
    server = workshop.stdio()
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[server.prefixed("w_")])
    assert agent.toolset.names == []  # not open yet: no tools to plan with
    emulator.script([[call("w_add", a=1, b=2)], "3.", [call("w_add", a=2, b=2)], "4.", "Again."])
    first = await agent.run("one")  # opened for the run, closed after it
    assert first.text == "3." and not server.is_open
    assert len(workshop.pids) == 1 and not alive(workshop.pids[0])
    async with agent:  # one server for every run inside the block
        second = await agent.run("two")
        third = await agent.run("three")
        assert server.is_open
    assert (second.text, third.text) == ("4.", "Again.")
    assert len(workshop.pids) == 2 and not alive(workshop.pids[1])
    assert not server.is_open
    assert responses(emulator.requests[1].json) == [{"name": "w_add", "response": {"sum": 3}}]


async def test_a_stream_and_a_chat_open_their_servers_and_close_them_after(
    workshop: Workshop, emulator: Emulator
) -> None:
    emulator.script([[call("add", a=1, b=1)], "2.", [call("add", a=2, b=2)], "4.", "Bye."])
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[workshop.stdio()])
    kinds = [event.kind async for event in agent.stream("one")]
    assert kinds[-1] == "run_finished" and "function_result" in kinds
    assert len(workshop.pids) == 1 and not alive(workshop.pids[0])
    chat = agent.chat()
    assert (await chat.send("two")).text == "4."
    assert len(workshop.pids) == 2 and not alive(workshop.pids[1])
    # A consumer that stops reading at the first event: the server goes with the stream.
    events = agent.stream("three")
    await anext(events)
    assert len(workshop.pids) == 3 and alive(workshop.pids[2])
    await events.aclose()
    assert not alive(workshop.pids[2])


def test_run_sync_opens_and_closes_the_servers(workshop: Workshop, emulator: Emulator) -> None:
    emulator.script([[call("add", a=5, b=5)], "10."])
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[workshop.stdio()])
    assert agent.run_sync("add").text == "10."
    assert len(workshop.pids) == 1 and not alive(workshop.pids[0])


async def test_sampling_is_answered_by_the_model_only_when_the_user_opts_in(
    workshop: Workshop, emulator: Emulator
) -> None:
    emulator.script(["Milk is on the list."])
    model = Gemini("gemini-2.5-flash", base_url=emulator.url)
    async with workshop.stdio(sampling_model=model) as sampling:
        summary = await sampling.get("summarize").invoke({"text": "buy milk"})  # type: ignore[union-attr]
    async with workshop.stdio() as plain:
        refused = await plain.get("summarize").invoke({"text": "buy milk"})  # type: ignore[union-attr]
    assert summary.response == {"output": "summary by gemini-2.5-flash: Milk is on the list."}
    sent = emulator.requests[0].json
    assert sent["contents"] == [{"role": "user", "parts": [{"text": "Summarise: buy milk"}]}]
    assert sent["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert sent["generationConfig"] == {"maxOutputTokens": 64, "temperature": 0.2}
    assert refused.error is not None and refused.error.message == "summarize: this client does not sample"
    assert len(emulator.requests) == 1


async def test_concurrent_runs_share_one_server_until_the_last_ends(
    workshop: Workshop, emulator: Emulator
) -> None:
    # Requests in the order they come: one's call, two's call, two's answer, one's answer.
    emulator.script(
        [[call("block", label="first")], [call("add", a=1, b=2)], "Second done.", "First done."]
    )
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[workshop.stdio()])
    texts: dict[str, str | None] = {}

    async def run(prompt: str) -> None:
        texts[prompt] = (await agent.run(prompt)).text

    async with anyio.create_task_group() as group:
        group.start_soon(run, "one")
        await eventually(lambda: bool(workshop.calls))
        await run("two")  # the first run still holds the server: the second uses it too
        assert texts == {"two": "Second done."} and alive(workshop.pids[0])
        workshop.release()
    assert texts == {"two": "Second done.", "one": "First done."}
    assert len(workshop.pids) == 1 and not alive(workshop.pids[0])
    assert workshop.calls == ["block [('label', 'first')]", "add [('a', 1), ('b', 2)]"]


async def test_a_toolset_opened_twice_at_once_is_refused(workshop: Workshop) -> None:
    server = workshop.stdio(name="workshop")
    errors: list[BaseException] = []

    async def open_and_hold() -> None:
        try:
            async with server:
                await eventually(lambda: bool(errors))
        except MCPServerError as error:
            errors.append(error)

    async with anyio.create_task_group() as group:
        group.start_soon(open_and_hold)
        group.start_soon(open_and_hold)
    assert [str(e) for e in errors] == [
        "MCP server 'workshop': this toolset is already open (or being opened); open it once, "
        "around everything that uses it"
    ]
    assert len(workshop.pids) == 1 and not alive(workshop.pids[0])


async def test_an_mcp_call_is_traced_as_an_extension_with_the_servers_answer(
    workshop: Workshop, emulator: Emulator
) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    emulator.script([[call("add", a=2, b=2), call("fail")], "Done."])
    agent = Agent(
        Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[workshop.stdio()],
        tracer_provider=provider, capture_content=True,
    )
    await agent.run("go")
    executed = sorted(
        (span for span in exporter.get_finished_spans() if span.name.startswith("execute_tool")),
        key=lambda span: span.name,
    )
    assert [(span.name, dict(span.attributes or {})) for span in executed] == [
        ("execute_tool add", {
            "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "add",
            "gen_ai.tool.type": "extension", "gen_ai.tool.call.arguments": '{"a": 2, "b": 2}',
            "gen_ai.tool.call.result": '{"sum": 4}',
        }),
        ("execute_tool fail", {
            "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "fail",
            "gen_ai.tool.type": "extension", "gen_ai.tool.call.arguments": "{}",
            "error.type": "tool_error",
        }),
    ]
