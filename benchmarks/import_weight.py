"""How long ``from agentkit import Agent, Gemini, tool`` takes in a fresh interpreter.

Each sample is a new ``python -c`` process timing the statement alone (wall and CPU), best
of the repeats; the samples of agentkit and of the floor are interleaved, so a burst of
load on the shared machine hits both alike. The floor: ``import httpx, pydantic``
(the two libraries a run cannot do without; httpx imported as agentkit imports it,
without its command-line client).
Bytecode is compiled first, as ``pip install`` does: without ``__pycache__`` (this
machine sets ``PYTHONDONTWRITEBYTECODE``) each start would also measure compiling ~80
modules. Run alone: ``python -m benchmarks.import_weight``.
"""

from __future__ import annotations

import compileall
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import agentkit
from benchmarks.growth import Target, print_targets

STATEMENT = "from agentkit import Agent, Gemini, tool"
FLOOR = "import agentkit.models.lean_httpx, pydantic"  # httpx as agentkit imports it
FULL_REPEATS, SMOKE_REPEATS = 9, 3
FULL_LIMIT_S, SMOKE_LIMIT_S = 0.2, 0.6

_TIMER = (
    "import time; w = time.perf_counter(); c = time.process_time(); {statement}; "
    "print(time.perf_counter() - w, time.process_time() - c)"
)


def _sample(statement: str) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, "-c", _TIMER.format(statement=statement)],
        capture_output=True,
        text=True,
        check=True,
    )
    wall, cpu = done.stdout.split()
    return float(wall), float(cpu)


def measure(smoke: bool = False) -> dict[str, Any]:
    """Best and median wall/CPU seconds of the import and of the floors."""
    compileall.compile_dir(str(Path(agentkit.__file__).parent), quiet=1)
    repeats = SMOKE_REPEATS if smoke else FULL_REPEATS
    samples: dict[str, list[tuple[float, float]]] = {"agentkit": [], "floor": []}
    for _ in range(repeats):
        samples["agentkit"].append(_sample(STATEMENT))
        samples["floor"].append(_sample(FLOOR))
    figures: dict[str, Any] = {"statement": STATEMENT, "repeats": repeats}
    for name, pairs in samples.items():
        walls, cpus = [w for w, _ in pairs], [c for _, c in pairs]
        figures[f"{name}_wall_best_s"] = round(min(walls), 4)
        figures[f"{name}_wall_median_s"] = round(statistics.median(walls), 4)
        figures[f"{name}_cpu_best_s"] = round(min(cpus), 4)
    figures["vs_floor_wall"] = round(
        figures["agentkit_wall_best_s"] / figures["floor_wall_best_s"], 2
    )
    return figures


def targets(figures: dict[str, Any], smoke: bool) -> list[Target]:
    limit = SMOKE_LIMIT_S if smoke else FULL_LIMIT_S
    return [Target(f"{STATEMENT} (s, best)", figures["agentkit_wall_best_s"], limit)]


def print_figures(figures: dict[str, Any]) -> None:
    print(f"\n{STATEMENT}: best of {figures['repeats']} fresh interpreters (s)")
    print(f"{'':>10}{'wall best':>11}{'median':>9}{'cpu best':>10}")
    for name in ("agentkit", "floor"):
        print(
            f"{name:>10}{figures[f'{name}_wall_best_s']:>11.3f}"
            f"{figures[f'{name}_wall_median_s']:>9.3f}{figures[f'{name}_cpu_best_s']:>10.3f}"
        )
    print(f"agentkit / floor (httpx + pydantic), wall: {figures['vs_floor_wall']}x")


def main() -> None:
    smoke = "--smoke" in sys.argv
    figures = measure(smoke)
    print_figures(figures)
    sys.exit(0 if print_targets(targets(figures, smoke), smoke) else 1)


if __name__ == "__main__":
    main()
