"""Human confirmation: approve, deny, pause to JSON, resume."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentkit import Agent, Decision, Gemini
from agentkit.agent import ConfirmationRequest, StopReason
from agentkit.errors import ConfigurationError
from agentkit.testing.emulator import Emulator, call

from .home import Home

UNLOCK_AND_LIGHT = [
    [
        call("unlock_door", call_id="c1", door="front"),
        call("set_light", call_id="c2", room="hall", brightness=80),
    ],
    "Done.",
]


async def test_a_callback_approves(emulator: Emulator) -> None:
    asked: list[ConfirmationRequest] = []

    def confirm(request: ConfirmationRequest) -> bool:
        asked.append(request)
        return True

    emulator.script(UNLOCK_AND_LIGHT)
    home = Home()
    result = await Agent(Gemini(base_url=emulator.url), tools=home.tools(), confirm=confirm).run(
        "Let them in"
    )
    assert not home.locked and home.lights["hall"] == 80
    assert [(a.tool_name, a.args, a.call_id, a.key, a.step) for a in asked] == [
        ("unlock_door", {"door": "front"}, "c1", "c1", 1)
    ]
    assert result.text == "Done."


async def test_an_async_callback_denies_with_a_reason(emulator: Emulator) -> None:
    async def confirm(request: ConfirmationRequest) -> Decision:
        return Decision(False, "nobody is expected")

    emulator.script(UNLOCK_AND_LIGHT)
    home = Home()
    await Agent(Gemini(base_url=emulator.url), tools=home.tools(), confirm=confirm).run(
        "Let them in"
    )
    assert home.locked and home.lights["hall"] == 80
    response = emulator.requests[1].json["contents"][2]["parts"][0]["functionResponse"]
    assert response == {
        "id": "c1",
        "name": "unlock_door",
        "response": {
            "error": {
                "type": "denied",
                "message": "a person declined this call to unlock_door: nobody is expected; it was not executed",
            }
        },
    }


async def test_invalid_arguments_are_never_put_to_a_person(emulator: Emulator) -> None:
    asked: list[ConfirmationRequest] = []
    emulator.script([[call("unlock_door", door="garage")], "Sorry."])
    home = Home()
    await Agent(
        Gemini(base_url=emulator.url), tools=home.tools(), confirm=lambda r: asked.append(r) or True
    ).run("Open")
    assert asked == [] and home.locked


async def test_without_a_callback_the_run_pauses_and_resumes(emulator: Emulator) -> None:
    emulator.script(UNLOCK_AND_LIGHT)
    home = Home()
    agent = Agent(Gemini(base_url=emulator.url), tools=home.tools())
    paused = await agent.run("Let them in")

    assert paused.paused and paused.stop_reason is StopReason.PAUSED
    assert home.locked and home.lights["hall"] == 0  # nothing of the turn ran yet
    state = json.loads(json.dumps(paused.state))  # survives a trip through JSON
    assert state["pending"] == [{"key": "c1", "name": "unlock_door", "args": {"door": "front"}}]

    resumed = await agent.resume(state, {"c1": True})
    assert not home.locked and home.lights["hall"] == 80
    assert resumed.text == "Done." and resumed.stop_reason is StopReason.COMPLETED
    assert [r.name for r in resumed.tool_calls] == ["unlock_door", "set_light"]
    assert resumed.run_id == paused.run_id
    assert emulator.rejections == []


async def test_resume_with_a_denial(emulator: Emulator) -> None:
    emulator.script(UNLOCK_AND_LIGHT)
    home = Home()
    agent = Agent(Gemini(base_url=emulator.url), tools=home.tools())
    paused = await agent.run("Let them in")
    resumed = await agent.resume(paused.state or {}, {"c1": Decision(False, "not now")})
    assert home.locked and resumed.tool_calls[0].error is not None
    assert resumed.tool_calls[0].error["type"] == "denied"


async def test_confirmation_predicate_on_arguments(emulator: Emulator) -> None:
    from agentkit import tool

    @tool(requires_confirmation=lambda args: args["celsius"] > 25)
    def heat(celsius: float) -> float:
        return celsius

    emulator.script([[call("heat", celsius=21)], "ok", [call("heat", celsius=28)]])
    agent = Agent(Gemini(base_url=emulator.url), tools=[heat])
    assert (await agent.run("mild")).stop_reason is StopReason.COMPLETED
    assert (await agent.run("hot")).stop_reason is StopReason.PAUSED


@pytest.mark.parametrize(
    ("state_edit", "decisions", "message"),
    [
        (lambda s: s, {}, "no decision for pending call"),
        (lambda s: s, {"c1": True, "c9": True}, "not pending: c9"),
        (lambda s: {**s, "version": 99}, {"c1": True}, "not an agentkit run state"),
        (lambda s: {k: v for k, v in s.items() if k != "history"}, {"c1": True}, "signature does not match"),
        (lambda s: {**s, "history": s["history"][:1]}, {"c1": True}, "signature does not match"),
    ],
    ids=["missing", "unknown", "version", "damaged", "no-calls"],
)
async def test_bad_resumes_are_refused(
    emulator: Emulator, state_edit: Any, decisions: dict[str, bool], message: str
) -> None:
    emulator.script(UNLOCK_AND_LIGHT)
    agent = Agent(Gemini(base_url=emulator.url), tools=Home().tools())
    paused = await agent.run("Let them in")
    with pytest.raises(ConfigurationError, match=message):
        await agent.resume(state_edit(paused.state), decisions)


def _forge_door(state: dict[str, Any]) -> dict[str, Any]:
    forged = json.loads(json.dumps(state))
    forged["history"][-1]["parts"][0]["functionCall"]["args"]["door"] = "back"
    forged["pending"][0]["args"]["door"] = "back"
    return forged


def _forge_extra_call(state: dict[str, Any]) -> dict[str, Any]:
    forged = json.loads(json.dumps(state))
    forged["history"][-1]["parts"].append({"functionCall": {"name": "unlock_door", "args": {"door": "garage"}}})
    return forged


@pytest.mark.parametrize("forge", [_forge_door, _forge_extra_call], ids=["other-arguments", "added-call"])
async def test_a_forged_state_cannot_resume(emulator: Emulator, forge: Any) -> None:
    emulator.script(UNLOCK_AND_LIGHT)
    home = Home()
    agent = Agent(Gemini(base_url=emulator.url), tools=home.tools())
    paused = await agent.run("Let them in")
    with pytest.raises(ConfigurationError, match="signature does not match"):
        await agent.resume(forge(paused.state), {"c1": True})
    assert home.locked


async def test_resuming_in_another_agent_needs_the_same_state_key(emulator: Emulator) -> None:
    emulator.script(UNLOCK_AND_LIGHT)
    home = Home()
    first = Agent(Gemini(base_url=emulator.url), tools=home.tools(), state_key=b"shared-secret")
    paused = await first.run("Let them in")
    stranger = Agent(Gemini(base_url=emulator.url), tools=home.tools())
    with pytest.raises(ConfigurationError, match="another state_key"):
        await stranger.resume(paused.state or {}, {"c1": True})
    colleague = Agent(Gemini(base_url=emulator.url), tools=home.tools(), state_key=b"shared-secret")
    resumed = await colleague.resume(paused.state or {}, {"c1": True})
    assert resumed.text == "Done." and not home.locked
