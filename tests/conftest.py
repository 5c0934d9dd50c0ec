"""Shared fixtures: one emulator server for the whole session, reset before every test."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agentkit.models import Gemini, RetryPolicy
from agentkit.testing.emulator import Emulator, EmulatorOptions

# Retries in tests wait milliseconds, not seconds; jitter off so delays are exact.
FAST_RETRY = RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.05, jitter=0.0)


@pytest.fixture(scope="session")
def _server() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def emulator(_server: Emulator) -> Emulator:
    _server.reset()
    _server.options = EmulatorOptions()
    return _server


@pytest.fixture
def gemini(emulator: Emulator) -> Gemini:
    return Gemini("gemini-2.5-flash", base_url=emulator.url, retry=FAST_RETRY, timeout=10.0)


@pytest.fixture
def agentkit_logs(caplog: pytest.LogCaptureFixture) -> Callable[[], list[dict[str, Any]]]:
    """agentkit's log events so far (structured fields), captured at DEBUG."""
    caplog.set_level(logging.DEBUG, logger="agentkit")

    def events() -> list[dict[str, Any]]:
        return [dict(record.agentkit) for record in caplog.records if hasattr(record, "agentkit")]

    return events
