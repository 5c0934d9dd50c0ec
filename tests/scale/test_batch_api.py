"""Agent runs on the Batch API against the emulator: one job per step holding every waiting
run's request (exact bytes, in order, keyed), the histories a plain run of the same prompts
produces, each tool call executed once, a request refused inside a job, a passing error
sent again, a job that fails or expires (and the run that continues it), the file path
above the inline limit, and the batch price."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentkit import Agent, Gemini, tool
from agentkit.errors import BadRequestError, BatchJobError
from agentkit.models import Model
from agentkit.models.batches import PollSchedule
from agentkit.scale import BatchApiOptions, BatchApiRunner, JobProgress, RunOutcome, RunSpec
from agentkit.scale.job_ledger import JobLedger
from agentkit.testing.emulator import Emulator, EmulatorOptions, Fault
from agentkit.types import GenerateContentRequest

FAST = BatchApiOptions(poll=PollSchedule(first=0.002, factor=2.0, longest=0.01))


class Counter:
    """A tool whose every execution is counted, by call."""

    def __init__(self) -> None:
        self.executed: list[tuple[str, str]] = []
        self._lock = threading.Lock()

        @tool
        def look_up(city: str, what: str) -> dict[str, str]:
            """Look something up about a city.

            Args:
                city: The city.
                what: weather or time.
            """
            with self._lock:
                self.executed.append((city, what))
            return {"city": city, what: "fine" if what == "weather" else "18:00"}

        self.tool = look_up


def two_rounds_then_text(request: GenerateContentRequest) -> Any:
    """Round 1 asks the weather, round 2 the time (two parallel calls each), then text; a
    prompt saying "quick" is answered at once."""
    prompt = request.contents[0].parts[0].text or ""
    rounds = sum(1 for content in request.contents if content.function_responses)
    if "quick" in prompt or rounds == 2:
        return f"done: {prompt}"
    what = "weather" if rounds == 0 else "time"
    return [{"functionCall": {"name": "look_up", "args": {"city": c, "what": what}}} for c in ("Paris", "Oslo")]


def runner_for(
    gemini: Gemini,
    counter: Counter,
    state: Path,
    on_progress: Callable[[JobProgress], None] | None = None,
    **options: Any,
) -> BatchApiRunner:
    def agent_for(model: Model) -> Agent[Any]:
        return Agent(model, tools=[counter.tool], instructions="Answer briefly.")

    chosen = BatchApiOptions(poll=FAST.poll, **options)
    return BatchApiRunner(gemini, agent_for, state, options=chosen, on_progress=on_progress)


def creates(emulator: Emulator) -> list[Any]:
    return [r for r in emulator.requests if r.path.endswith(":batchGenerateContent")]


async def test_each_step_of_every_run_goes_out_as_one_job(emulator: Emulator, tmp_path: Path) -> None:
    emulator.respond_with(two_rounds_then_text)
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    counter = Counter()
    runner = runner_for(gemini, counter, tmp_path / "state.db")
    specs = [RunSpec("r1", ("first",)), RunSpec("quick-one", ("quick one",)), RunSpec("r3", ("third",))]
    outcomes: list[RunOutcome] = []
    report = await runner.run(specs, outcomes.append)
    assert report.submitted == ["batches/emu000001", "batches/emu000002", "batches/emu000003"]
    jobs = creates(emulator)
    keys = [
        [item["metadata"]["key"] for item in job.json["batch"]["inputConfig"]["requests"]["requests"]]
        for job in jobs
    ]
    assert keys == [["r1#1", "quick-one#1", "r3#1"], ["r1#2", "r3#2"], ["r1#3", "r3#3"]]
    executed = list(counter.executed)
    # The job holds each run's request exactly as a plain run sends it to generateContent.
    token = JobLedger(tmp_path / "state.db").token
    plain = {}
    for text in ("first", "quick one", "third"):
        await Agent(gemini, tools=[counter.tool], instructions="Answer briefly.").run(text)
        plain[text] = next(r.body for r in emulator.requests if r.path.endswith(":generateContent"))
        emulator.requests.clear()
    assert jobs[0].body == (
        b'{"batch":{"displayName":"agentkit ' + token.encode() + b'-1","inputConfig":{"requests":'
        b'{"requests":[{"request":' + plain["first"] + b',"metadata":{"key":"r1#1"}},'
        b'{"request":' + plain["quick one"] + b',"metadata":{"key":"quick-one#1"}},'
        b'{"request":' + plain["third"] + b',"metadata":{"key":"r3#1"}}]}}}}'
    )
    counter.executed.clear()
    counter.executed.extend(executed)
    assert [o.id for o in outcomes] == ["quick-one", "r1", "r3"]  # as each finished
    assert {o.id: o.result.text for o in outcomes if o.result} == {
        "quick-one": "done: quick one",
        "r1": "done: first",
        "r3": "done: third",
    }
    # Each call of each run executed exactly once: two runs, two rounds of two calls.
    assert sorted(counter.executed) == sorted(
        [(c, w) for c in ("Paris", "Oslo") for w in ("weather", "time")] * 2
    )
    r1 = next(o for o in outcomes if o.id == "r1")
    assert r1.result is not None and len(r1.result.tool_calls) == 4
    assert r1.result.usage.requests == 3
    assert r1.batch_cost_usd == pytest.approx((r1.standard_cost_usd or 0) / 2)
    assert (r1.standard_cost_usd or 0) > 0


async def test_the_histories_are_those_of_plain_runs_of_the_same_prompts(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.respond_with(two_rounds_then_text)
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    counter = Counter()
    prompts = {f"row-{n}": (f"task {n}", f"and then {n}") for n in range(4)}
    outcomes: list[RunOutcome] = []
    await runner_for(gemini, counter, tmp_path / "state.db").run(
        [RunSpec(key, texts) for key, texts in prompts.items()], outcomes.append
    )
    batched = {o.id: o.result.history for o in outcomes if o.result}
    executed_in_batch = sorted(counter.executed)

    counter.executed.clear()
    plain = {}
    for key, texts in prompts.items():
        agent = Agent(gemini, tools=[counter.tool], instructions="Answer briefly.")
        history: list[Any] = []
        for text in texts:
            history = (await agent.run(text, history=history)).history
        plain[key] = history
    assert batched == plain
    assert executed_in_batch == sorted(counter.executed)
    # The first prompt takes three steps (two tool rounds, then text), the second one.
    assert [turn["role"] for turn in batched["row-0"]] == ["user", "model"] * 4


async def test_a_request_refused_inside_a_job_fails_its_run_alone(emulator: Emulator, tmp_path: Path) -> None:
    def respond(request: GenerateContentRequest) -> Any:
        if request.contents[0].parts[0].text == "refused" and len(request.contents) > 1:
            return Fault.http_error(400, "Request contains an invalid argument.")
        return two_rounds_then_text(request)

    emulator.respond_with(respond)
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    outcomes: list[RunOutcome] = []
    await runner_for(gemini, Counter(), tmp_path / "state.db").run(
        [RunSpec("ok", ("fine",)), RunSpec("bad", ("refused",))], outcomes.append
    )
    bad = next(o for o in outcomes if o.id == "bad")
    assert isinstance(bad.error, BadRequestError)
    assert (bad.error.status_code, bad.error.status) == (400, "INVALID_ARGUMENT")
    assert bad.error.message == "Request contains an invalid argument."
    ok = next(o for o in outcomes if o.id == "ok")
    assert ok.result is not None and ok.result.text == "done: fine"


async def test_a_passing_error_goes_into_the_next_job_again(emulator: Emulator, tmp_path: Path) -> None:
    failures = {"left": 1}

    def respond(request: GenerateContentRequest) -> Any:
        if request.contents[0].parts[0].text == "flaky" and len(request.contents) == 1 and failures["left"]:
            failures["left"] -= 1
            return Fault.http_error(503, "The model is overloaded. Please try again later.")
        return two_rounds_then_text(request)

    emulator.respond_with(respond)
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    outcomes: list[RunOutcome] = []
    await runner_for(gemini, Counter(), tmp_path / "state.db").run(
        [RunSpec("steady", ("steady",)), RunSpec("flaky", ("flaky",))], outcomes.append
    )
    keys = [
        [i["metadata"]["key"] for i in job.json["batch"]["inputConfig"]["requests"]["requests"]]
        for job in creates(emulator)
    ]
    assert keys == [
        ["steady#1", "flaky#1"],
        ["steady#2", "flaky#1"],  # the 503'd request again, beside the other's next step
        ["steady#3", "flaky#2"],
        ["flaky#3"],
    ]
    assert all(o.error is None for o in outcomes)


@pytest.mark.parametrize("ending", ["failed", "expired"])
async def test_a_job_that_ends_without_answers_stops_the_batch_and_a_rerun_continues(
    emulator: Emulator, tmp_path: Path, ending: str
) -> None:
    emulator.respond_with(two_rounds_then_text)
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    counter = Counter()
    state = tmp_path / "state.db"
    outcomes: list[RunOutcome] = []

    def on_progress(progress: JobProgress) -> None:
        if progress.name == "batches/emu000001" and progress.state.short == "succeeded":
            if ending == "failed":  # the next job to complete fails as a whole
                emulator.batches.fail_next("The batch hit an internal error.")
            else:  # the next job takes three days: it expires at two
                emulator.options = EmulatorOptions(batch_seconds=72 * 3600)
        if ending == "expired" and progress.name == "batches/emu000002":
            emulator.batches.advance(24 * 3600)

    first = runner_for(gemini, counter, state, on_progress=on_progress)
    with pytest.raises(BatchJobError) as stopped:
        await first.run([RunSpec("a", ("alpha",)), RunSpec("b", ("beta",))], outcomes.append)
    assert stopped.value.job == "batches/emu000002"
    assert stopped.value.state == f"BATCH_STATE_{ending.upper()}"
    assert outcomes == []  # no run finished: both stopped at their saved first step
    states = [(job.name, job.state) for job in JobLedger(state).jobs()]
    assert states == [
        ("batches/emu000001", "BATCH_STATE_SUCCEEDED"),
        ("batches/emu000002", f"BATCH_STATE_{ending.upper()}"),
    ]

    emulator.options = EmulatorOptions()
    again = runner_for(gemini, counter, state)
    report = await again.run([RunSpec("a", ("alpha",)), RunSpec("b", ("beta",))], outcomes.append)
    assert report.submitted == ["batches/emu000003", "batches/emu000004"] and report.reused == []
    assert sorted((o.id, o.resumed, o.result.text if o.result else None) for o in outcomes) == [
        ("a", True, "done: alpha"),
        ("b", True, "done: beta"),
    ]
    second_step = creates(emulator)[2].json["batch"]["inputConfig"]["requests"]["requests"]
    assert [i["metadata"]["key"] for i in second_step] == ["a#2", "b#2"]
    # The weather was looked up once per call, before the failed job; never again.
    assert sorted(counter.executed) == sorted(
        [(c, w) for c in ("Paris", "Oslo") for w in ("weather", "time")] * 2
    )
    a = next(o for o in outcomes if o.id == "a")
    assert a.result is not None and len(a.result.tool_calls) == 4 and a.result.usage.requests == 3


async def test_above_the_inline_limit_a_job_goes_through_an_uploaded_file(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.respond_with(two_rounds_then_text)
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    outcomes: list[RunOutcome] = []
    runner = runner_for(gemini, Counter(), tmp_path / "state.db", inline_limit=1_000)
    await runner.run([RunSpec(f"r{n}", (f"task {n}",)) for n in range(3)], outcomes.append)
    jobs = creates(emulator)
    assert len(jobs) == 3 and all("fileName" in job.json["batch"]["inputConfig"] for job in jobs)
    uploads = [r for r in emulator.requests if "upload_id=" in r.query]
    first_file = [json.loads(line) for line in uploads[0].body.splitlines()]
    assert [line["key"] for line in first_file] == ["r0#1", "r1#1", "r2#1"]
    assert first_file[0]["request"]["contents"] == [{"role": "user", "parts": [{"text": "task 0"}]}]
    downloads = [r for r in emulator.requests if r.path.endswith(":download")]
    assert len(downloads) == 3
    assert sorted(o.result.text for o in outcomes if o.result) == ["done: task 0", "done: task 1", "done: task 2"]


async def test_a_job_that_finished_while_nothing_waited_answers_the_resumed_runs(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.respond_with(two_rounds_then_text)
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    counter = Counter()
    state = tmp_path / "state.db"
    specs = [RunSpec("a", ("alpha",)), RunSpec("b", ("beta",))]
    outcomes: list[RunOutcome] = []

    def stop_once_answered(progress: JobProgress) -> None:
        if progress.state.short == "succeeded":
            first.stop()  # as a kill would: the answers are there, nobody reads them

    first = runner_for(gemini, counter, state, on_progress=stop_once_answered)
    await first.run(specs, outcomes.append)
    assert outcomes == [] and counter.executed == []
    assert [(j.name, j.state) for j in JobLedger(state).jobs()] == [
        ("batches/emu000001", "BATCH_STATE_SUCCEEDED")
    ]

    report = await runner_for(gemini, counter, state).run(specs, outcomes.append)
    assert report.reused == ["batches/emu000001"]
    assert report.submitted == ["batches/emu000002", "batches/emu000003"]
    assert len(creates(emulator)) == 3  # the first step was not sent again
    assert sorted(o.result.text for o in outcomes if o.result) == ["done: alpha", "done: beta"]
