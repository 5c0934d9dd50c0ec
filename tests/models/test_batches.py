"""``Gemini(...).batches`` against the emulator's Batch API: the exact create request of an
inline job, a job that goes through an uploaded JSONL file above the inline limit (a lowered
one, and once Gemini's real 20 MB), waiting with growing pauses, results in order with the
typed error of a refused request, paging, cancel and delete."""

from __future__ import annotations

import json

import pytest

from agentkit import Gemini
from agentkit.errors import AuthenticationError, BadRequestError, ConfigurationError, RateLimitError
from agentkit.models import Vertex
from agentkit.models.batches import INLINE_LIMIT, KeyedRequest, PollSchedule
from agentkit.testing.emulator import Emulator, EmulatorOptions, Fault
from agentkit.types import BatchOperation, BatchState, Content, GenerateContentRequest

FAST = PollSchedule(first=0.001, factor=2.0, longest=0.004)


def request(text: str) -> GenerateContentRequest:
    return GenerateContentRequest(contents=[Content.user(text)])


def echo(asked: GenerateContentRequest) -> str:
    return f"answer to {asked.contents[-1].parts[0].text}"


async def test_an_inline_job_sends_each_request_with_its_key_in_order(emulator: Emulator) -> None:
    emulator.respond_with(echo)
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    job = await gemini.batches.create(
        [KeyedRequest("run-1#1", request("one")), KeyedRequest("run-2#1", request("two"))],
        display_name="agentkit test",
    )
    assert (job.name, job.state) == ("batches/emu000001", BatchState.BATCH_STATE_PENDING)
    create = emulator.requests[-1]
    assert (create.method, create.path) == (
        "POST",
        "/v1beta/models/gemini-2.5-flash:batchGenerateContent",
    )
    assert create.body == (
        b'{"batch":{"displayName":"agentkit test","inputConfig":{"requests":{"requests":['
        b'{"request":{"contents":[{"role":"user","parts":[{"text":"one"}]}]},"metadata":{"key":"run-1#1"}},'
        b'{"request":{"contents":[{"role":"user","parts":[{"text":"two"}]}]},"metadata":{"key":"run-2#1"}}'
        b"]}}}}"
    )
    done = await gemini.batches.wait(str(job.name), schedule=FAST)
    assert done.state is BatchState.BATCH_STATE_SUCCEEDED and done.stats.done == 2
    results = await gemini.batches.results(done)
    assert [(r.key, r.response.text if r.response else None) for r in results] == [
        ("run-1#1", "answer to one"),
        ("run-2#1", "answer to two"),
    ]


async def test_wait_polls_with_growing_pauses_and_reports_each_state(emulator: Emulator) -> None:
    emulator.options = EmulatorOptions(batch_seconds=100)
    emulator.respond_with(echo)
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    job = await gemini.batches.create([KeyedRequest("k", request("q"))], display_name="slow")
    seen: list[str] = []

    def on_poll(operation: BatchOperation) -> None:
        seen.append(operation.state.short)
        if len(seen) == 2:
            emulator.batches.advance(60)  # half way: running
        if len(seen) == 4:
            emulator.batches.advance(60)  # past its time: done

    done = await gemini.batches.wait(str(job.name), schedule=FAST, on_poll=on_poll)
    assert seen == ["pending", "pending", "running", "running", "succeeded"]
    assert done.state.job_state == "JOB_STATE_SUCCEEDED"
    pauses = FAST.pauses()
    assert [next(pauses) for _ in range(5)] == [0.001, 0.002, 0.004, 0.004, 0.004]


async def test_a_refused_request_is_the_typed_error_generate_would_raise(
    emulator: Emulator,
) -> None:
    emulator.script(["fine", Fault.rate_limited(retry_delay=7)])
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    unanswered = GenerateContentRequest.model_validate(
        {
            "contents": [
                {"role": "user", "parts": [{"text": "lights?"}]},
                {"role": "model", "parts": [{"functionCall": {"name": "lights", "args": {}}}]},
                {"role": "user", "parts": [{"text": "well?"}]},
            ]
        }
    )
    job = await gemini.batches.create(
        [
            KeyedRequest("a", request("ok")),
            KeyedRequest("b", unanswered),
            KeyedRequest("c", request("x")),
        ],
        display_name="mixed",
    )
    results = await gemini.batches.results(await gemini.batches.wait(str(job.name), schedule=FAST))
    assert results[0].response is not None and results[0].response.text == "fine"
    refused = results[1].error
    assert isinstance(refused, BadRequestError)
    assert (refused.status_code, refused.status) == (400, "INVALID_ARGUMENT")
    assert "function call turn" in refused.message
    limited = results[2].error
    assert isinstance(limited, RateLimitError) and limited.status == "RESOURCE_EXHAUSTED"


async def test_above_the_inline_limit_the_requests_go_in_an_uploaded_jsonl_file(
    emulator: Emulator,
) -> None:
    emulator.respond_with(echo)
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    items = [KeyedRequest(f"row-{n}#1", request(f"question {n}")) for n in range(3)]
    job = await gemini.batches.create(items, display_name="filed", inline_limit=200)
    upload = next(r for r in emulator.requests if "upload_id=" in r.query)
    assert upload.body == b"".join(
        b'{"key":"row-%d#1","request":{"contents":[{"role":"user","parts":[{"text":"question %d"}]}]}}\n'
        % (n, n)
        for n in range(3)
    )
    start = next(r for r in emulator.requests if r.path == "/upload/v1beta/files" and not r.query)
    assert start.headers["x-goog-upload-header-content-type"] == "application/jsonl"
    create = emulator.requests[-1]
    file_name = create.json["batch"]["inputConfig"]["fileName"]
    assert create.json == {
        "batch": {"displayName": "filed", "inputConfig": {"fileName": file_name}}
    }
    done = await gemini.batches.wait(str(job.name), schedule=FAST)
    assert done.output is not None and done.output.responses_file
    results = await gemini.batches.results(done)
    assert [(r.key, r.response.text if r.response else None) for r in results] == [
        (f"row-{n}#1", f"answer to question {n}") for n in range(3)
    ]
    download = emulator.requests[-1]
    assert download.path == f"/v1beta/{done.output.responses_file}:download"
    assert download.query == "alt=media"


async def test_at_gemini_s_real_20_mb_the_job_goes_through_a_file(emulator: Emulator) -> None:
    emulator.respond_with(lambda asked: f"{len(asked.contents[0].parts[0].text or '')} characters")
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    items = [KeyedRequest(f"k{n}", request(chr(97 + n) * 1_000_000)) for n in range(21)]
    assert sum(len(json.dumps(i.request.to_wire())) for i in items) > INLINE_LIMIT
    job = await gemini.batches.create(items, display_name="twenty-one megabytes")
    create = emulator.requests[-1]
    assert len(create.body) < 200 and "fileName" in create.json["batch"]["inputConfig"]
    results = await gemini.batches.results(await gemini.batches.wait(str(job.name), schedule=FAST))
    assert [r.response.text for r in results if r.response] == ["1000000 characters"] * 21


async def test_list_pages_cancel_and_delete(emulator: Emulator) -> None:
    emulator.options = EmulatorOptions(batch_seconds=3600)
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    made = [
        await gemini.batches.create([KeyedRequest("k", request(str(n)))], display_name=f"job {n}")
        for n in range(3)
    ]
    listed = [job async for job in gemini.batches.list(page_size=2)]
    assert [job.name for job in listed] == [job.name for job in made]
    assert [job.metadata.display_name for job in listed if job.metadata] == [
        "job 0",
        "job 1",
        "job 2",
    ]
    await gemini.batches.cancel(str(made[0].name))
    cancel = emulator.requests[-1]
    assert (cancel.method, cancel.path, cancel.body) == (
        "POST",
        "/v1beta/batches/emu000001:cancel",
        b"{}",
    )
    assert (
        await gemini.batches.wait(str(made[0].name), schedule=FAST)
    ).state is BatchState.BATCH_STATE_CANCELLED
    await gemini.batches.delete(str(made[0].name))
    assert [job.name async for job in gemini.batches.list()] == [made[1].name, made[2].name]


async def test_a_create_is_sent_once_even_when_it_fails(emulator: Emulator) -> None:
    emulator.options = EmulatorOptions(api_key="the-right-key")
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url, api_key="a-wrong-key")
    with pytest.raises(BadRequestError, match="API key not valid"):
        await gemini.batches.create([KeyedRequest("k", request("q"))], display_name="x")
    assert len(emulator.requests) == 1 and "a-wrong-key" not in repr(
        emulator.rejections[0].rejection
    )
    keyless = Gemini("gemini-2.5-flash", base_url=emulator.url)
    with pytest.raises(AuthenticationError):
        await keyless.batches.get("batches/emu000001")


def test_vertex_has_no_batch_api_of_this_kind() -> None:
    async def token() -> str:
        return "ya29.token"

    vertex = Vertex("gemini-2.5-flash", project="p", token=token)
    with pytest.raises(ConfigurationError, match="Developer API"):
        vertex.batches  # noqa: B018
