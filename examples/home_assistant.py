"""A home assistant you can talk to: type requests; unlocking asks you first.

Run `python examples/home_assistant.py` (or `agentkit chat examples/home.toml`). Without an API
key the model's turns are scripted, so try: "movie night", then anything.
"""

import anyio

from agentkit import Agent
from agentkit.agent import ConfirmationRequest, FunctionCallEvent, FunctionResultEvent, TextDelta
from agentkit.offline import live_or_scripted
from agentkit.testing import call
from agentkit.toolsets.home import SmartHome

SCRIPT = [
    [call("apply_scene", name="movie night")],
    "Movie night is on: living room at 15%, kitchen off, blinds closed.",
    [call("unlock_door", door="front")],
    "Done.",
]


def ask(request: ConfirmationRequest) -> bool:
    return input(f"allow {request.tool_name}({request.args})? [y/N] ").strip().lower() == "y"


async def main() -> None:
    with live_or_scripted("gemini-2.5-flash", SCRIPT) as choice:
        print(choice.banner)
        home = SmartHome()
        agent = Agent(
            choice.model, tools=home.tools(), confirm=ask, instructions="You control a smart home."
        )
        chat = agent.chat()
        while True:
            try:
                line = await anyio.to_thread.run_sync(input, "you> ")
            except EOFError:
                break
            if line.strip().lower() in ("", "exit", "quit"):
                break
            async for event in chat.stream(line):
                if isinstance(event, TextDelta):
                    print(event.text, end="", flush=True)
                elif isinstance(event, FunctionCallEvent):
                    print(f"  -> {event.call.name}({event.call.arguments})")
                elif isinstance(event, FunctionResultEvent):
                    print(f"  <- {event.response}")
            print()


anyio.run(main)
