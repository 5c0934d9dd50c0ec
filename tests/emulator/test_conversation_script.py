"""A per-conversation script: every conversation gets the whole script from its start."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import pytest

from agentkit import Agent, Gemini, tool
from agentkit.errors import BadRequestError, ConfigurationError
from agentkit.testing.emulator import Emulator, call
from agentkit.testing.emulator.script import load_script_file, model_turns
from agentkit.types import Content

from ..conftest import FAST_RETRY

USER = {"role": "user", "parts": [{"text": "Hi"}]}
MODEL = {"role": "model", "parts": [{"text": "Hello"}]}


@tool
def switch_on(room: str) -> str:
    """Switch a room's light on.

    Args:
        room: The room.
    """
    return f"{room} is lit"


SCRIPT = [[call("switch_on", room="kitchen")], "The kitchen is lit.", "Goodbye."]


async def test_ten_conversations_each_get_the_whole_script(emulator: Emulator) -> None:
    emulator.script(SCRIPT, per_conversation=True)
    results: list[list[str | None]] = []

    async def converse() -> None:
        chat = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[switch_on]).chat()
        first = await chat.send("Kitchen light, please.")
        second = await chat.send("Thanks, bye.")
        results.append([first.text, second.text])

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(converse)

    assert results == [["The kitchen is lit.", "Goodbye."]] * 10
    assert len(emulator.requests) == 30 and emulator.rejections == []
    assert emulator.script_remaining == 3


async def test_a_conversation_that_outruns_the_script_is_told_so(emulator: Emulator) -> None:
    emulator.script(["Hello"], per_conversation=True)
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        first = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent", json={"contents": [USER]}
        )
        further = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent",
            json={"contents": [USER, MODEL, USER]},
        )
    assert first.status_code == 200
    assert further.status_code == 400
    assert further.json() == {
        "error": {
            "code": 400,
            "message": "the offline script has 1 turn; this conversation asked for turn 2",
            "status": "FAILED_PRECONDITION",
        }
    }


async def test_the_agent_sees_the_end_of_the_script_as_a_bad_request(emulator: Emulator) -> None:
    emulator.script(["one", "two"], per_conversation=True)
    chat = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url, retry=FAST_RETRY)).chat()
    assert (await chat.send("a")).text == "one"
    assert (await chat.send("b")).text == "two"
    with pytest.raises(BadRequestError) as caught:
        await chat.send("c")
    assert str(caught.value) == (
        "400 FAILED_PRECONDITION: the offline script has 2 turns; this conversation asked for "
        "turn 3"
    )


def test_consecutive_model_contents_are_one_turn() -> None:
    history = [
        Content.model_validate(c)
        for c in (USER, MODEL, MODEL, USER, MODEL, {"role": "user", "parts": [{"text": "?"}]})
    ]
    assert model_turns(history) == 2
    assert model_turns([]) == 0


# -- script files ---------------------------------------------------------------------------


def test_a_json_script_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text('["Hi", [{"text": "a"}, {"text": "b"}]]', encoding="utf-8")
    assert load_script_file(path) == ["Hi", [{"text": "a"}, {"text": "b"}]]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "{path}: no such script file"),
        (b"[1, 2", "{path}: not valid JSON: Expecting ',' delimiter: line 1 column 6 (char 5)"),
        (b'{"a": 1}', "{path}: the script must be a JSON list of answers, not a dict"),
        (b'["ok", 3]', "{path}: answer 2: cannot use int as a scripted model answer"),
        (b"\xff\xfe", "{path}: not UTF-8 text (invalid start byte)"),
    ],
)
def test_an_unusable_script_file_is_one_clear_error(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "answers.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigurationError) as caught:
        load_script_file(path)
    assert str(caught.value) == message.format(path=path)
