"""Structured output: the answer comes back as a validated pydantic object."""

from pydantic import BaseModel

from agentkit import Agent
from agentkit.offline import live_or_scripted


class Scene(BaseModel):
    name: str
    brightness: int
    color_temperature: str
    blinds_open: bool


SCRIPT = [
    '{"name": "reading", "brightness": 70, "color_temperature": "daylight", "blinds_open": true}'
]

with live_or_scripted("gemini-2.5-flash", SCRIPT) as choice:
    print(choice.banner)
    agent = Agent(choice.model, output_type=Scene, instructions="You design lighting scenes.")
    scene = agent.run_sync("Suggest a scene for reading on a grey afternoon.").output
    print(repr(scene))
    assert isinstance(scene, Scene)
