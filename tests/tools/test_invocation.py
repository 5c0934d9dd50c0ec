"""Calling tools: validation, sync/async/method tools, timeouts, context, result conversion."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from typing import Any

import anyio
import pytest
from pydantic import BaseModel

from agentkit.errors import ToolExitError
from agentkit.tools import Tool, ToolContext, tool
from agentkit.types import Blob, Part
from agentkit.usage import Usage

from .shapes import Address


@tool
def add(a: int, b: int = 1) -> int:
    """Add two numbers."""
    return a + b


@tool
async def async_add(a: int, b: int = 1) -> int:
    await anyio.sleep(0)
    return a + b


async def test_sync_and_async_tools_wrap_scalars_under_output() -> None:
    sync = await add.invoke({"a": 2, "b": 3})
    async_ = await async_add.invoke({"a": 2})
    assert (sync.response, sync.ok) == ({"output": 5}, True)
    assert async_.response == {"output": 3}
    assert add.is_async is False and async_add.is_async is True


async def test_invalid_arguments_become_a_structured_error() -> None:
    result = await add.invoke({"a": "two", "c": 1})
    assert not result.ok and result.error is not None and result.error.kind == "invalid_arguments"
    assert result.response == {
        "error": {
            "type": "invalid_arguments",
            "message": "invalid arguments for add: a: Input should be a valid integer, unable to parse string as an integer; c: Extra inputs are not permitted",
            "errors": [
                {
                    "path": "a",
                    "message": "Input should be a valid integer, unable to parse string as an integer",
                    "received": "two",
                },
                {"path": "c", "message": "Extra inputs are not permitted", "received": 1},
            ],
        }
    }


async def test_missing_and_nested_errors_name_their_paths() -> None:
    @tool
    def ship(to: Address, count: int) -> None: ...

    result = await ship.invoke({"to": {"street": "Main 1", "postcode": "??"}})
    assert result.error is not None
    paths = [(e["path"], "received" in e) for e in result.error.details["errors"]]
    assert paths == [("to.city", False), ("to.postcode", True), ("count", False)]


async def test_long_received_values_are_truncated() -> None:
    result = await add.invoke({"a": "x" * 5000})
    received = result.response["error"]["errors"][0]["received"]
    assert received.endswith("…(truncated)") and len(received) == 200 + len("…(truncated)")


async def test_exception_becomes_type_and_message_without_traceback() -> None:
    @tool
    def explode(reason: str) -> None:
        raise ValueError(f"cannot: {reason}")

    result = await explode.invoke({"reason": "no power"})
    assert result.response == {
        "error": {
            "type": "exception",
            "message": "explode raised ValueError: cannot: no power",
            "exception": "ValueError",
        }
    }
    assert "Traceback" not in str(result.response)


async def test_interrupts_are_never_swallowed() -> None:
    @tool
    async def interrupt() -> None:
        raise KeyboardInterrupt()

    with pytest.raises(KeyboardInterrupt):
        await interrupt.invoke({})


async def test_an_exit_is_not_swallowed_but_typed() -> None:
    """Not an error for the model to work around: the run stops, as a typed error."""

    @tool
    async def leave() -> None:
        raise SystemExit(5)

    with pytest.raises(ToolExitError) as caught:
        await leave.invoke({})
    assert caught.value.code == 5 and isinstance(caught.value.__cause__, SystemExit)


async def test_cancellation_passes_through() -> None:
    started = anyio.Event()

    @tool
    async def wait_forever() -> None:
        started.set()
        await anyio.sleep_forever()

    async with anyio.create_task_group() as group:
        group.start_soon(wait_forever.invoke, {})
        await started.wait()
        group.cancel_scope.cancel()
    # Reaching here means the cancellation ended the call instead of being turned into a result.


async def test_async_timeout() -> None:
    @tool(timeout=0.05)
    async def slow() -> str:
        await anyio.sleep(10)
        return "never"

    result = await slow.invoke({})
    assert result.response == {
        "error": {
            "type": "timeout",
            "message": "slow did not finish within 0.05 s. It was cancelled.",
            "still_running": False,
        }
    }
    assert result.duration < 1


async def test_sync_tool_that_ignores_cancellation_is_bounded_by_its_timeout() -> None:
    release = threading.Event()

    @tool(timeout=0.05)
    def hang() -> str:
        release.wait(10)  # a blocking call Python cannot interrupt
        return "late"

    try:
        result = await hang.invoke({})
    finally:
        release.set()
    assert result.error is not None and result.error.kind == "timeout"
    assert result.duration < 1


async def test_sync_tools_run_in_threads_concurrently() -> None:
    barrier = threading.Barrier(3, timeout=5)

    @tool
    def meet(name: str) -> str:
        barrier.wait()  # only returns once all three calls are running at the same time
        return name

    results = await asyncio.gather(*(meet.invoke({"name": n}) for n in "abc"))
    assert [r.response for r in results] == [{"output": "a"}, {"output": "b"}, {"output": "c"}]


async def test_capacity_limiter_bounds_worker_threads() -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    @tool
    def work() -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.01)
        with lock:
            running -= 1

    limiter = anyio.CapacityLimiter(2)
    await asyncio.gather(*(work.invoke({}, limiter=limiter) for _ in range(6)))
    assert peak == 2


class Thermostat:
    """A stateful device controller whose methods are tools."""

    def __init__(self, target: float) -> None:
        self.target = target

    @tool
    def set_target(self, celsius: float) -> dict[str, float]:
        """Set the target temperature.

        Args:
            celsius: Target in degrees Celsius.
        """
        self.target = celsius
        return {"target": self.target}

    def read(self) -> float:
        return self.target


async def test_method_tools_bind_to_each_instance() -> None:
    upstairs, downstairs = Thermostat(18.0), Thermostat(20.0)
    assert upstairs.set_target is upstairs.set_target  # built once per instance
    assert upstairs.set_target is not downstairs.set_target
    await upstairs.set_target.invoke({"celsius": 21.5})
    assert (upstairs.target, downstairs.target) == (21.5, 20.0)
    assert upstairs.set_target.declaration.to_wire()["parametersJsonSchema"]["properties"] == {
        "celsius": {"description": "Target in degrees Celsius.", "type": "number"}
    }
    assert upstairs.set_target(19.0) == {"target": 19.0}  # still an ordinary method


async def test_bound_method_passed_directly() -> None:
    thermostat = Thermostat(17.0)
    reader = tool(thermostat.read)
    assert reader.name == "read"
    assert (await reader.invoke({})).response == {"output": 17.0}


async def test_context_is_injected() -> None:
    seen: list[ToolContext[dict[str, str]]] = []

    @tool
    def whoami(ctx: ToolContext[dict[str, str]], greeting: str = "hi") -> str:
        seen.append(ctx)
        return f"{greeting} {ctx.deps['user']}"

    usage = Usage(requests=2, total_tokens=300)
    context = ToolContext(
        run_id="run-1", step=3, deps={"user": "ada"}, usage=usage, tool_name="whoami", call_id="c7"
    )
    result = await whoami.invoke({"greeting": "hello"}, context)
    assert result.response == {"output": "hello ada"}
    assert seen == [context]


async def test_context_is_not_an_argument_the_model_can_send() -> None:
    @tool
    def whoami(ctx: ToolContext[None]) -> None: ...

    result = await whoami.invoke({"ctx": {"run_id": "forged"}})
    assert result.error is not None and result.error.kind == "invalid_arguments"


# -- result conversion ----------------------------------------------------------------------


class Reading(BaseModel):
    room: str
    celsius: float


@dataclasses.dataclass
class Event:
    kind: str
    at: Any


@pytest.mark.parametrize(
    ("value", "response"),
    [
        ({"room": "hall", "on": True}, {"room": "hall", "on": True}),
        (Reading(room="hall", celsius=20.5), {"output": {"room": "hall", "celsius": 20.5}}),
        (Event(kind="door", at=None), {"output": {"kind": "door", "at": None}}),
        ([1, "two", None], {"output": [1, "two", None]}),
        ("done", {"output": "done"}),
        (None, {"output": None}),
        ({1, 2}, {"output": [1, 2]}),
    ],
    ids=["dict", "model", "dataclass", "list", "str", "none", "set"],
)
async def test_results_become_json_objects(value: Any, response: dict[str, Any]) -> None:
    @tool
    def produce() -> Any:
        return value

    assert (await produce.invoke({})).response == response


async def test_unserialisable_result_is_an_error_not_a_crash() -> None:
    @tool
    def leak() -> Any:
        return threading.Lock()

    result = await leak.invoke({})
    assert result.error is not None and result.error.kind == "invalid_result"
    assert "leak ran, but its result (a lock) cannot be converted to JSON" == result.error.message


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


async def test_image_bytes_become_inline_data_parts() -> None:
    @tool
    def snapshot(camera: str) -> bytes:
        return PNG

    result = await snapshot.invoke({"camera": "door"})
    assert [p.to_wire() for p in result.parts] == [
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgoAAAAAAAAAAA=="}}
    ]
    assert result.response == {"output": {"media": [{"mimeType": "image/png", "attached": True}]}}


async def test_media_with_other_values_and_without_multimodal_support() -> None:
    @tool
    def report() -> list[Any]:
        return [
            "3 people at the door",
            Part.from_bytes(PNG, "image/png"),
            Blob(mime_type="application/pdf", data="JVBERi0="),
        ]

    with_media = await report.invoke({})
    assert len(with_media.parts) == 2
    assert with_media.response == {"output": ["3 people at the door"]}
    without = await report.invoke({}, multimodal=False)
    assert without.parts == ()
    assert without.response == {"output": ["3 people at the door"]}


def test_tool_object_is_still_callable_and_inspectable() -> None:
    assert add(2, 2) == 4
    assert add.__name__ == "add" and add.__doc__ == "Add two numbers."
    assert isinstance(add, Tool) and repr(add) == "Tool('add')"
