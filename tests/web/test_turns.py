"""A turn through the real server: what the event stream carries, approvals, stopping."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentkit.sessions import JsonFileStore
from agentkit.toolsets.home import SmartHome
from agentkit.web import WebServer

from .conftest import EventReader, PageClient, served, write_run_file

Web = tuple[WebServer, PageClient, EventReader]


def _types(messages: list[dict[str, Any]]) -> list[str]:
    """The message types in order, runs of streamed text counted once."""
    kinds: list[str] = []
    for message in messages:
        if message["type"] == "text" and kinds and kinds[-1] == "text":
            continue
        kinds.append(message["type"])
    return kinds


def test_a_turn_with_two_parallel_calls_streams_every_event(web: Web, tmp_path: Path) -> None:
    server, client, events = web
    answer = client.send("Set up the living room")
    assert (answer.status_code, answer.json()) == (202, {"sent": True})
    assert events.wait_turn_end()["state"] == "finished"

    assert _types(events.messages) == [
        "session", "home",  # the log of a new session: its transcript (empty), the home
        "user", "turn",
        # Step 1: two calls at once. Their results come together, once both are done; the
        # home is read after each, and the first reading already shows both changes.
        "call", "call", "result", "home", "result", "step",
        "text", "step", "run", "turn",  # step 2: the answer
    ]
    calls = events.of_type("call")
    assert [(c["step"], c["call"], c["name"], c["args"]) for c in calls] == [
        (1, "t1.s1c1", "set_light", {"room": "living room", "brightness": 40}),
        (1, "t1.s1c2", "set_blinds", {"room": "living room", "position": 20}),
    ]
    results = events.of_type("result")
    assert [(r["call"], r["status"]) for r in results] == [
        ("t1.s1c1", "ok"),
        ("t1.s1c2", "ok"),
    ]
    assert results[0]["response"] == {
        "room": "living room", "on": True, "brightness": 40, "color_temperature": "warm"
    }
    # Both were handed to their tools before either finished: they ran side by side.
    first, second = results
    assert first["started_at"] < second["started_at"] + second["duration"]
    assert second["started_at"] < first["started_at"] + first["duration"]
    assert all(0 < r["duration"] < 5 for r in results)

    home = events.of_type("home")[-1]
    assert home["state"]["lights"]["living room"] == {
        "room": "living room", "on": True, "brightness": 40, "color_temperature": "warm"
    }
    assert home["state"]["blinds"]["living room"] == 20
    assert sorted(home["changed"]) == ["blinds.living room", "lights.living room"]

    text = "".join(m["text"] for m in events.of_type("text"))
    assert text == "The living room light is at 40% and its blinds are at 20%."
    steps = events.of_type("step")
    assert [(s["step"], s["calls"]) for s in steps] == [(1, 2), (2, 0)]
    assert all(s["usage"]["prompt"] > 0 and s["cost_usd"] > 0 for s in steps)
    run = events.of_type("run")[0]
    assert run["stop_reason"] == "completed" and (run["steps"], run["tool_calls"]) == (2, 2)
    assert run["usage"]["total"] == sum(s["usage"]["total"] for s in steps)
    assert run["cost_usd"] == sum(s["cost_usd"] for s in steps)
    ids = [m["id"] for m in events.messages]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_the_session_is_saved_after_the_turn(web: Web, tmp_path: Path) -> None:
    server, client, events = web
    client.send("Set up the living room")
    events.wait_turn_end()
    name = events.of_type("session")[0]["name"]
    saved = JsonFileStore(tmp_path / "sessions").load(name)
    assert saved is not None
    assert [c["role"] for c in saved.history] == ["user", "model", "user", "model"]
    assert saved.history[0]["parts"] == [{"text": "Set up the living room"}]
    listed = client.http.get("/api/sessions").json()
    assert listed == {"names": [name], "current": name}


def test_approve_resumes_the_waiting_run_and_the_door_unlocks(web: Web, tmp_path: Path) -> None:
    server, client, events = web
    client.send("Set up the living room")
    events.wait_turn_end(1)
    client.send("Let my friend in")
    events.wait_for(lambda messages: any(m["type"] == "confirm" for m in messages))
    question = events.of_type("confirm")[0]
    assert {k: question[k] for k in ("question", "call", "name", "args")} == {
        "question": "q1", "call": "t2.s1c1", "name": "unlock_door", "args": {"door": "front"}
    }
    home = SmartHome(tmp_path / "home.db")
    assert home.snapshot()["locks"]["front"] is True  # not before a person says so

    answer = client.post("/api/confirm", {"question": "q1", "approved": True})
    assert answer.json() == {"answered": "q1", "approved": True}
    assert events.wait_turn_end(2)["state"] == "finished"
    assert events.of_type("confirmed") == [
        {**events.of_type("confirmed")[0], "question": "q1", "approved": True, "state": "approved"}
    ]
    result = events.of_type("result")[-1]
    assert (result["name"], result["status"]) == ("unlock_door", "ok")
    assert home.snapshot()["locks"]["front"] is False
    assert events.of_type("home")[-1]["state"]["locks"]["front"] is False
    assert events.of_type("home")[-1]["changed"] == ["locks.front"]
    # Answered once: a second answer finds no question.
    again = client.post("/api/confirm", {"question": "q1", "approved": False})
    assert again.status_code == 404


def test_deny_keeps_the_door_locked_and_tells_the_model(tmp_path: Path) -> None:
    turns = """
[[offline.turns]]
calls = [{ name = "unlock_door", args = { door = "back" } }]
[[offline.turns]]
text = "Understood, the back door stays locked."
"""
    with served(str(write_run_file(tmp_path, turns))) as server:
        client, events = PageClient(server), EventReader(server)
        client.send("Open the back door")
        events.wait_for(lambda messages: any(m["type"] == "confirm" for m in messages))
        # While a question waits, no second message is taken.
        busy = client.send("And the garage")
        assert busy.status_code == 409 and "a turn is running" in busy.json()["error"]
        client.post("/api/confirm", {"question": "q1", "approved": False})
        assert events.wait_turn_end()["state"] == "finished"
        server.stop()
        events.close()
        client.close()
    result = events.of_type("result")[0]
    assert (result["status"], result["started_at"]) == ("denied", None)
    assert result["response"] == {
        "error": {
            "type": "denied",
            "message": "a person declined this call to unlock_door: denied in the web view; "
            "it was not executed",
        }
    }
    assert SmartHome(tmp_path / "home.db").snapshot()["locks"]["back"] is True
    assert events.of_type("confirmed")[0]["state"] == "denied"
    assert "".join(m["text"] for m in events.of_type("text")) == (
        "Understood, the back door stays locked."
    )


def test_stop_cancels_a_turn_waiting_for_approval(tmp_path: Path) -> None:
    turns = """
[[offline.turns]]
calls = [{ name = "unlock_door", args = { door = "garage" } }]
[[offline.turns]]
text = "Done."
"""
    with served(str(write_run_file(tmp_path, turns))) as server:
        client, events = PageClient(server), EventReader(server)
        client.send("Open the garage")
        events.wait_for(lambda messages: any(m["type"] == "confirm" for m in messages))
        assert client.post("/api/stop").json() == {"stopped": True}
        assert events.wait_turn_end()["state"] == "stopped"
        assert client.post("/api/confirm", {"question": "q1", "approved": True}).status_code == 404
        assert client.post("/api/stop").json() == {"stopped": False}
        server.stop()
        events.close()
        client.close()
    assert SmartHome(tmp_path / "home.db").snapshot()["locks"]["garage"] is True
    assert events.of_type("notice")[-1]["line"] == (
        "stopped: the conversation keeps the completed steps"
    )


def test_a_reconnecting_page_gets_only_what_it_missed(web: Web) -> None:
    server, client, events = web
    client.send("Set up the living room")
    events.wait_turn_end()
    seen = events.messages[5]["id"]
    later = EventReader(server, after=seen)
    later.wait_for(lambda messages: len(messages) == len(events.messages) - 6)
    assert [m["id"] for m in later.messages] == [m["id"] for m in events.messages[6:]]
    server.stop()
    later.close()


def test_used_up_script_sends_nothing_and_says_so(tmp_path: Path) -> None:
    turns = '[[offline.turns]]\ntext = "Hello."\n'
    with served(str(write_run_file(tmp_path, turns))) as server:
        client, events = PageClient(server), EventReader(server)
        client.send("Hi")
        events.wait_turn_end()
        answer = client.send("Anyone there?")
        server.stop()
        events.close()
        client.close()
    assert answer.status_code == 200
    assert answer.json() == {
        "sent": False,
        "notice": "offline, answers are scripted and the script's 1 turn is used up, so this "
        "message was not sent; set GEMINI_API_KEY to talk to gemini-2.5-flash (or type exit)",
    }
    assert events.of_type("notice")[-1]["line"] == answer.json()["notice"]
    assert [m["text"] for m in events.of_type("user")] == ["Hi"]


def test_bad_requests_get_one_line(web: Web) -> None:
    server, client, events = web
    cases = [
        (client.send(""), 400, "type a message first: text must be a non-empty string"),
        (client.post("/api/confirm", {"question": "q9"}), 400,
         'give {"question": "q1", "approved": true or false}'),
        (client.post("/api/confirm", {"question": "q9", "approved": True}), 404,
         "no question q9 is waiting (answered already?)"),
        (client.post("/api/sessions/open", {"name": "nope"}), 404, "no session named 'nope'"),
        (client.post("/api/sessions/new", {"name": "../etc"}), 400,
         "invalid session name '../etc': use letters, digits, '_', '.', '-' (at most 100)"),
        (client.http.post("/api/send", content="text=hi",
                          headers={"content-type": "application/x-www-form-urlencoded"}),
         415, "send JSON (Content-Type: application/json)"),
        (client.http.post("/api/send", content="{", headers={"content-type": "application/json"}),
         400, "the body is not valid JSON"),
    ]
    cases.append((client.http.get("/static/app.py"), 404, "no such file: app.py"))
    assert [(r.status_code, r.json()) for r, _, _ in cases] == [
        (status, {"error": line}) for _, status, line in cases
    ]


def test_info_says_the_model_is_scripted(web: Web) -> None:
    server, client, events = web
    info = client.http.get("/api/info").json()
    assert info["scripted"] is True and info["home"] is True
    assert info["banner"][0].startswith("offline: no API key set — the model's turns are SCRIPTED")
    assert info["banner"][1] == (
        "4 scripted turns, served in order whatever you type; set GEMINI_API_KEY to talk to "
        "gemini-2.5-flash"
    )
    assert info["tools"][:3] == ["home_status", "read_sensor", "set_light"]
    assert json.dumps(info).count("token") == 0
