"""Prints the fault matrix at the end of a test session that ran it."""

from __future__ import annotations

from typing import Any

import pytest

MATRIX: dict[tuple[str, str, str], str] = {}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not MATRIX:
        return
    faults = list(dict.fromkeys(key[0] for key in MATRIX))
    columns = [("generate", "first"), ("generate", "later"), ("stream", "first"), ("stream", "later")]
    write = terminalreporter.write_line
    write("")
    write("fault matrix (outcome per mode and step; 'ok' marks the expected outcome)")
    header = f"{'fault':<26}" + "".join(f"{mode + '/' + step:<30}" for mode, step in columns)
    write(header)
    for fault in faults:
        write(f"{fault:<26}" + "".join(f"{MATRIX.get((fault, m, s), '-'):<30}" for m, s in columns))


@pytest.fixture
def matrix() -> dict[tuple[str, str, str], str]:
    return MATRIX
