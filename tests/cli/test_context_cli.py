"""The context policy in the CLI: a run file's ``[context]`` table, the compaction line in
the transcript and the JSON lines, and a session that keeps the compacted context next to
its whole history, so the next invocation continues from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentkit.cli import main

from .conftest import write_run_file

LONG = "The hall light is at thirty percent and the kitchen is bright. " * 12


def run_file(tmp_path: Path, prompts: int) -> Path:
    turns = "".join(f'[[offline.turns]]\ntext = "{LONG} ({n})"\n' for n in range(prompts))
    listed = ", ".join(f'"question {n}"' for n in range(prompts))
    return write_run_file(
        tmp_path / "talk.toml",
        f"prompts = [{listed}]\n[context]\nmax_tokens = 700\nkeep_last = 2\nsummarize = false\n{turns}",
    )


def test_a_compaction_is_shown_and_recorded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    transcript = tmp_path / "run.jsonl"
    assert main(["run", str(run_file(tmp_path, 6)), "--json", str(transcript)]) == 0
    out = capsys.readouterr().out
    shown = [line for line in out.splitlines() if "context compacted" in line]
    assert shown and all(
        line.startswith("  ⋯ context compacted: ")
        and line.endswith("; the transcript keeps everything")
        and "earlier exchange(s) dropped" in line
        for line in shown
    )
    records = [json.loads(line) for line in transcript.read_text().splitlines()]
    compactions = [r for r in records if r["type"] == "compaction"]
    assert len(compactions) == len(shown)
    assert all(r["tokens_after"] < r["tokens_before"] and r["summary"] is None for r in compactions)


def test_a_session_keeps_the_whole_history_and_the_context_it_continues_from(tmp_path: Path) -> None:
    file = run_file(tmp_path, 6)
    assert main(["run", str(file), "--session", "talk"]) == 0
    saved = json.loads((tmp_path / "sessions" / "talk.json").read_text())
    assert len(saved["history"]) == 12  # everything said
    context = saved["meta"]["context"]
    assert 0 < len(context) < 12 and context[-1] == saved["history"][-1]
    assert main(["run", str(file), "--session", "talk"]) == 0
    again = json.loads((tmp_path / "sessions" / "talk.json").read_text())
    assert len(again["history"]) == 24 and len(again["meta"]["context"]) < 12


def test_context_mistakes_in_a_run_file_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_run_file(tmp_path / "bad.toml", 'prompts = ["x"]\n[context]\nmax_token = 5\n')
    assert main(["run", str(file)]) == 2
    assert capsys.readouterr().err.strip().endswith(
        "unknown key(s) in [context]: max_token; known: max_tokens, keep_last, elide_over, "
        "summarize, keep_first, headroom"
    )
