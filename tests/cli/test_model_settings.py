"""A run file whose settings its model refuses fails before any request: exit 2, one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentkit.cli import main

from .conftest import write_run_file


@pytest.mark.parametrize(
    ("settings", "line"),
    [
        (
            'model = "gemini-2.5-pro"\nthinking = { thinking_budget = 0 }\n',
            "[thinking] thinking_budget: gemini-2.5-pro does not accept thinking_budget=0 "
            "(allowed: 128 to 32768, or -1 (dynamic); thinking cannot be turned off on this "
            "model)",
        ),
        (
            'model = "gemini-2.5-flash"\ntemperature = 2.5\n',
            "temperature: gemini-2.5-flash does not accept temperature=2.5 (allowed: 0.0 to 2.0)",
        ),
        (
            'model = "gemini-3-pro-preview"\nthinking = { thinking_level = "MEDIUM" }\n',
            "[thinking] thinking_level: gemini-3-pro-preview does not accept "
            "thinking_level='MEDIUM' (allowed: LOW, HIGH)",
        ),
    ],
    ids=["pro-budget-0", "temperature", "pro-3-level"],
)
def test_refused_settings_exit_2_naming_model_setting_and_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: str, line: str
) -> None:
    run_file = write_run_file(
        tmp_path / "settings.toml", settings + 'prompts = ["Hi"]\n[[offline.turns]]\ntext = "Hi."\n'
    )
    assert main(["run", str(run_file)]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"error: {run_file}: {line}"]  # the only line
    assert out == ""


def test_a_batch_whose_setting_its_model_refuses_touches_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file = write_run_file(
        tmp_path / "hot.toml", 'temperature = 5.0\n[[offline.turns]]\ntext = "Hi."\n'
    )
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(f'{{"id": {n}, "prompt": "hi"}}\n' for n in range(3)))
    out_file = tmp_path / "results" / "out.jsonl"
    code = main(["batch", str(run_file), "--inputs", str(inputs), "--out", str(out_file)])
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {run_file}: temperature: gemini-2.5-flash does not accept temperature=5.0 "
        "(allowed: 0.0 to 2.0)"
    ]
    assert not out_file.parent.exists()
