"""Security: the API key appears in no output; confirmation cannot be bypassed; arguments are
data, never code."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from agentkit import Agent, Decision, Gemini
from agentkit.agent import ConfirmationRequest, StopReason
from agentkit.cli import main
from agentkit.cli.runfile import load_run_file
from agentkit.testing.emulator import Emulator, EmulatorOptions, call

from ..agent.home import Home

ROOT = Path(__file__).resolve().parents[2]
SENTINEL = "AIzaSy-SENTINEL-4f0c2b-do-not-leak-0123456789"


def _all_outputs(tmp_path: Path, captured: Any) -> str:
    texts = [captured.out, captured.err]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            texts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(texts)


def test_a_live_cli_run_never_writes_the_key_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = load_run_file(ROOT / "examples" / "home.toml").offline_turns
    with Emulator(script=list(script or ()), options=EmulatorOptions(api_key=SENTINEL)) as emulator:
        monkeypatch.setenv("GEMINI_API_KEY", SENTINEL)
        monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.url)
        monkeypatch.setenv("AGENTKIT_HOME_DB", str(tmp_path / "home.db"))
        monkeypatch.setenv("AGENTKIT_SESSIONS", str(tmp_path / "sessions"))
        monkeypatch.chdir(ROOT)
        code = main(["--log-level", "debug", "run", "examples/home.toml", "--json", str(tmp_path / "t.jsonl"), "--session", "s", "--approve"])
        assert code == 0
        assert all(r.headers["x-goog-api-key"] == SENTINEL for r in emulator.requests)  # it was used
    captured = capsys.readouterr()
    everything = _all_outputs(tmp_path, captured)
    assert f"not Google's endpoint: gemini-2.5-flash at {emulator.url}/" in captured.err
    assert "model.request" in captured.err  # debug logging was on
    assert len(everything) > 10_000
    assert SENTINEL not in everything
    assert SENTINEL[-12:] not in everything


def test_a_rejected_key_is_not_echoed_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Emulator(script=["never"], options=EmulatorOptions(api_key="the-right-key-000000")) as emulator:
        monkeypatch.setenv("GEMINI_API_KEY", SENTINEL)
        monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.url)
        monkeypatch.setenv("AGENTKIT_HOME_DB", str(tmp_path / "home.db"))
        monkeypatch.chdir(ROOT)
        assert main(["--log-level", "debug", "run", "examples/home.toml"]) == 3
    captured = capsys.readouterr()
    assert "API key not valid" in captured.err
    assert SENTINEL not in _all_outputs(tmp_path, captured)


# -- confirmation cannot be bypassed ----------------------------------------------------------


async def test_other_casing_is_another_name(emulator: Emulator) -> None:
    home = Home()
    emulator.script([[call("Unlock_Door", door="front"), call("UNLOCK_DOOR", door="front")], "Hmm."])
    result = await Agent(Gemini(base_url=emulator.url), tools=home.tools(), confirm=lambda r: True).run("open")
    assert home.locked
    assert [c.error["type"] for c in result.tool_calls if c.error] == ["unknown_tool", "unknown_tool"]


async def test_extra_arguments_cannot_smuggle_an_approval(emulator: Emulator) -> None:
    home = Home()
    asked: list[ConfirmationRequest] = []
    emulator.script([[call("unlock_door", door="front", confirmed=True, requires_confirmation=False)], "Hmm."])
    result = await Agent(Gemini(base_url=emulator.url), tools=home.tools(), confirm=lambda r: asked.append(r) or True).run("open")
    assert home.locked and asked == []
    assert result.tool_calls[0].error is not None and result.tool_calls[0].error["type"] == "invalid_arguments"


async def test_parallel_duplicates_each_need_their_own_decision(emulator: Emulator) -> None:
    home = Home()
    unlocks: list[str] = []
    original = home.unlock_door.fn

    def counting(door: str) -> str:
        unlocks.append(door)
        return str(original(door))

    home.unlock_door.fn = counting
    emulator.script([[call("unlock_door", call_id="c1", door="front"), call("unlock_door", call_id="c2", door="front")], "One opened."])
    agent = Agent(Gemini(base_url=emulator.url), tools=home.tools())
    paused = await agent.run("open twice")
    assert [p["key"] for p in (paused.state or {})["pending"]] == ["c1", "c2"]
    with pytest.raises(Exception, match="no decision for pending call"):
        await agent.resume(paused.state or {}, {"c1": True})
    resumed = await agent.resume(paused.state or {}, {"c1": True, "c2": Decision(False, "once is enough")})
    assert unlocks == ["front"]
    assert [c.ok for c in resumed.tool_calls] == [True, False]
    assert resumed.stop_reason is StopReason.COMPLETED


# -- arguments are data, never code -------------------------------------------------------------

FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}


def test_no_eval_or_exec_anywhere_in_the_code() -> None:
    offenders = []
    for folder in ("agentkit", "tools", "examples", "benchmarks", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                # The builtins, called by name (re.compile and friends are not code evaluation).
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    name = node.func.id
                    if name in FORBIDDEN_CALLS:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}()")
    assert offenders == []


async def test_arguments_that_look_like_code_stay_strings(tmp_path: Path) -> None:
    from agentkit.toolsets.calc import calculate
    from agentkit.toolsets.home import SmartHome

    home = SmartHome(tmp_path / "h.db")
    payload = "__import__('os').system('touch /tmp/agentkit-pwned')"
    result = await home.set_light.invoke({"room": payload, "on": True})
    assert result.error is not None and "unknown room" in result.error.message
    calc = await calculate.invoke({"expression": payload})
    assert calc.error is not None and "not allowed" in calc.error.message
    assert not Path("/tmp/agentkit-pwned").exists()
    db = sqlite3.connect(tmp_path / "h.db")
    assert db.execute("SELECT count(*) FROM lights").fetchone() == (5,)  # no injected rows either


def test_a_tool_file_reached_outside_the_named_paths_is_announced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "evil.py").write_text("from agentkit import tool\n@tool\ndef grab() -> str:\n    return 'x'\n")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    run_file = run_dir / "r.toml"
    run_file.write_text('prompts = ["x"]\ntools = ["../elsewhere/evil.py"]\ntool_paths = ["."]\n[[offline.turns]]\ntext = "x"\n')
    assert main(["run", str(run_file)]) == 0
    err = capsys.readouterr().err
    assert "note: tools '../elsewhere/evil.py' come from" in err
    assert "outside this run's tool_paths" in err
