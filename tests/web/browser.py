"""Debian's Chromium, driven by Playwright, for the web view's browser tests.

Playwright's own browser download (``playwright install``) is never used: the system's
``/usr/bin/chromium`` (Debian's package, which ``.ci/run`` installs) is launched instead.
Without the flags that turn off its background traffic, Chromium tries to reach Google's
services at start, and this machine's closed network refuses it.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> NoReturn:
    """Skip, with the reason, on a developer's machine; fail in CI, which must run these."""
    if in_ci():
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@contextlib.asynccontextmanager
async def launched_browser() -> AsyncIterator[Any]:
    """Chromium for one test. Playwright's async API: its sync one runs an event loop of
    its own in the main thread, which pytest-asyncio's loop cannot share."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _unavailable("the playwright package is missing: pip install -e '.[dev]'")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()
    # The driver's process transport is let go of here, in the loop that made it: later,
    # another test's loop would meet it closed and warn.
    gc.collect()


def artifacts_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``$AGENTKIT_TEST_ARTIFACTS`` when set (CI keeps it), else the
    test's own temporary directory."""
    from ..conftest import TEST_ARTIFACTS

    folder = Path(TEST_ARTIFACTS) if TEST_ARTIFACTS else tmp_path / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
