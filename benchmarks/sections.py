"""The measurements ``python -m benchmarks`` runs after the scenario: growth curves and
the batch-scale figures, each from its own module, all driven the same way.

A section measures once, prints its rows, names its targets and gives its figures for the
JSON file. Curve modules (``measure(smoke) -> list[Curve]``) share one adapter, so adding a
curve is one line in ``SECTIONS``; the other modules bring their own printing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from benchmarks import (
    batch_cli,
    growth_answers,
    growth_calls,
    growth_history,
    growth_runs,
    import_weight,
    queue_workers,
    rate_limit,
    shortcuts,
)
from benchmarks.growth import Curve, Target, print_curve


@dataclass(frozen=True)
class Section:
    name: str
    measure: Callable[[bool], Any]
    report: Callable[[Any], None]
    targets: Callable[[Any, bool], list[Target]]
    as_json: Callable[[Any], Any]
    in_smoke: bool = True  # False: informative, measured by the full run only


def _print_curves(curves: list[Curve]) -> None:
    for curve in curves:
        print_curve(curve)


def curves_section(name: str, module: ModuleType) -> Section:
    return Section(
        name=name,
        measure=module.measure,
        report=_print_curves,
        targets=module.targets,
        as_json=lambda curves: [curve.as_json() for curve in curves],
    )


def _plain(value: Any) -> Any:
    return value


def _print_figures(title: str) -> Callable[[dict[str, Any]], None]:
    def report(figures: dict[str, Any]) -> None:
        print(f"\n{title}")
        for key, value in figures.items():
            shown = json.dumps(value) if isinstance(value, dict) else value
            print(f"  {key}: {shown}")

    return report


def _no_targets(result: Any, smoke: bool) -> list[Target]:
    return []


SECTIONS: dict[str, Section] = {
    "history": curves_section("history", growth_history),
    "answers": curves_section("answers", growth_answers),
    "calls": curves_section("calls", growth_calls),
    "runs": curves_section("runs", growth_runs),
    "import": Section(
        "import", import_weight.measure, import_weight.print_figures, import_weight.targets, _plain
    ),
    "batch_cli": Section(
        "batch_cli",
        batch_cli.measure,
        _print_figures("agentkit batch against a raw loop doing the same requests"),
        batch_cli.targets,
        _plain,
    ),
    "queue": Section(
        "queue", queue_workers.measure, queue_workers.print_rows, queue_workers.targets, _plain
    ),
    "rate_limit": Section(
        "rate_limit", rate_limit.measure, rate_limit.print_rows, rate_limit.targets, _plain
    ),
    # What each shortcut on another library's internals buys, on and off: no target, it
    # says when one has stopped paying and can go.
    "shortcuts": Section(
        "shortcuts",
        shortcuts.measure,
        _print_figures("shortcuts on other libraries' internals, measured on and off"),
        _no_targets,
        _plain,
        in_smoke=False,
    ),
}


def run_sections(
    names: list[str], smoke: bool
) -> tuple[dict[str, Any], list[Target], dict[str, float]]:
    """Measure and print each named section; its figures, its targets, the seconds it took."""
    figures: dict[str, Any] = {}
    checked: list[Target] = []
    seconds: dict[str, float] = {}
    for name in names:
        section = SECTIONS[name]
        if smoke and not section.in_smoke:
            continue
        started = time.perf_counter()
        result = section.measure(smoke)
        seconds[name] = round(time.perf_counter() - started, 1)
        section.report(result)
        figures[name] = section.as_json(result)
        checked += section.targets(result, smoke)
    return figures, checked, seconds
