"""The Batch API benchmark's figures: one job per step, the plain run's tokens, half its cost."""

from __future__ import annotations

import pytest

from benchmarks.batch_api import measure


def test_the_batch_run_makes_one_job_per_step_and_costs_half_the_plain_one() -> None:
    results = measure(inputs=10)
    plain, batched = results["plain"], results["batch_api"]
    assert (plain["jobs"], plain["http_requests"]) == (0, 30)  # three model calls a run
    assert batched["jobs"] == 3 and batched["job_names"] == [
        "batches/emu000001",
        "batches/emu000002",
        "batches/emu000003",
    ]
    assert batched["http_requests"] == 6  # a create and (at no delay) one poll per job
    assert batched["total_tokens"] == plain["total_tokens"] > 0
    assert batched["standard_cost_usd"] == pytest.approx(plain["cost_usd"])
    assert batched["cost_usd"] == pytest.approx(plain["cost_usd"] / 2, abs=1e-6)
