"""The targets of the many-runs and batch benchmarks, read off synthetic figures."""

from __future__ import annotations

from benchmarks import batch_cli, growth_runs
from benchmarks.growth import Curve, Point


def curves(rate_low: float, rate_high: float, cpu_low: float, cpu_high: float) -> list[Curve]:
    def curve(agentkit: float, floor: float) -> Curve:
        return Curve(
            "c", "runs", "u", [Point(1000, agentkit, floor), Point(10_000, agentkit, floor)]
        )

    found = [curve(rate_low, 100), curve(cpu_low, 2), curve(cpu_low, 1)]
    found += [curve(rate_high, 50), curve(cpu_high, 4), curve(cpu_high, 1)]
    found[4].figures = {"rss_growth_mb": 3.0, "tasks_left": 0}
    return found


def test_growth_targets_are_throughput_vs_floor_flat_cpu_and_no_growth() -> None:
    checked = growth_runs.targets(curves(120, 40, 1.0, 1.6), smoke=False)
    assert [(t.value, t.limit, t.met) for t in checked] == [
        (1.2, 1.0, True),
        (0.8, 1.0, False),
        (1.6, 1.5, False),
        (3.0, 8, True),
        (0, 0, True),
    ]
    assert all(t.met for t in growth_runs.targets(curves(120, 40, 1.0, 1.6), smoke=True))


def test_batch_targets_hold_agentkit_to_both_raw_loops() -> None:
    result = {"wall_x_floor": 0.4, "cpu_x_floor": 0.3, "wall_x_floor_pooled": 1.1}
    result["cpu_x_floor_pooled"] = 1.3
    checked = batch_cli.targets(result, smoke=False)
    assert [(t.name, t.met) for t in checked] == [
        ("agentkit batch wall time vs raw loop", True),
        ("agentkit batch CPU vs raw loop", True),
        ("agentkit batch wall time vs raw loop + agentkit's pool", True),
        ("agentkit batch CPU vs raw loop + agentkit's pool", False),
    ]
