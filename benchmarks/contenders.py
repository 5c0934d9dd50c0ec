"""The three clients measured on the same scenario.

``floor``: a hand-written httpx loop — the least work a correct client can do (JSON in, JSON
out, history as plain dicts, calls run inline). ``agentkit``: an Agent with the two tools.
``google_genai``: Google's SDK with automatic function calling. Each is a factory that makes,
from the emulator's URL, an async ``run_once()`` returning the final text, and a ``close()``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.scenario import DECLARATIONS, FINAL_TEXT, FUNCTIONS, PROMPT, get_time, get_weather


@dataclass
class Contender:
    name: str
    run_once: Callable[[], Awaitable[str | None]]
    close: Callable[[], Awaitable[None]]


def floor(url: str, *, pooled: bool = False) -> Contender:
    """``pooled``: with agentkit's connection pool installed on the client (the floor's loop
    without httpcore's pool costs: what is left is agentkit's own overhead)."""
    client = httpx.AsyncClient(
        base_url=url,
        # No pool or connect timeout: with a thousand runs in flight behind httpcore's pool, a
        # request can queue for over a minute on a loaded machine; that is measured, not fatal.
        timeout=httpx.Timeout(60, pool=None, connect=None),
        limits=httpx.Limits(max_connections=512, max_keepalive_connections=128),
    )
    if pooled:
        from agentkit.models.pool import install_linear_pool

        install_linear_pool(client)
    endpoint = "/v1beta/models/gemini-2.5-flash:generateContent"
    headers = {"content-type": "application/json", "x-goog-api-key": "bench"}

    async def run_once() -> str | None:
        contents: list[dict[str, Any]] = [{"role": "user", "parts": [{"text": PROMPT}]}]
        for _ in range(10):
            body = {"contents": contents, "tools": [{"functionDeclarations": DECLARATIONS}]}
            response = await client.post(endpoint, content=json.dumps(body), headers=headers)
            response.raise_for_status()
            content = response.json()["candidates"][0]["content"]
            contents.append(content)
            calls = [part["functionCall"] for part in content["parts"] if "functionCall" in part]
            if not calls:
                return "".join(part.get("text", "") for part in content["parts"])
            answers = [
                {
                    "functionResponse": {
                        "name": call["name"],
                        "response": {"output": FUNCTIONS[call["name"]](**call["args"])},
                    }
                }
                for call in calls
            ]
            contents.append({"role": "user", "parts": answers})
        return None

    name = "httpx loop + agentkit pool" if pooled else "httpx loop (floor)"
    return Contender(name, run_once, client.aclose)


def agentkit_traced(url: str) -> Contender:
    """agentkit with tracing and metrics on: the SDK's tracer provider with a batch processor
    (what applications configure) handing spans to an exporter that drops them, and a meter
    provider aggregating the histograms. What is measured is agentkit's telemetry and the
    SDK's recording, not a network."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    from agentkit import Agent, Gemini, tool

    class Dropped(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(Dropped()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    model = Gemini("gemini-2.5-flash", api_key="bench", base_url=url)
    tools = [tool(blocking=False)(get_weather), tool(blocking=False)(get_time)]
    agent: Agent[None] = Agent(
        model, tools=tools, tracer_provider=tracer_provider, meter_provider=meter_provider
    )

    async def run_once() -> str | None:
        return (await agent.run(PROMPT)).text

    async def close() -> None:
        await model.aclose()
        tracer_provider.shutdown()
        meter_provider.shutdown()

    return Contender("agentkit (traced)", run_once, close)


def agentkit(url: str, *, blocking: bool = True) -> Contender:
    """``blocking=True`` (the default for sync tools) runs each call in a worker thread, as
    agentkit must for a function that may block; ``blocking=False`` is what a user declares
    for functions that return at once, like these two."""
    from agentkit import Agent, Gemini, tool

    model = Gemini("gemini-2.5-flash", api_key="bench", base_url=url)
    tools = [tool(blocking=blocking)(get_weather), tool(blocking=blocking)(get_time)]
    agent: Agent[None] = Agent(model, tools=tools)

    async def run_once() -> str | None:
        return (await agent.run(PROMPT)).text

    name = "agentkit (threads)" if blocking else "agentkit"
    return Contender(name, run_once, model.aclose)


def google_genai(url: str) -> Contender:
    from google import genai
    from google.genai import types

    client = genai.Client(api_key="bench", http_options=types.HttpOptions(base_url=url))
    config = types.GenerateContentConfig(tools=[get_weather, get_time])

    async def run_once() -> str | None:
        response = await client.aio.models.generate_content(
            model="gemini-2.5-flash", contents=PROMPT, config=config
        )
        return response.text

    async def close() -> None:
        await client.aio.aclose()

    return Contender("google-genai AFC", run_once, close)


CONTENDERS: dict[str, Callable[[str], Contender]] = {
    "floor": floor,
    "agentkit": lambda url: agentkit(url, blocking=False),
    "agentkit_threads": agentkit,
    "agentkit_traced": agentkit_traced,
    "google_genai": google_genai,
}
EXPECTED = FINAL_TEXT
