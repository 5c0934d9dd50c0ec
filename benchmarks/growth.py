"""Growth curves: how a cost changes as the work grows, next to the floor's.

A curve is a list of points, one per size (history turns, answer bytes, tools, calls per
turn, runs). Each point holds agentkit's figure and the floor's for the same work, and
google-genai's where it was measured. What matters is the *order* — a cost that is flat in
the size, or grows with it, and how fast — and that is read off the curve itself (the slope
of log cost against log size between its smallest and largest points), so a curve module
only measures and the printing and the order are the same for every curve.

Each curve module (``benchmarks/growth_*.py``) exposes ``measure(smoke: bool) -> Curve`` and
``targets(curve: Curve, smoke: bool) -> list[Target]``; ``benchmarks/run.py`` calls them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Target:
    name: str
    value: float
    limit: float
    smaller_is_better: bool = True

    @property
    def met(self) -> bool:
        return self.value <= self.limit if self.smaller_is_better else self.value >= self.limit


@dataclass
class Point:
    size: int
    agentkit: float
    floor: float
    genai: float | None = None

    @property
    def vs_floor(self) -> float:
        return self.agentkit / self.floor if self.floor else math.inf


@dataclass
class Curve:
    name: str  # "one more step on a long chat"
    size_label: str  # "history turns"
    unit: str  # "client CPU ms per step"
    points: list[Point] = field(default_factory=list)
    note: str = ""
    # Figures measured beside the curve that a target reads (e.g. RSS after the runs ended).
    figures: dict[str, Any] = field(default_factory=dict)

    def order(self, which: str = "agentkit") -> str:
        return order_name(self.slope(which))

    def slope(self, which: str = "agentkit") -> float:
        """d log(cost) / d log(size) between the smallest and the largest point."""
        first, last = self.points[0], self.points[-1]
        low, high = getattr(first, which), getattr(last, which)
        if low is None or high is None or low <= 0 or high <= 0 or last.size == first.size:
            return math.nan
        return math.log(high / low) / math.log(last.size / first.size)

    def point(self, size: int) -> Point:
        return next(p for p in self.points if p.size == size)

    def growth(self, which: str = "agentkit") -> float:
        """Cost at the largest size over the cost at the smallest (1.0 when flat)."""
        low, high = getattr(self.points[0], which), getattr(self.points[-1], which)
        return round(high / low, 2) if low else math.inf

    def as_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "order": self.order(),
            "floor_order": self.order("floor"),
            "slope": round(self.slope(), 2),
        }


def order_name(slope: float) -> str:
    """The nearest of O(1), O(log N)-ish, O(N), O(N log N)-ish, O(N²) for a log-log slope.

    Sizes here span one to three decades, so a slope under 0.2 is flat within noise, and a
    slope near 1 is linear."""
    if math.isnan(slope):
        return "?"
    if slope < 0.2:
        return "O(1)"
    if slope < 0.6:
        return "sublinear"
    if slope < 1.3:
        return "O(N)"
    if slope < 1.7:
        return "O(N^1.5)"
    return "O(N^2)"


def print_targets(checked: list[Target], smoke: bool = False) -> bool:
    """Print each target with its verdict; whether all were met (a module's exit code)."""
    print("\ntargets" + (" (smoke: gross regressions only)" if smoke else ""))
    for target in checked:
        relation = "<=" if target.smaller_is_better else ">="
        verdict = "ok  " if target.met else "MISS"
        print(f"  {verdict} {target.name}: {target.value:.4g} {relation} {target.limit:.4g}")
    return all(target.met for target in checked)


def print_curve(curve: Curve) -> None:
    has_genai = any(p.genai is not None for p in curve.points)
    print(f"\n{curve.name} ({curve.unit}, by {curve.size_label})")
    header = f"{curve.size_label:>16}{'agentkit':>12}{'floor':>12}{'x floor':>9}"
    if has_genai:
        header += f"{'google-genai':>14}"
    print(header)
    for p in curve.points:
        line = f"{p.size:>16,}{p.agentkit:>12.3f}{p.floor:>12.3f}{p.vs_floor:>9.2f}"
        if has_genai:
            line += f"{p.genai:>14.3f}" if p.genai is not None else f"{'-':>14}"
        print(line)
    orders = f"order: agentkit {curve.order()} (slope {curve.slope():.2f})"
    orders += f", floor {curve.order('floor')}"
    if has_genai:
        orders += f", google-genai {curve.order('genai')}"
    print(orders)
    if curve.note:
        print(curve.note)
