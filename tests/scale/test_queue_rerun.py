"""A queued batch run again: failed rows are retried and finished ones skipped, as in a local
batch, and a failure every row would meet (the per-day quota, a bad key) stops the queued
batch with exit 3 and the rest resumable. Worker processes against the emulator (in this
process, on its own port) and the throwaway Postgres."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentkit.testing.emulator import Emulator, EmulatorOptions, Fault
from agentkit.types import GenerateContentRequest

from .conftest import log_lines, wait_until
from .queued import TURNS, Setup

ROWS = 30


@pytest.fixture
def emulator_thread() -> Iterator[Emulator]:
    with Emulator(options=EmulatorOptions(api_key="right-key", strict=False)) as emulator:
        emulator.script(TURNS, per_conversation=True)
        yield emulator


@pytest.fixture
def setup(
    tmp_path: Path, fresh_database: str, effects: Path, emulator_thread: Emulator
) -> Iterator[Setup]:
    made = Setup(tmp_path, fresh_database, emulator_thread, "right-key", ROWS)
    yield made
    made.stop_workers()


def _effects_once(effects: Path) -> Counter[str]:
    """Each tool call's executions: every one ran exactly once (no kill in these tests)."""
    attempts = Counter(line["key"] for line in log_lines(effects / "attempts.log"))
    assert max(attempts.values(), default=1) == 1
    return attempts


def test_a_rerun_retries_the_failed_rows_and_skips_the_finished(
    setup: Setup, effects: Path
) -> None:
    # Three rows' second model call is refused (a 400 about that row: its error line); the
    # rest pass. Their tool calls have run by then, and the retry does not run them again.
    failing = {'"Record n3"', '"Record n7"', '"Record n11"'}

    def answer(request: GenerateContentRequest) -> Any:
        text = request.model_dump_json(exclude_none=True)
        answered = "function_response" in text
        if answered and any(prompt in text for prompt in failing):
            return Fault.http_error(400, "this row is refused", status="INVALID_ARGUMENT")
        return TURNS[1] if answered else TURNS[0]

    setup.emulator.respond_with(answer)
    setup.worker()
    first = setup.batch()
    assert first.wait(timeout=180) == 3, setup.log().read_text()[-2000:]
    rows = setup.rows()
    assert len(rows) == ROWS
    assert sorted(r["id"] for r in rows if r["status"] == "error") == ["r11", "r3", "r7"]
    assert "3 failed, 0 not run" in setup.log().read_text()

    kept = setup.out.read_bytes()
    keeping = setup.batch("--keep-failed")  # the failed rows stay failed: nothing runs
    assert keeping.wait(timeout=120) == 3
    assert setup.out.read_bytes() == kept
    assert "queued 0 rows" in setup.log().read_text()

    failing.clear()  # the server recovers; the rerun retries only the three
    second = setup.batch()
    assert second.wait(timeout=180) == 0, setup.log().read_text()[-2000:]
    rows = setup.rows()
    assert Counter(r["id"] for r in rows) == Counter(f"r{i}" for i in range(ROWS))
    assert {r["status"] for r in rows} == {"ok"}
    log = setup.log().read_text()
    assert "3 failed before and run again" in log and "retried 3" in log
    assert len(_effects_once(effects)) == ROWS

    third = setup.batch()  # everything is finished: nothing is queued, nothing changes
    before = setup.out.read_bytes()
    assert third.wait(timeout=120) == 0
    assert setup.out.read_bytes() == before
    assert "queued 0 rows" in setup.log().read_text()


def test_the_per_day_quota_stops_a_queued_batch_and_the_rerun_finishes_it(
    setup: Setup, effects: Path
) -> None:
    setup.worker()
    first = setup.batch()
    wait_until(lambda: len(setup.rows()) >= 5, 120)
    setup.emulator.inject(Fault.per_day_quota(), times=1_000_000)
    assert first.wait(timeout=180) == 3, setup.log().read_text()[-2000:]
    log = setup.log().read_text()
    assert "stopped: the per-day quota is used up until midnight Pacific" in log
    rows = setup.rows()
    assert 5 <= len(rows) < ROWS and {r["status"] for r in rows} == {"ok"}

    setup.emulator.reset()  # midnight Pacific
    setup.emulator.script(TURNS, per_conversation=True)
    second = setup.batch()
    assert second.wait(timeout=180) == 0, setup.log().read_text()[-2000:]
    rows = setup.rows()
    assert Counter(r["id"] for r in rows) == Counter(f"r{i}" for i in range(ROWS))
    assert {r["status"] for r in rows} == {"ok"}
    # A row stopped after its tool call had run is retried from its recorded steps: the
    # call is not run again.
    assert len(_effects_once(effects)) == ROWS


def test_a_bad_key_stops_a_queued_batch_with_no_line_written(setup: Setup) -> None:
    setup.worker({**setup.env, "GEMINI_API_KEY": "wrong-key"})
    first = setup.batch()
    assert first.wait(timeout=180) == 3, setup.log().read_text()[-2000:]
    assert "stopped: the API key is not valid" in setup.log().read_text()
    assert setup.rows() == []

    setup.stop_workers()
    setup.worker()
    second = setup.batch()
    assert second.wait(timeout=180) == 0, setup.log().read_text()[-2000:]
    assert Counter(r["id"] for r in setup.rows()) == Counter(f"r{i}" for i in range(ROWS))
