"""The web view in a real browser (Debian's Chromium, driven by Playwright), used as a
person uses it: typing and pressing Enter, Tab to a button, reading what the page says."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agentkit.toolsets.home import SmartHome
from agentkit.web import WebServer

from .browser import artifacts_dir, launched_browser
from .conftest import served, write_run_file

TIMEOUT_MS = 20_000


@pytest.fixture
async def page() -> AsyncIterator[Any]:
    async with launched_browser() as browser:
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        try:
            yield page
        finally:
            await context.close()
        assert errors == []  # the page's script never failed, nothing was refused to it


async def _open(page: Any, server: WebServer) -> list[str]:
    """Open the printed URL; the URLs of every request the page makes."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    await page.goto(server.url)
    await page.get_by_text("connected", exact=True).wait_for()
    return requested


async def _say(page: Any, text: str) -> None:
    box = page.get_by_label("Message (Enter sends)")
    await box.fill(text)
    await box.press("Enter")


def _call(page: Any, name: str) -> Any:
    return page.locator("div.call").filter(has=page.locator("code.call-name", has_text=name))


async def _text(locator: Any) -> str:
    return str(await locator.inner_text())


async def _row(locator: Any) -> list[str]:
    """A table row's cells, as the page shows them."""
    return [str(cell) for cell in await locator.locator("th, td").all_inner_texts()]


async def test_a_chat_turn_with_two_parallel_calls_and_its_timeline(
    page: Any, tmp_path: Path
) -> None:
    with served(str(write_run_file(tmp_path))) as server:
        requested = await _open(page, server)
        assert "the model's turns are SCRIPTED" in await _text(page.locator("#banner"))
        await _say(page, "Set up the living room")
        await page.get_by_text("The living room light is at 40% and its blinds are at 20%.").wait_for()
        await page.get_by_text("idle (turn 1 finished)").wait_for()

        for name in ("set_light", "set_blinds"):
            assert await _text(_call(page, name).locator(".state")) == "[ok]"
        # A call opens to show its arguments and result.
        await _call(page, "set_light").locator("summary").click()
        assert '"brightness": 40' in await _text(_call(page, "set_light").locator("pre.response"))

        timeline = page.locator("#timeline")
        lanes = timeline.locator(".step").first.locator(".lane")
        assert await lanes.locator(".lane-name").all_inner_texts() == ["model", "set_light", "set_blinds"]
        states = await lanes.locator(".lane-state").all_inner_texts()
        assert states[0].startswith("done · ") and all(t.startswith("ok · ") for t in states[1:])
        assert await timeline.locator(".parallel").all_inner_texts() == [
            "· in parallel with 1 other",
            "· in parallel with 1 other",
        ]
        boxes = [await lanes.nth(i).locator(".bar").bounding_box() for i in (1, 2)]
        assert all(box is not None and box["width"] > 0 for box in boxes)

        home = page.locator("#home")
        light = home.locator('table[data-part="lights"] tr[data-name="living room"]')
        assert await _row(light) == ["living room", "on, 40%, warm", "changed"]
        blinds = home.locator('table[data-part="blinds"] tr[data-name="living room"]')
        assert await _row(blinds) == ["living room", "20% open", "changed"]
        kitchen = home.locator('table[data-part="lights"] tr[data-name="kitchen"]')
        assert await _row(kitchen) == ["kitchen", "off", ""]

        rows = page.locator("#usage-table tbody tr")
        assert await rows.count() == 2  # one per step, and the total
        tokens_in = [int((await _row(rows.nth(i)))[2].replace(",", "")) for i in (0, 1)]
        assert all(tokens > 0 for tokens in tokens_in)
        assert await _text(page.locator("#total-in")) == f"{sum(tokens_in):,}"
        assert re.fullmatch(r"\$0\.\d{6}", await _text(page.locator("#total-cost")))
        assert await _text(page.locator("#total-cost")) != "$0.000000"
        shot = artifacts_dir(tmp_path) / "web-chat-timeline.png"
        await page.screenshot(path=str(shot), full_page=True)
        origin = server.origin
    assert shot.stat().st_size > 10_000
    # Everything the page loaded came from this server: nothing from the network.
    assert requested and all(url.startswith(origin + "/") for url in requested)


async def test_approve_with_the_keyboard_unlocks_the_door(page: Any, tmp_path: Path) -> None:
    turns = """
[[offline.turns]]
calls = [{ name = "unlock_door", args = { door = "front" } }]
[[offline.turns]]
text = "The front door is unlocked."
"""
    with served(str(write_run_file(tmp_path, turns))) as server:
        await _open(page, server)
        await _say(page, "My friend is at the front door")
        question = page.get_by_role("group", name="Approval needed")
        await question.wait_for()
        asked = await _text(question)
        assert "unlock_door" in asked and '{"door":"front"}' in asked
        assert await _text(_call(page, "unlock_door").locator(".state")) == "[waiting for approval]"
        assert await _text(page.locator("#turn-state")) == "waiting for approval: unlock_door"
        locks = page.locator('table[data-part="locks"] tr[data-name="front"]')
        assert await _row(locks) == ["front", "locked", ""]
        await page.screenshot(path=str(artifacts_dir(tmp_path) / "web-approval.png"), full_page=True)

        # The question took the focus: Tab reaches Approve, Enter presses it.
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == "Approve"
        await page.keyboard.press("Enter")
        await page.get_by_text("The front door is unlocked.").wait_for()
        assert await _text(question.locator(".answer")) == "Answer: approved"
        assert await _text(_call(page, "unlock_door").locator(".state")) == "[ok]"
        await locks.get_by_text("unlocked").wait_for()
        assert await _row(locks) == ["front", "unlocked", "changed"]
    assert SmartHome(tmp_path / "home.db").snapshot()["locks"]["front"] is False


async def test_deny_keeps_the_door_locked(page: Any, tmp_path: Path) -> None:
    turns = """
[[offline.turns]]
calls = [{ name = "unlock_door", args = { door = "front" } }]
[[offline.turns]]
text = "I did not unlock the front door."
"""
    with served(str(write_run_file(tmp_path, turns))) as server:
        await _open(page, server)
        await _say(page, "Unlock the front door")
        await page.get_by_role("button", name="Deny").click()
        await page.get_by_text("I did not unlock the front door.").wait_for()
        call = _call(page, "unlock_door")
        assert await _text(call.locator(".state")) == "[denied]"
        assert await _text(call.locator(".call-error")) == (
            "denied: a person declined this call to unlock_door: denied in the web view; it "
            "was not executed"
        )
        question = page.get_by_role("group", name="Approval needed")
        assert await _text(question.locator(".answer")) == "Answer: denied"
        locks = page.locator('table[data-part="locks"] tr[data-name="front"]')
        assert await _row(locks) == ["front", "locked", ""]
    assert SmartHome(tmp_path / "home.db").snapshot()["locks"]["front"] is True


async def test_a_session_is_reopened_with_its_conversation(page: Any, tmp_path: Path) -> None:
    turns = """
[[offline.turns]]
calls = [{ name = "set_light", args = { room = "kitchen", on = true } }]
[[offline.turns]]
text = "The kitchen light is on."
[[offline.turns]]
text = "Good evening."
"""
    run_file = str(write_run_file(tmp_path, turns))
    with served(run_file, "--session", "evening") as server:
        await _open(page, server)
        assert await _text(page.locator("#current-session")) == "evening"
        await _say(page, "Kitchen light on")
        await page.get_by_text("The kitchen light is on.").wait_for()

        await page.get_by_label("New session name (optional)").fill("later")
        await page.get_by_role("button", name="New session").click()
        await page.get_by_text("A new session: nothing said yet.").wait_for()
        assert await _text(page.locator("#current-session")) == "later"
        assert await page.get_by_text("Kitchen light on").count() == 0

        await page.get_by_role("button", name="Open evening").click()
        await page.get_by_text("Kitchen light on").wait_for()
        assert await _text(page.locator("#current-session")) == "evening"
        log = page.locator("#log")
        assert await log.locator(".msg.user .said").all_inner_texts() == ["Kitchen light on"]
        assert await log.locator(".msg.model .said").all_inner_texts() == ["The kitchen light is on."]
        assert await _text(_call(page, "set_light").locator(".state")) == "[ok]"

        # It goes on from where it was, and a reloaded page shows it all again.
        await _say(page, "Thanks")
        await page.get_by_text("Good evening.").wait_for()
        said = ["Kitchen light on", "Thanks"]
        assert await log.locator(".msg.user .said").all_inner_texts() == said
        await page.reload()
        await page.get_by_text("Good evening.").wait_for()
        assert await log.locator(".msg.user .said").all_inner_texts() == said
        await page.screenshot(path=str(artifacts_dir(tmp_path) / "web-session.png"), full_page=True)
