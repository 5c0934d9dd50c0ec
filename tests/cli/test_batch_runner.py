"""The batch's workers: rows in input order, at most N at once, and nothing after a stop."""

from __future__ import annotations

from typing import Any

import anyio

from agentkit.cli.batch.runner import Stop, run_rows
from agentkit.errors import RateLimitError


async def test_rows_run_in_input_order_at_most_n_at_once() -> None:
    running, most, started = 0, 0, []

    async def run_one(item: dict[str, Any]) -> dict[str, Any]:
        nonlocal running, most
        started.append(item["id"])
        running += 1
        most = max(most, running)
        await anyio.sleep(0)
        running -= 1
        return {"id": item["id"], "status": "ok"}

    written: list[Any] = []
    rows = [{"id": n} for n in range(7)]
    assert await run_rows(rows, 3, run_one, lambda record: written.append(record["id"])) is None
    assert (started, most, sorted(written)) == (list(range(7)), 3, list(range(7)))


async def test_after_a_stop_no_row_starts_and_a_cancelled_rows_failure_is_not_written() -> None:
    quota = RateLimitError(429, "quota", quota_ids=["GenerateRequestsPerDayPerProjectPerModel"])
    in_flight = {"failing": anyio.Event(), "finishing": anyio.Event()}
    started: list[str] = []

    async def run_one(item: dict[str, Any]) -> dict[str, Any] | Stop:
        key = item["id"]
        started.append(key)
        if key in in_flight:
            in_flight[key].set()
            try:
                await anyio.sleep_forever()
            except anyio.get_cancelled_exc_class():
                # One run turns its cancellation into an error (not the row's result: no
                # line); the other finishes just as the stop comes (its line is kept).
                status = "error" if key == "failing" else "ok"
                return {"id": key, "status": status, "error": {"type": "APIConnectionError"}}
        if key == "quota":
            for event in in_flight.values():
                await event.wait()
            return Stop("the per-day quota is used up", quota)
        return {"id": key, "status": "ok"}

    written: list[Any] = []
    rows = [{"id": key} for key in ("failing", "finishing", "quota", "later", "last")]
    with anyio.fail_after(10):
        stop = await run_rows(rows, 3, run_one, lambda record: written.append(record["id"]))
    assert stop == Stop("the per-day quota is used up", quota)
    assert (started, written) == (["failing", "finishing", "quota"], ["finishing"])
