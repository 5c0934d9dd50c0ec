"""Every way a tool can fail reaches the model as a structured error, and the run goes on."""

from __future__ import annotations

import threading
from typing import Any

from agentkit import Agent, Gemini, Limits, tool
from agentkit.testing.emulator import Emulator, call

release = threading.Event()


@tool
def explode() -> None:
    """Always fails."""
    raise RuntimeError("disk on fire")


@tool(timeout=0.05)
async def too_slow() -> str:
    """Never finishes in time."""
    import anyio

    await anyio.sleep(5)
    return "late"


@tool(timeout=0.05)
def hangs() -> str:
    """Blocks and ignores cancellation (a thread cannot be interrupted)."""
    release.wait(10)
    return "late"


@tool
def huge() -> dict[str, Any]:
    """Returns far too much."""
    return {"rows": [{"id": n, "text": "x" * 50} for n in range(5000)]}


@tool
def not_json() -> Any:
    """Returns an object JSON cannot hold."""
    return threading.Lock()


@tool
def strict(count: int) -> int:
    """Wants an integer."""
    return count


async def test_tool_faults_become_errors_and_the_run_continues(emulator: Emulator) -> None:
    emulator.script(
        [
            [call("explode"), call("too_slow"), call("hangs"), call("huge"), call("not_json"),
             call("strict", count="many"), call("imaginary_tool", x=1)],
            "I could not do most of that, but I know why.",
        ]
    )
    agent = Agent(
        Gemini(base_url=emulator.url),
        tools=[explode, too_slow, hangs, huge, not_json, strict],
        limits=Limits(tool_result_chars=2_000),
    )
    try:
        result = await agent.run("Try everything")
    finally:
        release.set()
    assert result.text == "I could not do most of that, but I know why."
    sent = [p["functionResponse"]["response"] for p in emulator.requests[1].json["contents"][2]["parts"]]
    assert sent[0]["error"] == {"type": "exception", "message": "explode raised RuntimeError: disk on fire", "exception": "RuntimeError"}
    assert sent[1]["error"]["type"] == "timeout" and sent[2]["error"]["type"] == "timeout"
    marker = sent[3]["truncated"]
    assert (marker["shown_chars"], marker["note"]) == (2000, "the result was too large and was cut; ask for less")
    assert len(sent[3]["output"]) == 2000 and marker["total_chars"] > 300_000
    assert sent[4]["error"]["type"] == "invalid_result"
    assert sent[5]["error"]["type"] == "invalid_arguments" and sent[5]["error"]["errors"][0]["path"] == "count"
    assert sent[6]["error"]["type"] == "unknown_tool"
    assert len(emulator.requests[1].body) < 40_000  # the cap kept the request small
    assert emulator.rejections == []
