"""Shared fixtures: one emulator server for the whole session, reset before every test.

Before anything else, the session is cut off from the world: the developer's Gemini and
Google credentials, base URLs and proxies are removed from the environment, and every socket
connection beyond loopback is refused — in this process and, through ``PYTHONPATH``, in every
Python subprocess a test starts. A developer with a real key in their shell can run ``pytest``
without making a single paid call.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import re
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agentkit.models import Gemini, RetryPolicy
from agentkit.testing.emulator import Emulator, EmulatorOptions

GUARD_DIR = Path(__file__).parent / "_guard"
# Anything that could point a test at a real service or real data of the developer's.
CLEARED_ENVIRONMENT = re.compile(
    r"^(GEMINI_.*|GOOGLE_.*|GCLOUD_.*|CLOUDSDK_.*|VERTEX.*|AGENTKIT_.*"
    r"|(HTTPS?|ALL|NO|WS|WSS|FTP)_PROXY)$",
    re.IGNORECASE,
)
# Where tests may leave artifacts for a person to look at (the web view's screenshots):
# read before AGENTKIT_* is cleared, since it points at no service and no data.
TEST_ARTIFACTS = os.environ.get("AGENTKIT_TEST_ARTIFACTS")
for _name in [name for name in os.environ if CLEARED_ENVIRONMENT.match(name)]:
    del os.environ[_name]
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(GUARD_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
)
_spec = importlib.util.spec_from_file_location("network_guard", GUARD_DIR / "sitecustomize.py")
assert _spec is not None and _spec.loader is not None
network_guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(network_guard)  # installs the guard in this process

# Retries in tests wait milliseconds, not seconds; jitter off so delays are exact.
FAST_RETRY = RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.05, jitter=0.0)


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    """Fail a test that tried to leave loopback, even if it caught the error."""
    before = len(network_guard.blocked)
    yield
    attempts = network_guard.blocked[before:]
    if attempts:
        pytest.fail(f"the test tried to reach beyond loopback: {'; '.join(attempts)}")


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


# Every model a test makes is remembered so that its connection pool can be closed
# inside the test's own event loop when the test ends. Tests make models freely and rarely
# close them; a pool left to the garbage collector after its loop has gone warns about
# unclosed sockets at some later, unrelated test.
_MODELS: list[Gemini] = []  # held until the test ends: a temporary would escape a weak set
_gemini_init = Gemini.__init__


def _remembered_init(self: Gemini, *args: Any, **kwargs: Any) -> None:
    _gemini_init(self, *args, **kwargs)
    _MODELS.append(self)


Gemini.__init__ = _remembered_init  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
async def _close_this_tests_models() -> AsyncIterator[None]:
    yield
    loop = asyncio.get_running_loop()
    made, _MODELS[:] = list(_MODELS), []
    for model in made:
        # The pool belongs to one loop: only this test's may close it (sync tests ran their
        # own loops through run_sync, which closed their pools already).
        if model._transport._client_loop is loop:
            await model.aclose()


@pytest.fixture
def agentkit_logs(caplog: pytest.LogCaptureFixture) -> Callable[[], list[dict[str, Any]]]:
    """agentkit's log events so far (structured fields), captured at DEBUG."""
    caplog.set_level(logging.DEBUG, logger="agentkit")

    def events() -> list[dict[str, Any]]:
        return [dict(record.agentkit) for record in caplog.records if hasattr(record, "agentkit")]

    return events
