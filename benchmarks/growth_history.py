"""Growth with what came before: does one more step cost the same after 5,000 turns?

Three curves, each next to a floor measured in the same run:

(a) **History.** A conversation of N = 10, 100, 1,000, 5,000 turns (two tool rounds, then
    plain messages and answers) gets one more message: client CPU per step of
    ``agent.run(prompt, history=previous.history_contents)``, and of ``Chat.send`` on a chat
    holding the same turns, against a floor that keeps the history as dicts and sends it
    with orjson through httpx (and, in full mode, google-genai's ``generate_content`` with
    the same contents). A further curve splits the floor into its encoding and the rest
    (the wire: httpx, the socket, the answer), which every client pays. The emulator runs in
    its own process (``benchmarks.server``), so CPU is the client's.
(b) **Tools.** 10, 100, 1,000 tools declared; CPU per step of ``Chat.send`` on a short
    chat, against the floor sending the same declarations.
(c) **Sessions.** Saving a session after a step, at 100 and 5,000 turns (JSON file store and
    SQLite store); the floor is writing the step's two turns as JSON lines.

Contenders take turns (a few steps each, repeated), and each figure is the median of the
rounds. Run alone: ``python -m benchmarks.growth_history [--smoke]``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio
import httpx
import orjson

from agentkit import Agent, Gemini, tool
from agentkit.agent import Chat
from agentkit.types import Content
from benchmarks.growth import Curve, Point, Target, print_curve, print_targets
from benchmarks.scenario import DECLARATIONS, FINAL_TEXT, get_time, get_weather

SIZES = (10, 100, 1_000, 5_000)
SMOKE_SIZES = (10, 100, 1_000)
TOOL_COUNTS = (10, 100, 1_000)
SMOKE_TOOL_COUNTS = (10, 100)
SESSION_SIZES = (100, 5_000)
ENDPOINT = "/v1beta/models/gemini-2.5-flash:generateContent"
HEADERS = {"content-type": "application/json", "x-goog-api-key": "bench"}


def history(turns: int) -> list[dict[str, Any]]:
    """A conversation of ``turns`` turns: two tool rounds (so the benchmark server answers
    in text from then on), then messages and answers."""
    opening: list[dict[str, Any]] = [
        {"role": "user", "parts": [{"text": "Compare the weather and time in Paris."}]},
        _call("get_weather"),
        _answer("get_weather", get_weather("Paris")),
        _call("get_time"),
        _answer("get_time", get_time("Paris")),
        {"role": "model", "parts": [{"text": FINAL_TEXT}]},
    ]
    turns_ = opening[: max(2, turns)]
    number = 0
    while len(turns_) < turns:
        turns_.append(
            {"role": "user", "parts": [{"text": f"Message {number}: and room {number % 50}?"}]}
        )
        turns_.append(
            {"role": "model", "parts": [{"text": "Room noted: lights fine, windows closed. " * 2}]}
        )
        number += 1
    return turns_[:turns] if turns % 2 == 0 else turns_[: turns - 1]


def _call(name: str) -> dict[str, Any]:
    return {"role": "model", "parts": [{"functionCall": {"name": name, "args": {"city": "Paris"}}}]}


def _answer(name: str, output: Any) -> dict[str, Any]:
    answer = {"name": name, "response": {"output": output}}
    return {"role": "user", "parts": [{"functionResponse": answer}]}


class Floor:
    """The least a client can do for one more step: the history as dicts, orjson, httpx."""

    def __init__(self, url: str, turns: list[dict[str, Any]], declarations: list[Any]) -> None:
        self.client = httpx.AsyncClient(base_url=url, timeout=60)
        self.contents = list(turns)
        self.tools = [{"functionDeclarations": declarations}]
        self.encoding = 0.0  # CPU seconds spent encoding requests (the rest is the wire)
        # CPU seconds spent making one more copy of each body, which the step does not need:
        # the part of encoding that every client pays, however it encodes (below).
        self.copying = 0.0

    async def step(self, prompt: str) -> None:
        self.contents.append({"role": "user", "parts": [{"text": prompt}]})
        started = time.process_time()
        body = orjson.dumps({"contents": self.contents, "tools": self.tools})
        copied = time.process_time()
        b"".join((body, b""))  # a new block of the body's size, written once
        self.encoding += copied - started
        self.copying += time.process_time() - copied
        response = await self.client.post(ENDPOINT, content=body, headers=HEADERS)
        response.raise_for_status()
        self.contents.append(orjson.loads(response.content)["candidates"][0]["content"])


async def _genai_step(url: str, turns: list[dict[str, Any]]) -> Callable[[str], Awaitable[None]]:
    from google import genai
    from google.genai import types

    client = genai.Client(api_key="bench", http_options=types.HttpOptions(base_url=url))
    contents: list[Any] = [types.Content.model_validate(turn) for turn in turns]
    declared = [types.FunctionDeclaration.model_validate(d) for d in DECLARATIONS]
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=declared)],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    )

    async def step(prompt: str) -> None:
        contents.append(types.Content(role="user", parts=[types.Part(text=prompt)]))
        response = await client.aio.models.generate_content(
            model="gemini-2.5-flash", contents=contents, config=config
        )
        assert response.candidates and response.candidates[0].content
        contents.append(response.candidates[0].content)

    return step


def _cpu_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


async def _rounds(
    contenders: Mapping[str, Callable[[str], Awaitable[None]]], rounds: int, steps: int
) -> dict[str, float]:
    """Median CPU ms per step of each contender, taking turns ``steps`` steps at a time."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for number in range(rounds):
        for name, step in contenders.items():
            started = time.process_time()
            for index in range(steps):
                await step(f"Round {number}, step {index}: and the hall?")
            samples[name].append((time.process_time() - started) / steps)
    return {name: _cpu_ms(values) for name, values in samples.items()}


async def _history_curves(url: str, smoke: bool) -> list[Curve]:
    runs = Curve(
        "one more step on a long conversation: agent.run(history=previous.history_contents)",
        "history turns",
        "client CPU ms per step",
    )
    chats = Curve(
        "one more step on a long chat: Chat.send", "history turns", "client CPU ms per step"
    )
    wire = Curve(
        "the floor's step split: the wire (agentkit column: httpx, the socket, the answer, the"
        " body written once) and the rest of orjson's encoding (floor column)",
        "history turns",
        "client CPU ms per step",
    )
    for size in SMOKE_SIZES if smoke else SIZES:
        turns = history(size)
        agent: Agent[None] = Agent(
            Gemini(base_url=url, api_key="bench"), tools=[get_weather, get_time]
        )
        chat = Chat(agent, [Content.model_validate(turn) for turn in turns])
        previous: list[Any] = [[Content.model_validate(turn) for turn in turns]]
        floor = Floor(url, turns, DECLARATIONS)

        async def run_step(
            prompt: str, agent: Agent[None] = agent, previous: list[Any] = previous
        ) -> None:
            result = await agent.run(prompt, history=previous[0])
            assert result.text == FINAL_TEXT, result.text
            previous[0] = result.history_contents

        async def chat_step(prompt: str, chat: Chat = chat) -> None:
            result = await chat.send(prompt)
            assert result.text == FINAL_TEXT, result.text

        contenders: dict[str, Callable[[str], Awaitable[None]]] = {
            "run": run_step,
            "chat": chat_step,
            "floor": floor.step,
        }
        if not smoke:
            try:
                contenders["genai"] = await _genai_step(url, turns)
            except ImportError:
                pass
        await _rounds(contenders, 1, 2)  # warm: connections, the model's limit, caches
        floor.encoding = floor.copying = 0.0
        rounds, steps = (3, 3) if smoke else (7, 5)
        figures = await _rounds(contenders, rounds, steps)
        encoding = floor.encoding * 1000 / (rounds * steps)
        copying = floor.copying * 1000 / (rounds * steps)
        # The floor's figure without the copy it made only to measure it. The wire is what
        # every client pays for the bytes it sends: httpx, the socket, the answer, and
        # writing the body once into memory (a new block each step, its pages faulted in:
        # ~0.1 ms at 5,000 turns), which orjson does inside its encoding.
        floor_ms = round(figures["floor"] - copying, 3)
        genai = figures.get("genai")
        runs.points.append(Point(size, figures["run"], floor_ms, genai))
        chats.points.append(Point(size, figures["chat"], floor_ms, genai))
        wire_ms = round(floor_ms - encoding + copying, 3)
        wire.points.append(Point(size, wire_ms, round(encoding - copying, 3)))
        await agent.aclose()
        await floor.client.aclose()
    return [runs, chats, wire]


def _declared(count: int) -> list[Any]:
    """``count`` distinct tools: the scenario's two and more like them."""

    def extra(number: int) -> Any:
        def look_up(city: str) -> dict[str, Any]:
            """Facts about a city.

            Args:
                city: City name, e.g. Paris.
            """
            return {"city": city}

        return tool(name=f"look_up_{number}", description=f"Fact {number} about a city.")(look_up)

    return [get_weather, get_time, *(extra(n) for n in range(count - 2))]


async def _tools_curves(url: str, smoke: bool) -> list[Curve]:
    curve = Curve("one step with many tools declared", "tools", "client CPU ms per step")
    wire = Curve(
        "the floor's step with tools split: the wire (agentkit column) and encoding (floor)",
        "tools",
        "client CPU ms per step",
    )
    base = [Content.model_validate(turn) for turn in history(6)]
    for count in SMOKE_TOOL_COUNTS if smoke else TOOL_COUNTS:
        agent: Agent[None] = Agent(Gemini(base_url=url, api_key="bench"), tools=_declared(count))
        declarations = [declaration.to_wire() for declaration in agent.plan.declarations]
        chat = Chat(agent, base)

        async def agentkit_step(prompt: str, chat: Chat = chat) -> None:
            result = await chat.send(prompt)
            assert result.text == FINAL_TEXT

        floor = Floor(url, history(6), declarations)

        contenders = {"agentkit": agentkit_step, "floor": floor.step}
        await _rounds(contenders, 1, 2)
        floor.encoding = 0.0
        rounds, steps = (3, 3) if smoke else (7, 5)
        figures = await _rounds(contenders, rounds, steps)
        encoding = floor.encoding * 1000 / (rounds * steps)
        curve.points.append(Point(count, figures["agentkit"], figures["floor"]))
        wire.points.append(Point(count, round(figures["floor"] - encoding, 3), round(encoding, 3)))
        await agent.aclose()
        await floor.client.aclose()
    return [curve, wire]


def _session_curves(smoke: bool) -> list[Curve]:
    from agentkit.sessions import JsonFileStore, Session, SessionStore, SqliteStore

    curves = []
    with tempfile.TemporaryDirectory() as directory:
        stores: dict[str, Callable[[], SessionStore]] = {
            "JSON file store": lambda: JsonFileStore(directory),
            "SQLite store": lambda: SqliteStore(os.path.join(directory, "sessions.db")),
        }
        for label, make in stores.items():
            curve = Curve(
                f"saving a session after a step ({label})", "history turns", "ms per save"
            )
            for size in SESSION_SIZES:
                store = make()
                name = f"s{size}"
                session = Session(history=history(size))
                store.save(name, session)
                floor_path = os.path.join(directory, f"floor{size}.jsonl")
                saves, floors = [], []
                for step in range(5 if smoke else 15):
                    added = [
                        {"role": "user", "parts": [{"text": f"step {step}"}]},
                        {"role": "model", "parts": [{"text": "done"}]},
                    ]
                    session.history.extend(added)
                    started = time.perf_counter()
                    store.save(name, session)
                    saves.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    with open(floor_path, "ab") as stream:
                        stream.write(b"".join(orjson.dumps(t) + b"\n" for t in added))
                        stream.flush()
                        os.fsync(stream.fileno())
                    floors.append(time.perf_counter() - started)
                curve.points.append(Point(size, _cpu_ms(saves), _cpu_ms(floors)))
            curves.append(curve)
    return curves


def _server() -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server"], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    return server, server.stdout.readline().strip()


def measure(smoke: bool) -> list[Curve]:
    server, url = _server()
    try:
        curves = [
            *anyio.run(_history_curves, url, smoke),
            *anyio.run(_tools_curves, url, smoke),
        ]
    finally:
        server.kill()
        server.wait()
    return [*curves, *_session_curves(smoke)]


def targets(curves: list[Curve], smoke: bool) -> list[Target]:
    """Full: one more step at the most turns within 2x the floor, and flat: within 1.5x of
    the cost at 100 turns once the growth of the wire's share (which every client pays for
    the bytes it sends) is taken off; the same for tools; a session save at 5,000 turns
    within 1.5x of one at 100. Smoke: 3x slack, for gross regressions only."""
    slack = 3.0 if smoke else 1.0
    runs, chats, wire, tools, tools_wire, *sessions = curves
    found = []
    for curve, label in ((runs, "agent.run(history=)"), (chats, "Chat.send")):
        last = curve.points[-1]
        wire_growth = max(0.0, wire.point(last.size).agentkit - wire.point(100).agentkit)
        flat = (last.agentkit - wire_growth) / curve.point(100).agentkit
        size = f"{last.size:,}"
        found.append(
            Target(f"{label} at {size} turns, x floor", round(last.vs_floor, 2), 2.0 * slack)
        )
        found.append(
            Target(f"{label} at {size} vs 100 turns, less the wire", round(flat, 2), 1.5 * slack)
        )
    most, fewest = tools.points[-1], tools.points[0]
    tools_wire_growth = max(
        0.0, tools_wire.point(most.size).agentkit - tools_wire.point(fewest.size).agentkit
    )
    flat_tools = (most.agentkit - tools_wire_growth) / fewest.agentkit
    found.append(Target(f"{most.size:,} tools, x floor", round(most.vs_floor, 2), 2.0 * slack))
    found.append(
        Target(
            f"{most.size:,} vs {fewest.size} tools, less the wire",
            round(flat_tools, 2),
            1.5 * slack,
        )
    )
    for curve in sessions:
        found.append(Target(f"{curve.name}: 5,000 vs 100 turns", curve.growth(), 1.5 * slack))
    return found


def main() -> None:
    smoke = "--smoke" in sys.argv
    curves = measure(smoke)
    for curve in curves:
        print_curve(curve)
    sys.exit(0 if print_targets(targets(curves, smoke), smoke) else 1)


if __name__ == "__main__":
    main()
