"""Google's built-in tools in an agent: declared next to Python tools where the model takes
both (Gemini 3, asking for server-side tool invocations), refused before sending where it
does not (Gemini 2.x), and what they leave in the answer — sources, code runs — on the
result, in the events and in the CLI transcript."""

from __future__ import annotations

import pytest

from agentkit import Agent, Gemini, tool
from agentkit.agent import CodeExecuted
from agentkit.errors import ConfigurationError
from agentkit.testing import code_run, grounded
from agentkit.testing.emulator import Emulator, call
from agentkit.tools import CodeExecution, GoogleSearch, UrlContext


@tool
def set_light(room: str, brightness: int) -> str:
    """Set a room's light."""
    return f"{room} at {brightness}"


async def test_search_beside_python_tools_on_gemini_3_and_its_sources(emulator: Emulator) -> None:
    answer = grounded(
        "Sunset is at 16:05, so the lights go on at 16:00.",
        [("Sunrise and sunset in Oslo", "https://example.com/oslo-sun"), ("Met office", "https://example.com/met")],
        ["sunset Oslo today"],
    )
    emulator.script([[call("set_light", room="hall", brightness=60)], answer])
    agent = Agent(Gemini("gemini-3-flash-preview", base_url=emulator.url), tools=[set_light, GoogleSearch()])
    result = await agent.run("When is sunset? Light the hall before it.")
    sent = emulator.requests[0].json
    assert sent["tools"] == [
        {"functionDeclarations": sent["tools"][0]["functionDeclarations"]},
        {"googleSearch": {}},
    ]
    assert sent["toolConfig"] == {
        "functionCallingConfig": {"mode": "AUTO"}, "includeServerSideToolInvocations": True,
    }
    assert result.sources == [
        {"title": "Sunrise and sunset in Oslo", "uri": "https://example.com/oslo-sun"},
        {"title": "Met office", "uri": "https://example.com/met"},
    ]
    assert result.steps[1].grounding is not None
    assert result.steps[1].grounding["webSearchQueries"] == ["sunset Oslo today"]
    assert emulator.rejections == []


def test_gemini_2_refuses_built_in_tools_beside_functions_before_anything_is_sent(emulator: Emulator) -> None:
    with pytest.raises(ConfigurationError, match=(
        r"^gemini-2.5-flash cannot combine built-in tools \(google_search, url_context\) with function "
        r"declarations in one request \(Gemini 3 models can\)"
    )):
        Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[set_light, GoogleSearch(), UrlContext()])
    assert emulator.requests == []
    # Alone, built-in tools are fine on Gemini 2.x.
    Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[GoogleSearch()])


async def test_the_emulator_refuses_the_combination_as_gemini_2_does(emulator: Emulator) -> None:
    import httpx

    body = {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "tools": [{"functionDeclarations": [{"name": "f", "parametersJsonSchema": {"type": "object"}}]},
                  {"googleSearch": {}}],
    }
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        refused = await client.post("/v1beta/models/gemini-2.5-flash:generateContent", json=body)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "Tool use with function calling is unsupported"


async def test_code_runs_are_events_records_and_lines_of_the_transcript(emulator: Emulator) -> None:
    emulator.script([code_run("print(2 ** 10)", "1024\n", "2 to the 10th is 1024.")])
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[CodeExecution()])
    events = [event async for event in agent.stream("What is 2**10?")]
    (ran,) = [e for e in events if isinstance(e, CodeExecuted)]
    assert (ran.code, ran.outcome, ran.output) == ("print(2 ** 10)", "OUTCOME_OK", "1024\n")
    result = events[-1].result  # type: ignore[union-attr]
    assert result.code_runs == [
        {"code": "print(2 ** 10)", "language": "PYTHON", "outcome": "OUTCOME_OK", "output": "1024\n"}
    ]
    assert result.text == "2 to the 10th is 1024."
    assert emulator.requests[0].json["tools"] == [{"codeExecution": {}}]
    assert "toolConfig" not in emulator.requests[0].json


def test_the_cli_transcript_prints_code_runs_and_sources() -> None:
    import io

    from rich.console import Console

    from agentkit.agent import RunResult, StepRecord
    from agentkit.cli.render import Transcript

    out = io.StringIO()
    transcript = Transcript(Console(file=out, width=200, color_system=None))
    transcript.event(CodeExecuted(1, "print(2 ** 10)\nprint('done')", "OUTCOME_OK", "1024\n"))
    grounding = {"groundingChunks": [{"web": {"uri": "https://example.com/a", "title": "A page"}}]}
    step = StepRecord(1, "gemini-2.5-flash", "STOP", None, 0.0, 0, grounding=grounding)
    transcript.finished(RunResult("r", "answer", "answer", [], 0, steps=[step]))
    lines = out.getvalue().splitlines()
    assert lines[0] == '  ⚙ ran code print(2 ** 10) → OUTCOME_OK: "1024\\n"'
    assert lines[1] == "  source 1: A page — https://example.com/a"
