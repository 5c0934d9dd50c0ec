"""The benchmark runner's bookkeeping: turns, ratios, targets and comparisons."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.contenders import EXPECTED, Contender
from benchmarks.run import Settings, measure_all, print_comparison, targets


def counting_contender(name: str, calls: list[str]) -> Contender:
    async def run_once() -> str:
        calls.append(name)
        return EXPECTED

    async def close() -> None:
        calls.append(f"{name} closed")

    return Contender(name, run_once, close)


async def test_contenders_take_turns_and_every_ratio_is_against_the_floor() -> None:
    calls: list[str] = []
    contenders = {
        "floor": counting_contender("floor", calls),
        "agentkit": counting_contender("agentkit", calls),
    }
    settings = Settings(runs=20, concurrent_runs=8, in_flight=4, warmup=1, rounds=2, smoke=True)
    results = await measure_all(contenders, settings)

    # Warm-up, then sequential blocks of ten in turns, then concurrent rounds in turns.
    assert calls[:2] == ["floor", "agentkit"]
    assert calls[2:42] == ["floor"] * 10 + ["agentkit"] * 10 + ["floor"] * 10 + ["agentkit"] * 10
    assert calls[42:58] == (["floor"] * 4 + ["agentkit"] * 4) * 2
    assert calls[58:] == ["floor closed", "agentkit closed"]
    assert set(results) == {"floor", "agentkit"}
    assert (
        results["floor"]["cpu_vs_floor"] == 1.0 and results["floor"]["throughput_vs_floor"] == 1.0
    )
    assert set(results["agentkit"]) == {
        "cpu_ms_per_step",
        "cpu_vs_floor",
        "wall_ms_per_run",
        "concurrent_runs_per_s",
        "throughput_vs_floor",
        "concurrent_cpu_ms_per_step",
    }


async def test_a_contender_with_the_wrong_answer_stops_the_run() -> None:
    async def wrong() -> str:
        return "something else"

    async def close() -> None: ...

    settings = Settings(runs=10, concurrent_runs=2, in_flight=1, warmup=1, rounds=1, smoke=True)
    with pytest.raises(RuntimeError, match="answered 'something else'"):
        await measure_all({"floor": Contender("floor", wrong, close)}, settings)


def results_with(cpu: float, throughput: float, declarations: float) -> dict[str, Any]:
    return {
        "commit": "abc1234",
        "when": "2026-11-21T12:00:00+0000",
        "contenders": {
            "floor": {
                "name": "httpx loop (floor)",
                "cpu_vs_floor": 1.0,
                "throughput_vs_floor": 1.0,
            },
            "agentkit": {
                "name": "agentkit",
                "cpu_vs_floor": cpu,
                "throughput_vs_floor": throughput,
            },
        },
        "declarations": {"best_ms": declarations},
        "import_agentkit_s": 0.003,
        "sync_tools_s": 0.305,
        "streaming_growth": 1.6,
        "mcp_overhead": 1.4,
    }


def test_targets_use_the_paired_ratios() -> None:
    checked = targets(results_with(1.31, 0.79, 49.0), smoke=False)
    assert [(t.name, t.value, t.met) for t in checked] == [
        ("agentkit CPU per step / floor", 1.31, False),
        ("agentkit throughput / floor", 0.79, False),
        ("import agentkit (s)", 0.003, True),
        ("4 x 0.3 s sync tools (s)", 0.305, True),
        ("100 declarations (ms)", 49.0, True),
        ("streaming cost per MB, growth", 1.6, False),
        ("MCP stdio call / bare SDK call", 1.4, False),
    ]
    assert all(t.met for t in targets(results_with(1.31, 0.79, 49.0), smoke=True))


def test_comparison_prints_each_figure_before_and_after(capsys: pytest.CaptureFixture[str]) -> None:
    print_comparison(results_with(1.1, 1.7, 20.0), results_with(1.25, 0.95, 60.0))
    assert capsys.readouterr().out.splitlines() == [
        "",
        "changes since abc1234 (2026-11-21T12:00:00+0000)",
        "  agentkit CPU / floor                          1.25 -> 1.1        (-12 %)",
        "  agentkit throughput / floor                   0.95 -> 1.7        (+79 %)",
        "  100 declarations (ms)                           60 -> 20         (-67 %)",
        "  import agentkit (s)                          0.003 -> 0.003      (+0 %)",
        "  4 x 0.3 s sync tools (s)                     0.305 -> 0.305      (+0 %)",
        "  streaming cost per MB, growth                  1.6 -> 1.6        (+0 %)",
    ]
    print_comparison(results_with(1.1, 1.7, 20.0), {"contenders": {}})
    assert "cannot compare" in capsys.readouterr().out
