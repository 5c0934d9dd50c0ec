"""The measurements ``python -m benchmarks`` runs after the scenario: growth curves and
the batch-scale figures, each from its own module, all driven the same way.

A section measures once, prints its rows, names its targets and gives its figures for the
JSON file. Curve modules (``measure(smoke) -> list[Curve]``) share one adapter, so adding a
curve is one line in ``SECTIONS``; the other modules bring their own printing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from benchmarks import growth_answers, growth_calls, growth_history, import_weight
from benchmarks.growth import Curve, Target, print_curve


@dataclass(frozen=True)
class Section:
    name: str
    measure: Callable[[bool], Any]
    report: Callable[[Any], None]
    targets: Callable[[Any, bool], list[Target]]
    as_json: Callable[[Any], Any]


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


SECTIONS: dict[str, Section] = {
    "history": curves_section("history", growth_history),
    "answers": curves_section("answers", growth_answers),
    "calls": curves_section("calls", growth_calls),
    "import": Section(
        "import", import_weight.measure, import_weight.print_figures, import_weight.targets, _plain
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
        started = time.perf_counter()
        result = section.measure(smoke)
        seconds[name] = round(time.perf_counter() - started, 1)
        section.report(result)
        figures[name] = section.as_json(result)
        checked += section.targets(result, smoke)
    return figures, checked, seconds
