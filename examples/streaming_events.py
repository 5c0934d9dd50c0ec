"""Streaming: every event of a run as it happens — text as it arrives, calls, results."""

import anyio

from agentkit import Agent, tool
from agentkit.agent import (
    FunctionCallEvent,
    FunctionResultEvent,
    RunFinished,
    StepFinished,
    TextDelta,
)
from agentkit.offline import live_or_scripted
from agentkit.testing import call


@tool
def count_words(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


SCRIPT = [
    [call("count_words", text="the quick brown fox jumps over the lazy dog")],
    "That sentence has 9 words, and it uses every letter of the alphabet.",
]


async def main() -> None:
    with live_or_scripted("gemini-2.5-flash", SCRIPT) as choice:
        print(choice.banner)
        agent = Agent(choice.model, tools=[count_words])
        prompt = "How many words in 'the quick brown fox jumps over the lazy dog'?"
        async for event in agent.stream(prompt):
            if isinstance(event, TextDelta):
                print(event.text, end="", flush=True)
            elif isinstance(event, FunctionCallEvent):
                print(f"[call] {event.call.name}({event.call.arguments})")
            elif isinstance(event, FunctionResultEvent):
                print(f"[result] {event.name} -> {event.response}")
            elif isinstance(event, StepFinished):
                print(f"\n[step {event.step} done: {event.finish_reason}]")
            elif isinstance(event, RunFinished):
                usage = event.result.usage
                print(f"[finished: {event.result.stop_reason}, {usage.total_tokens} tokens]")


anyio.run(main)
