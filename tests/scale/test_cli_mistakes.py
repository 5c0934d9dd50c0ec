"""Durable and queue options used wrongly: one line on stderr, exit 2, nothing started."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentkit.cli import main

RUN_FILE = 'model = "gemini-2.5-flash"\nprompt = "Hi {prompt}"\n[[offline.turns]]\ntext = "Hello."\n'


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--db", "sqlite:///x.sqlite"], "error: --db is an option of durable runs: add --durable"),
        (["--run-id", "r"], "error: --run-id is an option of durable runs: add --durable"),
        (
            ["--durable", "--session", "s"],
            "error: --durable and --session both keep the run; give one of them",
        ),
        (
            ["--durable", "--db", "mysql://x"],
            "error: 'mysql' databases are not supported for durable runs: give sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE",
        ),
    ],
)
def test_run_option_mistakes(
    args: list[str], said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file = tmp_path / "run.toml"
    run_file.write_text(RUN_FILE)
    assert main(["run", str(run_file), *args]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == said


def test_a_queue_must_be_postgres(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_file = tmp_path / "run.toml"
    run_file.write_text(RUN_FILE)
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"id": 1, "prompt": "x"}\n')
    code = main(
        [
            "batch",
            str(run_file),
            "--inputs",
            str(inputs),
            "--out",
            str(tmp_path / "o"),
            "--queue",
            "sqlite:///q.sqlite",
        ]
    )
    assert code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "error: --queue sqlite:///q.sqlite: the queue lives in Postgres; give "
        "postgresql://USER@HOST:PORT/DB"
    )
