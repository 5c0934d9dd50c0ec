"""Sessions in the web view, and a model that is not scripted: the tests' own emulator
stands in for Gemini, so what the model was sent can be read back."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from agentkit import Agent, Gemini
from agentkit.sessions import JsonFileStore, Session
from agentkit.testing.emulator import Emulator, Fault, call
from agentkit.toolsets.home import toolset
from agentkit.web import ConfirmationDesk, WebServer, WebSetup

from .conftest import EventReader, PageClient


@contextlib.contextmanager
def served_over(
    emulator: Emulator, tmp_path: Path, session: str | None = None
) -> Iterator[tuple[WebServer, PageClient, EventReader]]:
    desk = ConfirmationDesk()
    agent = Agent(
        Gemini("gemini-2.5-flash", base_url=emulator.url, api_key="test-key-not-a-secret"),
        tools=[toolset(tmp_path / "home.db")],
        confirm=desk.confirm,
    )
    store = JsonFileStore(tmp_path / "sessions")
    setup = WebSetup(agent, desk, store, ("a test emulator",), session=session)
    with WebServer(setup) as server:
        client, events = PageClient(server), EventReader(server)
        try:
            yield server, client, events
        finally:
            client.close()
            server.stop()
            events.close()


def test_a_session_is_listed_reopened_and_continued(emulator: Emulator, tmp_path: Path) -> None:
    emulator.script(
        [
            [call("set_light", room="kitchen", on=True)],
            "The kitchen light is on.",
            "Hello from the second session.",
            "It is still on.",
        ]
    )
    with served_over(emulator, tmp_path, session="kitchen") as (server, client, events):
        client.send("Kitchen light on")
        events.wait_turn_end(1)
        made = client.post("/api/sessions/new", {"name": "other"})
        assert made.json() == {"current": "other"}
        client.send("Hi")
        events.wait_turn_end(2)
        assert client.http.get("/api/sessions").json() == {
            "names": ["kitchen", "other"],
            "current": "other",
        }
        assert client.post("/api/sessions/new", {"name": "kitchen"}).status_code == 409

        assert client.post("/api/sessions/open", {"name": "kitchen"}).json() == {
            "current": "kitchen"
        }
        events.wait_for(lambda messages: messages[-1]["type"] == "home")
        reopened = events.of_type("session")[-1]
        assert reopened["name"] == "kitchen"
        assert [
            (item["type"], item.get("name") or item.get("text")) for item in reopened["items"]
        ] == [
            ("user", "Kitchen light on"),
            ("call", "set_light"),
            ("result", "set_light"),
            ("text", "The kitchen light is on."),
        ]
        result = reopened["items"][2]
        assert result["status"] == "ok" and result["call"] == reopened["items"][1]["call"]

        client.send("Is it still on?")
        events.wait_turn_end(3)

    # The continued message was sent after the reopened conversation, verbatim.
    sent = emulator.requests[-1].json["contents"]
    assert [content["role"] for content in sent] == ["user", "model", "user", "model", "user"]
    assert sent[0]["parts"] == [{"text": "Kitchen light on"}]
    assert sent[-1]["parts"] == [{"text": "Is it still on?"}]
    assert emulator.rejections == []
    saved = JsonFileStore(tmp_path / "sessions").load("kitchen")
    assert saved is not None and len(saved.history) == 6


def test_an_api_error_is_one_line_on_the_page(emulator: Emulator, tmp_path: Path) -> None:
    emulator.inject(
        Fault.http_error(400, "Request contains an invalid argument.\nSecond line.",
                         status="INVALID_ARGUMENT")
    )
    emulator.script(["Fine now."])
    with served_over(emulator, tmp_path) as (server, client, events):
        client.send("Hello")
        assert events.wait_turn_end(1)["state"] == "failed"
        line = events.of_type("error")[0]["line"]
        client.send("Hello again")
        assert events.wait_turn_end(2)["state"] == "finished"
    assert line == (
        "BadRequestError: 400 INVALID_ARGUMENT: Request contains an invalid argument. Second line."
    )


def test_a_damaged_session_cannot_be_opened_and_says_why(
    emulator: Emulator, tmp_path: Path
) -> None:
    sessions = tmp_path / "sessions"
    JsonFileStore(sessions).save("fine", Session([{"role": "user", "parts": [{"text": "hi"}]}]))
    (sessions / "broken.json").write_text("{not json", encoding="utf-8")
    with served_over(emulator, tmp_path) as (server, client, events):
        answer = client.post("/api/sessions/open", {"name": "broken"})
        opened = client.post("/api/sessions/open", {"name": "fine"})
    assert answer.status_code == 400
    assert "broken" in answer.json()["error"] and "\n" not in answer.json()["error"]
    assert opened.json() == {"current": "fine"}
    assert events.of_type("session")[-1]["items"] == [{"type": "user", "text": "hi"}]


def test_a_session_that_cannot_be_saved_is_said_and_the_turn_goes_on(
    emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "sessions").write_text("a file where the sessions' folder should be")
    emulator.script(["Hello."])
    with served_over(emulator, tmp_path) as (server, client, events):
        client.send("Hi")
        assert events.wait_turn_end(1)["state"] == "finished"
    name = events.of_type("session")[0]["name"]
    lines = {m["line"] for m in events.of_type("error")}
    assert lines == {
        f"the session {name!r} could not be saved: {tmp_path / 'sessions'}: cannot hold "
        "sessions: File exists"
    }
    assert "".join(m["text"] for m in events.of_type("text")) == "Hello."
