"""The spans and metrics of runs, read back from a private provider: the exact tree, names,
kinds and attributes of a two-round parallel run, a failed call, a retry, a streamed run, a
paused and resumed run, and content recorded only on request."""

from __future__ import annotations

import json
from typing import Any

import anyio
from opentelemetry import trace
from opentelemetry.trace import StatusCode

from agentkit import Agent, Gemini, tool
from agentkit.testing.emulator import Emulator, Fault, call

from ..conftest import FAST_RETRY
from .conftest import Traces

KEY = "AIza-test-key-never-in-a-trace"


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@tool
async def lookup(city: str) -> dict[str, Any]:
    """The weather in a city."""
    await anyio.sleep(0)
    return {"city": city, "sky": "clear"}


@tool
def explode(reason: str) -> str:
    """Always fails."""
    raise ValueError(reason)


def agent_for(emulator: Emulator, traces: Traces, tools: list[Any], **options: Any) -> Agent[Any]:
    model = Gemini("gemini-2.5-flash", base_url=emulator.url, api_key=KEY, retry=FAST_RETRY)
    return Agent(
        model, tools=tools, name="helper", tracer_provider=traces.provider,
        meter_provider=traces.meters, **options,
    )


async def test_a_two_round_parallel_run_is_one_tree_of_spans(emulator: Emulator, traces: Traces) -> None:
    emulator.script([
        [call("add", a=1, b=2), call("lookup", city="Oslo")],
        [call("add", a=3, b=4)],
        "Done.",
    ])
    result = await agent_for(emulator, traces, [add, lookup]).run("go")
    assert traces.tree() == [
        "invoke_agent helper [INTERNAL]",
        "  generate_content gemini-2.5-flash [CLIENT]",
        "  execute_tool add [INTERNAL]",
        "  execute_tool lookup [INTERNAL]",
        "  generate_content gemini-2.5-flash [CLIENT]",
        "  execute_tool add [INTERNAL]",
        "  generate_content gemini-2.5-flash [CLIENT]",
    ]
    run = traces.named("invoke_agent")[0]
    port = int(emulator.url.rsplit(":", 1)[1].strip("/"))
    usage = result.usage
    assert dict(run.attributes or {}) == {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.provider.name": "gcp.gemini",
        "gen_ai.request.model": "gemini-2.5-flash",
        "gen_ai.agent.name": "helper",
        "agentkit.run.id": result.run_id,
        "agentkit.run.streamed": False,
        "gen_ai.usage.input_tokens": usage.prompt_tokens,
        "gen_ai.usage.output_tokens": usage.candidates_tokens,
        "agentkit.stop_reason": "completed",
        "agentkit.cost_usd": usage.cost_usd,
    }
    calls = traces.named("generate_content")
    first = dict(calls[0].attributes or {})
    step = result.steps[0].usage
    assert step is not None
    assert first == {
        "gen_ai.operation.name": "generate_content",
        "gen_ai.provider.name": "gcp.gemini",
        "gen_ai.request.model": "gemini-2.5-flash",
        "server.address": "127.0.0.1",
        "server.port": port,
        "gen_ai.response.finish_reasons": ("tool_call",),
        "gen_ai.response.model": "gemini-2.5-flash",
        "gen_ai.response.id": first["gen_ai.response.id"],
        "gen_ai.usage.input_tokens": step.prompt_token_count,
        "gen_ai.usage.output_tokens": step.candidates_token_count,
    }
    assert dict(calls[2].attributes or {})["gen_ai.response.finish_reasons"] == ("stop",)
    tools = traces.named("execute_tool")
    assert [dict(span.attributes or {}) for span in tools] == [
        {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name,
         "gen_ai.tool.type": "function", "gen_ai.agent.name": "helper"}
        for name in ("add", "lookup", "add")
    ]
    assert all(span.status.status_code is StatusCode.UNSET for span in traces.spans)
    # The two calls of the first round overlapped: they ran side by side.
    assert tools[1].start_time < tools[0].end_time  # type: ignore[operator]
    assert tools[0].start_time < tools[1].end_time  # type: ignore[operator]


async def test_metrics_count_tokens_and_time_per_model_call(emulator: Emulator, traces: Traces) -> None:
    emulator.script([[call("add", a=1, b=2)], "Three."])
    result = await agent_for(emulator, traces, [add]).run("go")
    tokens = {
        dict(point.attributes)["gen_ai.token.type"]: (point.count, point.sum)
        for point in traces.points("gen_ai.client.token.usage")
    }
    usage = result.usage
    assert tokens == {"input": (2, usage.prompt_tokens), "output": (2, usage.candidates_tokens)}
    (duration,) = traces.points("gen_ai.client.operation.duration")
    assert duration.count == 2 and dict(duration.attributes)["gen_ai.provider.name"] == "gcp.gemini"
    assert traces.points("gen_ai.client.inference.time_to_first_chunk") == []  # not streamed


async def test_a_failed_call_a_refused_call_and_a_retry_are_visible(emulator: Emulator, traces: Traces) -> None:
    emulator.inject(Fault.http_error(503, "the model is overloaded"))
    emulator.script([[call("explode", reason="no fuel"), call("nosuch")], "It failed."])
    await agent_for(emulator, traces, [explode]).run("go")
    (failed,) = traces.named("execute_tool")
    assert failed.status.status_code is StatusCode.ERROR
    assert dict(failed.attributes or {})["error.type"] == "ValueError"
    assert failed.status.description == "explode raised ValueError: no fuel"
    first_call = traces.named("generate_content")[0]
    assert [(e.name, dict(e.attributes or {})["agentkit.retry.attempt"]) for e in first_call.events] == [
        ("agentkit.retry", 1)
    ]
    run = traces.named("invoke_agent")[0]
    assert [(e.name, dict(e.attributes or {})) for e in run.events] == [
        ("agentkit.call_refused", {"gen_ai.tool.name": "nosuch", "error.type": "unknown_tool"})
    ]


async def test_a_failed_run_ends_its_spans_with_the_error(emulator: Emulator, traces: Traces) -> None:
    emulator.inject(Fault.http_error(400, "bad request"), times=1)
    emulator.script(["never"])
    agent = agent_for(emulator, traces, [add])
    try:
        await agent.run("go")
    except Exception as error:
        raised = type(error).__name__
    run, model_call = traces.named("invoke_agent")[0], traces.named("generate_content")[0]
    for span in (run, model_call):
        assert span.status.status_code is StatusCode.ERROR
        assert dict(span.attributes or {})["error.type"] == raised


async def test_a_streamed_run_records_its_first_chunk(emulator: Emulator, traces: Traces) -> None:
    emulator.script(["A streamed answer in a few words."])
    agent = agent_for(emulator, traces, [add])
    kinds = [event.kind async for event in agent.stream("go")]
    assert kinds[-1] == "run_finished"
    (model_call,) = traces.named("generate_content")
    attributes = dict(model_call.attributes or {})
    assert attributes["gen_ai.request.stream"] is True
    assert 0 < attributes["gen_ai.response.time_to_first_chunk"] < 10
    assert dict(traces.named("invoke_agent")[0].attributes or {})["agentkit.run.streamed"] is True
    (first_chunk,) = traces.points("gen_ai.client.inference.time_to_first_chunk")
    assert first_chunk.count == 1


async def test_a_stream_abandoned_early_still_ends_its_spans(emulator: Emulator, traces: Traces) -> None:
    emulator.script(["word " * 200])
    events = agent_for(emulator, traces, [add]).stream("go")
    async for event in events:
        if event.kind == "text":
            break
    await events.aclose()
    run = traces.named("invoke_agent")[0]
    assert dict(run.attributes or {})["agentkit.stop_reason"] == "abandoned"
    assert len(traces.named("generate_content")) == 1  # ended, so exported


async def test_a_tools_own_spans_nest_under_its_call_also_from_a_thread(
    emulator: Emulator, traces: Traces
) -> None:
    tracer = traces.provider.get_tracer("the-tools")

    @tool
    def fetch_sync(page: int) -> str:
        """Fetch a page (a sync tool: it runs in a worker thread)."""
        with tracer.start_as_current_span(f"http GET /page/{page}"):
            return "ok"

    @tool
    async def fetch_async(page: int) -> str:
        """Fetch a page (async)."""
        with tracer.start_as_current_span(f"http GET /async/{page}"):
            await anyio.sleep(0)
            return "ok"

    emulator.script([[call("fetch_sync", page=1), call("fetch_async", page=2), call("fetch_sync", page=3)], "Ok."])
    outer = traces.provider.get_tracer("app")
    with outer.start_as_current_span("request /chat"):
        await agent_for(emulator, traces, [fetch_sync, fetch_async]).run("go")
    assert traces.tree() == [
        "request /chat [INTERNAL]",
        "  invoke_agent helper [INTERNAL]",
        "    generate_content gemini-2.5-flash [CLIENT]",
        "    execute_tool fetch_sync [INTERNAL]",
        "      http GET /page/1 [INTERNAL]",
        "    execute_tool fetch_async [INTERNAL]",
        "      http GET /async/2 [INTERNAL]",
        "    execute_tool fetch_sync [INTERNAL]",
        "      http GET /page/3 [INTERNAL]",
        "    generate_content gemini-2.5-flash [CLIENT]",
    ]
    assert trace.get_current_span() is trace.INVALID_SPAN  # nothing left attached


async def test_a_resumed_run_links_to_the_paused_one_and_confirmations_show(
    emulator: Emulator, traces: Traces
) -> None:
    @tool(requires_confirmation=True)
    def unlock(door: str) -> str:
        """Unlock a door."""
        return f"{door} unlocked"

    emulator.script([[call("unlock", door="front")], "Unlocked."])
    agent = agent_for(emulator, traces, [unlock])
    paused = await agent.run("let them in")
    assert paused.state is not None
    resumed = await agent.resume(paused.state, {"0": True})
    assert resumed.text == "Unlocked."
    first, second = traces.named("invoke_agent")
    assert [e.name for e in first.events] == ["agentkit.paused"]
    assert dict(first.attributes or {})["agentkit.stop_reason"] == "paused"
    (link,) = second.links
    assert link.context.trace_id == first.context.trace_id
    assert link.context.span_id == first.context.span_id
    assert [(e.name, dict(e.attributes or {})) for e in second.events] == [
        ("agentkit.confirmation", {"gen_ai.tool.name": "unlock", "agentkit.approved": True})
    ]


async def test_content_is_recorded_only_when_asked_and_the_key_never(
    emulator: Emulator, traces: Traces, monkeypatch: Any
) -> None:
    emulator.script([[call("add", a=1, b=2)], "Three."], per_conversation=True)
    await agent_for(emulator, traces, [add], instructions="Be brief.").run("add 1 and 2")
    quiet = json.dumps([dict(span.attributes or {}) for span in traces.spans], default=str)
    assert "add 1 and 2" not in quiet and "gen_ai.input.messages" not in quiet
    traces.exporter.clear()
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    await agent_for(emulator, traces, [add], instructions="Be brief.").run("add 1 and 2")
    first = dict(traces.named("generate_content")[0].attributes or {})
    assert json.loads(first["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "add 1 and 2"}]}
    ]
    assert json.loads(first["gen_ai.system_instructions"]) == [{"type": "text", "content": "Be brief."}]
    assert json.loads(first["gen_ai.output.messages"]) == [
        {"role": "assistant", "parts": [{"type": "tool_call", "name": "add", "arguments": {"a": 1, "b": 2}}]}
    ]
    (executed,) = traces.named("execute_tool")
    assert dict(executed.attributes or {})["gen_ai.tool.call.arguments"] == '{"a": 1, "b": 2}'
    assert dict(executed.attributes or {})["gen_ai.tool.call.result"] == '{"output": 3}'
    second = dict(traces.named("generate_content")[1].attributes or {})
    assert json.loads(second["gen_ai.input.messages"])[2] == {
        "role": "user",
        "parts": [{"type": "tool_call_response", "response": {"output": 3}}],
    }
    everything = json.dumps(
        [[dict(s.attributes or {}), [dict(e.attributes or {}) for e in s.events]] for s in traces.spans],
        default=str,
    )
    assert KEY not in everything


async def test_a_compaction_is_an_event_of_the_runs_span(emulator: Emulator, traces: Traces) -> None:
    from agentkit.agent import ContextPolicy

    emulator.script(["Fine."])
    history = []
    for n in range(12):
        history += [{"role": "user", "parts": [{"text": f"question {n}: " + "words " * 40}]},
                    {"role": "model", "parts": [{"text": "answer " * 40}]}]
    policy = ContextPolicy(max_tokens=600, keep_last=2, summarize=False)
    await agent_for(emulator, traces, [add], context=policy).run("and now?", history=history)
    run = traces.named("invoke_agent")[0]
    (event,) = [e for e in run.events if e.name == "agentkit.compaction"]
    attributes = dict(event.attributes or {})
    assert attributes["agentkit.removed_exchanges"] > 0 and attributes["agentkit.summarised"] is False
    assert attributes["agentkit.tokens_after"] < attributes["agentkit.tokens_before"]
    (call_span,) = traces.named("generate_content")
    assert dict(call_span.attributes or {})["gen_ai.conversation.compacted"] is True
