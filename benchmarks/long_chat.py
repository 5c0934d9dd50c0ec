"""A conversation far longer than the model's context: does it keep going, at a flat cost?

A scripted chat of many messages through the strict emulator (in this process), serving
``gemini-2.5-flash`` with a small input limit (16,384 tokens): the emulator refuses, with
Gemini's 400, any request over it, so a chat that ends proves every request fit. The
agent has a long instruction (about 2,500 tokens: above the explicit-cache minimum) and
the chat's default context policy. Measured twice, without and with
``ContextCache`` (the instruction and tools in an explicit cache):

- requests, the largest request's input tokens, compactions, context errors (must be 0);
- wall time, and client+emulator CPU per message in the tenth of the chat right after the
  context first filled up and in the last tenth (flat: the per-message cost does not grow
  with the turns behind the budget);
- cost from the usage the emulator reported, with and without the cache (storage included).

Also measured: saving and loading a session of 1,000 and 10,000 turns (JSON file and
SQLite), which must grow linearly. Run alone: ``python -m benchmarks.long_chat [--smoke]``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from typing import Any

import anyio

from agentkit import Agent, Gemini
from agentkit.agent import ContextCache, ContextCompacted
from agentkit.agent.context import SUMMARY_INSTRUCTION
from agentkit.models.capabilities import capabilities_for
from agentkit.testing.emulator import Emulator, EmulatorOptions
from agentkit.types import GenerateContentRequest

MESSAGES = 10_000
SMOKE_MESSAGES = 400
# In ``python -m benchmarks``: long enough to compact several times, short enough to run
# beside everything else (the 10,000-message figures come from running this file alone).
RUNNER_MESSAGES = 1_500
RUNNER_SMOKE_MESSAGES = 250
LIMIT = 16_384
FLOORS = ("oak", "tile", "carpet")
INSTRUCTIONS = "You look after a house and answer briefly.\n" + "\n".join(
    f"Room {n}: {n % 4} windows, a {FLOORS[n % 3]} floor, lights on circuit {n % 6}."
    for n in range(200)
)


def _answer(request: GenerateContentRequest) -> str:
    first = request.contents[0].parts[0].text if request.contents[0].parts else ""
    if (first or "").startswith(SUMMARY_INSTRUCTION):
        return "The user has been asking about the rooms of the house, one at a time."
    return "Room noted: the lights there are fine and the windows are closed. " * 3


async def _chat(url: str, messages: int, cached: bool) -> dict[str, Any]:
    model = Gemini("gemini-2.5-flash", base_url=url, api_key="bench")
    agent: Agent[None] = Agent(
        model, instructions=INSTRUCTIONS, cache=ContextCache(ttl=3600) if cached else None
    )
    chat = agent.chat()
    compactions, largest, errors = 0, 0, 0
    first_compaction: int | None = None
    per_message: list[float] = []
    started_wall = time.perf_counter()
    for number in range(messages):
        cpu = time.process_time()
        try:
            async for event in chat.stream(f"Message {number}: how is room {number % 200}?"):
                if isinstance(event, ContextCompacted):
                    compactions += 1
                    first_compaction = number if first_compaction is None else first_compaction
        except Exception:  # a context error would end up here: counted, never expected
            errors += 1
        per_message.append((time.process_time() - cpu) * 1000)
    wall = time.perf_counter() - started_wall
    # Flat beyond the budget: the tenth of the chat right after the context first filled
    # up, against the last tenth (the turns behind the budget do not add cost).
    tenth = max(1, messages // 10)
    start = (first_compaction or 0) + 1
    early = per_message[start : start + tenth] or per_message[:tenth]
    late = per_message[-tenth:]
    for result in chat.results:
        for step in result.steps:
            if step.usage is not None and step.usage.prompt_token_count:
                largest = max(largest, step.usage.prompt_token_count)
    cost = sum(result.usage.cost_usd or 0.0 for result in chat.results)
    requests = sum(len(result.steps) for result in chat.results)
    await agent.aclose()
    return {
        "messages": messages,
        "transcript_turns": len(chat.history),
        "requests": requests,
        "largest_request_tokens": largest,
        "compactions": compactions,
        "context_errors": errors,
        "wall_s": round(wall, 2),
        "cpu_ms_per_message_first": round(sum(early) / len(early), 3),
        "cpu_ms_per_message_last": round(sum(late) / len(late), 3),
        "cpu_growth": round((sum(late) / len(late)) / (sum(early) / len(early)), 2),
        "cost_usd": round(cost, 6),
    }


def _sessions() -> dict[str, dict[str, float]]:
    from agentkit.sessions import JsonFileStore, Session, SqliteStore

    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as directory:
        for turns in (1_000, 10_000):
            history = []
            for n in range(turns // 2):
                history.append({"role": "user", "parts": [{"text": f"turn {n}: room {n % 9}?"}]})
                history.append({"role": "model", "parts": [{"text": f"Room {n % 9} is fine."}]})
            stores = {
                "json file": JsonFileStore(directory),
                "sqlite": SqliteStore(os.path.join(directory, "s.db")),
            }
            for label, store in stores.items():
                started = time.perf_counter()
                store.save("long", Session(history=history))
                saved = time.perf_counter() - started
                started = time.perf_counter()
                store.load("long")
                loaded = time.perf_counter() - started
                rows[f"{label} {turns}"] = {
                    "save_ms": round(saved * 1000, 1),
                    "load_ms": round(loaded * 1000, 1),
                }
    return rows


def measure(messages: int) -> dict[str, Any]:
    flash = capabilities_for("gemini-2.5-flash")
    assert flash is not None
    options = EmulatorOptions(
        models={"gemini-2.5-flash": flash.replace(input_token_limit=LIMIT)}, record=False
    )
    with Emulator(options=options) as emulator:
        emulator.respond_with(_answer)
        plain = anyio.run(_chat, emulator.url, messages, False)
        cached = anyio.run(_chat, emulator.url, messages, True)
    return {
        "limit_tokens": LIMIT,
        "without_cache": plain,
        "with_cache": cached,
        "sessions": _sessions(),
    }


def print_rows(results: dict[str, Any]) -> None:
    print(f"\na long chat through a model taking {results['limit_tokens']:,} input tokens")
    header = (
        "",
        "messages",
        "requests",
        "largest",
        "compactions",
        "errors",
        "wall s",
        "CPU ms/msg first→last",
        "cost $",
    )
    print("  ".join(f"{h:>12}" for h in header))
    for name in ("without_cache", "with_cache"):
        row = results[name]
        print(
            "  ".join(
                f"{value:>12}"
                for value in (
                    name.replace("_", " "),
                    row["messages"],
                    row["requests"],
                    row["largest_request_tokens"],
                    row["compactions"],
                    row["context_errors"],
                    row["wall_s"],
                    f"{row['cpu_ms_per_message_first']}→{row['cpu_ms_per_message_last']}",
                    f"{row['cost_usd']:.4f}",
                )
            )
        )
    sessions = ", ".join(
        f"{name}: save {row['save_ms']} ms, load {row['load_ms']} ms"
        for name, row in results["sessions"].items()
    )
    print(f"sessions: {sessions}")


if __name__ == "__main__":
    smoke = "--smoke" in sys.argv
    figures = measure(SMOKE_MESSAGES if smoke else MESSAGES)
    print_rows(figures)
    print(json.dumps(figures, indent=2))
