"""Make the web view's screenshots in this folder: ``python docs/images/make_screenshots.py``.

It serves ``examples/home.toml`` offline (its scripted turns, a fresh home and sessions in a
temporary folder) exactly as ``agentkit web examples/home.toml`` does, and drives Debian's
Chromium (``apt-get install chromium``) through three of the example's prompts:

- ``web-chat-timeline.png``: after movie night and the heating request, whose two calls
  (the thermostat, the outdoor sensor) ran side by side on the timeline;
- ``web-approval.png``: the front door's unlock waiting for Approve / Deny.

Needs the dev extra (Playwright's Python package; its own browser download is not used).
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import tempfile
from pathlib import Path

from rich.console import Console

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium reaches for Google's services at start.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


async def _shoot(url: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = await browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(20_000)
        await page.goto(url)
        await page.get_by_text("connected", exact=True).wait_for()
        box = page.get_by_label("Message (Enter sends)")

        async def say(text: str, answer: str) -> None:
            await box.fill(text)
            await box.press("Enter")
            await page.get_by_text(answer).wait_for()

        await say("It's movie night - set up the living room.", "Movie night is set")
        await say(
            "It's chilly. Heat to 21.5 degrees, and what's the temperature outside?",
            "It is 8 °C outside.",
        )
        reading = page.locator("div.call").filter(has_text="read_sensor")
        await reading.locator("summary").click()
        await page.locator("#log").evaluate("log => { log.scrollTop = log.scrollHeight; }")
        await page.mouse.move(0, 0)
        await page.screenshot(path=str(HERE / "web-chat-timeline.png"), full_page=True)

        await reading.locator("summary").click()  # folded again: room for the question
        await box.fill("My friend is at the front door, please let her in.")
        await box.press("Enter")
        await page.get_by_role("group", name="Approval needed").wait_for()
        await page.locator("#log").evaluate("log => { log.scrollTop = log.scrollHeight; }")
        await page.screenshot(path=str(HERE / "web-approval.png"), full_page=True)
        await browser.close()


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL"):
        os.environ.pop(name, None)  # offline: the run file's scripted turns answer
    with tempfile.TemporaryDirectory() as folder:
        os.environ["AGENTKIT_HOME_DB"] = str(Path(folder) / "home.db")
        os.environ["AGENTKIT_SESSIONS"] = str(Path(folder) / "sessions")
        sys.path.insert(0, str(ROOT))
        from agentkit.cli import _parser
        from agentkit.cli.web import web_server

        args = _parser().parse_args(
            ["web", str(ROOT / "examples" / "home.toml"), "--port", "0", "--session", "home"]
        )
        with web_server(args, Console(file=io.StringIO())) as server:
            server.start()
            asyncio.run(_shoot(server.url))
    print(f"wrote {HERE / 'web-chat-timeline.png'} and {HERE / 'web-approval.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
