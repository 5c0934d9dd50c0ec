"""A home assistant you can talk to: type requests; unlocking asks you first.

Run `python examples/home_assistant.py` (or `agentkit chat examples/home.toml`). Without an API
key the model's turns are scripted, so try: "movie night", then "let my friend in".

The conversation is agentkit's terminal chat, the one `agentkit chat` runs: line editing and
history, Ctrl-C to stop a turn, Ctrl-D to leave, and the unlock question asked at the prompt.
"""

import sys

from agentkit import Agent
from agentkit.cli.terminal_chat import TerminalChat
from agentkit.offline import live_or_scripted
from agentkit.testing import call
from agentkit.toolsets.home import SmartHome

SCRIPT = [
    [call("apply_scene", name="movie night")],
    "Movie night is on: living room at 15%, kitchen off, blinds closed.",
    [call("unlock_door", door="front")],
    "Done.",
]


def main() -> int:
    with live_or_scripted("gemini-2.5-flash", SCRIPT) as choice:
        print(choice.banner)
        terminal = TerminalChat(choice)
        home = SmartHome()
        agent = Agent(
            choice.model,
            tools=home.tools(),
            confirm=terminal.confirm,
            instructions="You control a smart home.",
        )
        return terminal.talk(agent)


if __name__ == "__main__":
    sys.exit(main())
