"""The lockstep: a round starts only once every unfinished run waits on its model call,
lists the calls in run order, and answers (or fails) each run's call."""

from __future__ import annotations

import anyio
import pytest

from agentkit.errors import BadRequestError
from agentkit.scale import Lockstep, LockstepModel
from agentkit.types import Content, GenerateContentRequest, GenerateContentResponse


def asking(text: str) -> GenerateContentRequest:
    return GenerateContentRequest(contents=[Content.user(text)])


def said(text: str) -> GenerateContentResponse:
    return GenerateContentResponse.model_validate(
        {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}}]}
    )


async def test_a_round_waits_for_every_unfinished_run_and_lists_them_in_run_order() -> None:
    lockstep = Lockstep(["a", "b", "c"])
    answers: dict[str, str] = {}
    rounds: list[list[str]] = []

    async def run(name: str, delay_rounds: int) -> None:
        for _ in range(delay_rounds):
            await anyio.sleep(0)  # a run busy with its tools for a while
        response = await lockstep.ask(name, asking(name))
        answers[name] = response.text or ""
        lockstep.leave(name)

    async def driver() -> None:
        while (calls := await lockstep.next_round()) is not None:
            rounds.append([call.run for call in calls])
            for call in calls:
                lockstep.answer(call, said(f"to {call.request.contents[0].parts[0].text}"))

    async with anyio.create_task_group() as group:
        group.start_soon(driver)
        group.start_soon(run, "c", 0)
        group.start_soon(run, "a", 5)
        group.start_soon(run, "b", 2)
    assert rounds == [["a", "b", "c"]]  # one round, not three: it waited for the slowest
    assert answers == {"a": "to a", "b": "to b", "c": "to c"}


async def test_a_run_that_leaves_lets_the_others_go_on_and_a_failed_call_raises_in_its_run() -> None:
    lockstep = Lockstep(["done-early", "asks", "refused"])
    lockstep.leave("done-early")
    outcome: dict[str, object] = {}

    async def run(name: str) -> None:
        model = LockstepModel(lockstep, name, type("M", (), {"name": "gemini-2.5-flash"})())
        try:
            outcome[name] = (await model.generate(asking(name))).text
        except BadRequestError as error:
            outcome[name] = error
        lockstep.leave(name)

    async with anyio.create_task_group() as group:
        group.start_soon(run, "asks")
        group.start_soon(run, "refused")
        calls = await lockstep.next_round()
        assert calls is not None and [c.run for c in calls] == ["asks", "refused"]
        lockstep.answer(calls[0], said("fine"))
        lockstep.fail(calls[1], BadRequestError(400, "no", status="INVALID_ARGUMENT"))
        assert await lockstep.next_round() is None
    assert outcome["asks"] == "fine"
    assert isinstance(outcome["refused"], BadRequestError)


async def test_only_unfinished_runs_may_ask() -> None:
    lockstep = Lockstep(["a"])
    lockstep.leave("a")
    with pytest.raises(RuntimeError, match="not one of this lockstep's unfinished runs"):
        await lockstep.ask("a", asking("late"))
