"""Human confirmation: unlocking a door waits for a person. Without a confirm callback the run
pauses with a JSON state; it resumes once the call is decided."""

import json
import tempfile
from pathlib import Path

from agentkit import Agent
from agentkit.offline import live_or_scripted
from agentkit.testing import call
from agentkit.toolsets.home import SmartHome

home = SmartHome(Path(tempfile.mkdtemp()) / "home.db")
SCRIPT = [[call("unlock_door", door="front")], "The front door is unlocked."]

with live_or_scripted("gemini-2.5-flash", SCRIPT) as choice:
    print(choice.banner)
    agent = Agent(choice.model, tools=home.tools(), instructions="You control a home.")
    paused = agent.run_sync("Please unlock the front door.")
    print(f"paused: {paused.paused}; waiting on {json.dumps(paused.state['pending'])}")
    saved = json.dumps(paused.state)  # could go to a file or a database and wait for a person

    pending = json.loads(saved)["pending"]
    decisions = {item["key"]: True for item in pending}  # a person said yes
    resumed = agent.resume_sync(json.loads(saved), decisions)
    print(resumed.text)
    print(f"front door locked: {home.snapshot()['locks']['front']}")
