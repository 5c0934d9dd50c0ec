"""A durable run's steps: each model call and each tool call recorded by DBOS.

Inside a DBOS workflow, a step runs once: its result is written to the system database
before the workflow goes on, and an execution that resumes the workflow after a crash gets
the written result back instead of running the step again. Two wrappers make the one loop
(``agent/loop.py``) durable without the loop knowing about DBOS:

- ``RecordedModel`` wraps the run's model; every ``generate`` is a step whose result is the
  response's JSON. The original execution is handed the same parse of that JSON as a
  resumed one, so the history after a recovery is byte for byte the history of a run that
  never stopped (thought signatures included).
- ``RecordedToolCalls`` is the executor's ``ToolCallRecorder``: each tool call of a turn is a
  step named after its key (prompt, step, call id).

DBOS numbers steps in the order they begin, which for calls started together would be the
order the scheduler happens to run them. So the step ids of a turn's calls are drawn
(``DBOS.reserve_step``) in call order before any of them starts, and each call runs at its
own id: a replay finds every call's result at the same id whatever order the calls finish
in. Step names carry the key as well, so a replay that somehow reached a different call at
an id fails with DBOS's ``DBOSUnexpectedStepError`` rather than returning another call's
result.

A step that fails with an agentkit error (the model API refused, a tool ended the run) is
not recorded: such errors end the run, and a run resumed at that point asks again.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from dbos import DBOS, StepReservation

from agentkit.agent.executor import PlannedCall, RecordedCall, ToolInvocation
from agentkit.errors import AgentkitError, ConfigurationError
from agentkit.models.base import Model
from agentkit.tools.results import ToolError, ToolResult
from agentkit.types import FunctionResponsePart, GenerateContentRequest, GenerateContentResponse


class _NotRecorded(BaseException):
    """Carries an agentkit error out of a step without DBOS recording it: DBOS records
    every ``Exception`` a step raises, and a recorded error would have to be rebuilt from
    its pickle, which agentkit's errors (keyword-only fields) do not survive."""

    def __init__(self, error: AgentkitError) -> None:
        super().__init__(str(error))
        self.error = error


class RecordedModel:
    """A model whose every ``generate`` is a durable step named ``model {prefix}.{n}``."""

    def __init__(self, model: Model, prefix: str) -> None:
        self._model = model
        self._prefix = prefix
        self._calls = 0

    @property
    def name(self) -> str:
        return self._model.name

    def __getattr__(self, attribute: str) -> Any:
        # Resource clients (files, caches) and limits the loop looks up on its model: the
        # wrapped model's own. Uploads and caches are made again by a resumed run, as any
        # request-side preparation is.
        return getattr(self._model, attribute)

    async def generate(self, request: GenerateContentRequest) -> GenerateContentResponse:
        self._calls += 1
        name = f"model {self._prefix}.{self._calls}"
        try:
            recorded: str = await DBOS.run_step_async({"name": name}, self._call, request)
        except _NotRecorded as failure:
            raise failure.error from None
        return GenerateContentResponse.model_validate(json.loads(recorded))

    async def _call(self, request: GenerateContentRequest) -> str:
        try:
            response = await self._model.generate(request)
        except AgentkitError as error:
            raise _NotRecorded(error) from error
        return json.dumps(response.to_wire(), ensure_ascii=False, separators=(",", ":"))

    def stream(self, request: GenerateContentRequest) -> AsyncIterator[GenerateContentResponse]:
        raise ConfigurationError("a durable run records whole responses: it runs with stream=False")


class RecordedToolCalls:
    """The executor's ``ToolCallRecorder`` for one prompt of a durable run."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix

    def for_turn(self, step: int, calls: Sequence[PlannedCall]) -> RecordedCall:
        # Drawn here, in call order, before any call starts: see the module's docstring.
        reservations = {id(item): DBOS.reserve_step() for item in calls}
        prefix = self._prefix

        async def recorded(item: PlannedCall, invoke: ToolInvocation) -> ToolResult:
            key = item.call.id or f"#{item.position}"
            name = f"tool {prefix}.{step}.{key} {item.call.name}"
            reservation: StepReservation = reservations[id(item)]

            async def run_tool() -> str:
                try:
                    result = await invoke()
                except AgentkitError as error:
                    raise _NotRecorded(error) from error
                started = item.fate is not None and item.fate.started
                return _dump_result(result, started)

            try:
                recorded_json: str = await reservation.run_async({"name": name}, run_tool)
            except _NotRecorded as failure:
                raise failure.error from None
            result, started = _load_result(recorded_json)
            if item.fate is not None:
                # A replayed call counts against the tool-call limit as it did when it ran.
                item.fate.started = started
            return result

        return recorded


def _dump_result(result: ToolResult, started: bool) -> str:
    error = result.error
    return json.dumps(
        {
            "response": result.response,
            "parts": [part.to_wire() for part in result.parts],
            "error": None
            if error is None
            else {"kind": error.kind, "message": error.message, "details": error.details},
            "duration": result.duration,
            "started": started,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _load_result(recorded: str) -> tuple[ToolResult, bool]:
    data = json.loads(recorded)
    error = data["error"]
    result = ToolResult(
        data["response"],
        tuple(FunctionResponsePart.model_validate(part) for part in data["parts"]),
        None if error is None else ToolError(error["kind"], error["message"], error["details"]),
        float(data["duration"]),
    )
    return result, bool(data["started"])
