"""`agentkit run`: the home run offline, transcripts, sessions, exit codes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from agentkit.cli import main

from .conftest import FIXTURES, write_run_file


def home_state(tmp_path: Path) -> dict[str, object]:
    db = sqlite3.connect(tmp_path / "home.db")
    return {
        "living room": db.execute(
            "SELECT brightness FROM lights WHERE room = 'living room'"
        ).fetchone()[0],
        "hall": db.execute("SELECT brightness FROM lights WHERE room = 'hall'").fetchone()[0],
        "target": db.execute("SELECT target FROM thermostat").fetchone()[0],
        "front locked": bool(
            db.execute("SELECT locked FROM locks WHERE door = 'front'").fetchone()[0]
        ),
        "events": [row[0] for row in db.execute("SELECT tool FROM events ORDER BY id")],
    }


def test_the_home_run_works_offline_and_changes_the_home(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "examples/home.toml"]) == 0
    out, err = capsys.readouterr()
    assert (
        "offline: no API key set — the model's turns are SCRIPTED, served by the strict emulator"
        in err
    )
    assert "(turns from the run file's [offline] section)" in err
    assert "user> It's movie night - set up the living room." in out
    assert '→ apply_scene({"name": "movie night"})' in out
    assert "denied (not interactive; --approve allows it): unlock_door" in out
    assert "unknown room 'hallway'; known rooms: bedroom, hall, kitchen, living room, office" in out
    assert "model> There is no room called hallway, so I dimmed the hall light to 30%." in out
    assert home_state(tmp_path) == {
        "living room": 15,
        "hall": 30,
        "target": 21.5,
        "front locked": True,
        "events": ["apply_scene", "set_thermostat", "set_light"],
    }


def test_approve_flag_lets_the_door_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "examples/home.toml", "--approve"]) == 0
    assert "approved by --approve: unlock_door" in capsys.readouterr().out
    assert home_state(tmp_path)["front locked"] is False


def test_json_transcript(tmp_path: Path) -> None:
    target = tmp_path / "transcript.jsonl"
    assert main(["run", "examples/home.toml", "--json", str(target)]) == 0
    records = [json.loads(line) for line in target.read_text().splitlines()]
    kinds = [r["type"] for r in records]
    assert kinds[:5] == ["user", "function_call", "function_result", "step", "step"]
    assert kinds.count("user") == 4 and kinds.count("run") == 4
    runs = [r for r in records if r["type"] == "run"]
    assert runs[0]["text"].startswith("Movie night is set")
    assert runs[3]["tool_calls"][0]["ok"] is False and runs[3]["tool_calls"][1]["ok"] is True
    assert all(r["usage"]["total_tokens"] > 0 for r in runs)


def test_a_session_keeps_history_across_invocations(tmp_path: Path) -> None:
    run_file = write_run_file(
        tmp_path / "talk.toml",
        'prompts = ["Hello"]\n[[offline.turns]]\ntext = "Hi there."\n',
    )
    assert main(["run", str(run_file), "--session", "talk"]) == 0
    assert main(["run", str(run_file), "--session", "talk"]) == 0
    saved = json.loads((tmp_path / "sessions" / "talk.json").read_text())
    assert [c["role"] for c in saved["history"]] == ["user", "model", "user", "model"]
    assert saved["meta"]["invocation"]["finished"] is True


def test_sessions_in_a_sqlite_database(tmp_path: Path) -> None:
    from agentkit.sessions import SqliteStore

    run_file = write_run_file(tmp_path / "talk.toml", 'prompts = ["Hello"]\n[[offline.turns]]\ntext = "Hi."\n')
    database = tmp_path / "sessions.db"
    for _ in range(2):
        assert main(["run", str(run_file), "--session", "a", "--session-db", str(database)]) == 0
    assert main(["run", str(run_file), "--session", "b", "--session-db", str(database)]) == 0
    store = SqliteStore(database)
    assert store.names() == ["a", "b"]
    saved = store.load("a")
    assert saved is not None and len(saved.history) == 4


def test_a_damaged_session_is_an_error_and_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sessions").mkdir()
    (tmp_path / "sessions" / "s.json").write_text("{oops")
    assert main(["run", "examples/home.toml", "--session", "s"]) == 2
    assert "damaged session file" in capsys.readouterr().err
    assert (tmp_path / "sessions" / "s.json").read_text() == "{oops"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('prompts = ["x"\n', "not valid TOML"),
        ('promts = ["x"]\n', "unknown key(s) promts"),
        (
            'prompts = ["x"]\ntools = ["no.such.module"]\n[[offline.turns]]\ntext = "x"\n',
            "cannot import tools 'no.such.module'",
        ),
        (
            'prompts = ["x"]\n',
            "no GEMINI_API_KEY (or GOOGLE_API_KEY) is set and the run file has no",
        ),
        (
            'prompts = ["x"]\n[limits]\nmodel_calls = 0\n[[offline.turns]]\ntext = "x"\n',
            "Limits.model_calls must be a positive, finite number or None, got 0",
        ),
        (
            'prompts = ["x"]\ntool_mode = "sometimes"\n[[offline.turns]]\ntext = "x"\n',
            "tool_mode must be one of",
        ),
    ],
    ids=["toml", "unknown-key", "tools", "no-model", "limits", "mode"],
)
def test_usage_errors_exit_2_and_say_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    run_file = write_run_file(tmp_path / "bad.toml", body)
    assert main(["run", str(run_file)]) == 2
    assert message in capsys.readouterr().err.replace("\n", " ")


def test_a_limit_stop_exits_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNT_FILE", str(tmp_path / "count"))
    run_file = write_run_file(
        tmp_path / "loop.toml",
        f'prompts = ["go"]\ntools = ["counting_tools.py"]\ntool_paths = ["{FIXTURES}"]\n'
        '[limits]\nmodel_calls = 1\non_limit = "stop"\n'
        '[[offline.turns]]\ncalls = [{ name = "record", args = { label = "a" } }]\n',
    )
    assert main(["run", str(run_file)]) == 4
    assert (tmp_path / "count").read_text() == "a\n"


def test_a_model_failure_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = '[[offline.turns]]\ntext = ""\n' * 3
    run_file = write_run_file(tmp_path / "empty.toml", 'prompts = ["go"]\n' + empty)
    assert main(["run", str(run_file)]) == 3
    assert (
        "ModelBehaviorError: the model's answer stayed unusable after 3 tries: empty answer"
        in capsys.readouterr().err
    )


def test_tools_from_outside_the_named_paths_are_announced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file = write_run_file(
        tmp_path / "t.toml",
        'prompts = ["now?"]\ntools = ["tools.clock"]\n[[offline.turns]]\ntext = "Noon."\n',
    )
    assert main(["run", str(run_file)]) == 0
    err = capsys.readouterr().err
    assert "note: tools 'tools.clock' come from" in err and "outside this run's tool_paths" in err


def test_tools_command_prints_the_request_fragment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tools", "tools.calc"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in printed["functionDeclarations"]] == ["calculate"]
    assert printed["functionDeclarations"][0]["parametersJsonSchema"]["required"] == ["expression"]
    assert main(["tools", "tools.calc", "--dialect", "openapi"]) == 0
    assert (
        json.loads(capsys.readouterr().out)["functionDeclarations"][0]["parameters"]["type"]
        == "OBJECT"
    )


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "run" in capsys.readouterr().err
