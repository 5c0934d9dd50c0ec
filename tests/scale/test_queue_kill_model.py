"""A worker killed with SIGKILL while one of its rows waits for a model call: another worker
finishes that row from its recorded steps. Every input ends exactly once, the completed tool
call is not run again, the interrupted call is sent again byte for byte, and the row's line
is what an uninterrupted row's is."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from agentkit.testing.emulator import Emulator, EmulatorOptions
from agentkit.types import GenerateContentRequest

from .conftest import kill_hard, log_lines
from .queued import TURNS, Setup

ROWS = 12
HELD = '"Record n5"'  # the row whose second model call is in flight at the kill


def test_a_worker_killed_during_a_model_call_loses_and_repeats_nothing(
    tmp_path: Path, fresh_database: str, effects: Path
) -> None:
    held, release = threading.Event(), threading.Event()

    async def answer(request: GenerateContentRequest) -> Any:
        text = request.model_dump_json(exclude_none=True)
        answered = "function_response" in text
        if answered and HELD in text and not held.is_set():
            held.set()  # the call is at the server: the worker waits for its answer
            while not release.is_set():
                await asyncio.sleep(0.01)
        return TURNS[1] if answered else TURNS[0]

    with Emulator(options=EmulatorOptions(strict=False)) as emulator:
        emulator.respond_with(answer)
        setup = Setup(tmp_path, fresh_database, emulator, "any-key", ROWS)
        batch = None
        try:
            setup.worker(concurrency=1)  # one row at a time: only the held one is in flight
            batch = setup.batch()
            assert held.wait(timeout=120), setup.log().read_text()[-2000:]
            kill_hard(setup.workers[0])
            release.set()
            setup.worker()  # sees w0's lock free and takes its row over
            assert batch.wait(timeout=180) == 0, setup.log().read_text()[-2000:]
        finally:
            release.set()
            setup.stop_workers_alive()
            if batch is not None and batch.poll() is None:
                batch.terminate()
                batch.wait(timeout=60)
        held_calls = [
            r.body
            for r in emulator.requests
            if b"functionResponse" in r.body and HELD.encode() in r.body
        ]

    rows = {row["id"]: row for row in setup.rows()}
    assert len(setup.rows()) == ROWS and set(rows) == {f"r{i}" for i in range(ROWS)}
    assert {row["status"] for row in rows.values()} == {"ok"}
    # The interrupted call went out again exactly as it had, and only that call did.
    assert len(held_calls) == 2 and held_calls[0] == held_calls[1]
    # Each tool call ran once: the held row's had completed before the kill.
    attempts = Counter(line["key"] for line in log_lines(effects / "attempts.log"))
    assert len(attempts) == ROWS and set(attempts.values()) == {1}
    # The held row's line is an uninterrupted row's, but for its own id and item.
    line = json.dumps(rows["r5"]).replace("r5", "r6").replace("n5", "n6")
    assert json.loads(line) == rows["r6"]
