"""An answer grounded in Google Search, with the pages it came from."""

import anyio

from agentkit import Agent
from agentkit.offline import live_or_scripted
from agentkit.testing import grounded
from agentkit.tools import GoogleSearch

SCRIPT = [
    grounded(
        "The sun sets in Oslo at 15:12 today.",
        [("Sunrise and sunset, Oslo", "https://www.timeanddate.com/sun/norway/oslo")],
        ["sunset Oslo today"],
    )
]


async def main() -> None:
    with live_or_scripted("gemini-2.5-flash", SCRIPT) as choice:
        print(choice.banner)
        agent = Agent(choice.model, tools=[GoogleSearch()])
        result = await agent.run("When does the sun set in Oslo today?")
        print(result.text)
        for number, source in enumerate(result.sources, start=1):
            print(f"  [{number}] {source['title']}: {source['uri']}")


if __name__ == "__main__":
    anyio.run(main)
