"""The Batch API in the emulator, driven by Google's own SDK unchanged (``client.batches``):
a job of inline requests and one from an uploaded JSONL file, its states on the emulator's
clock, inline and file responses, a refused request answered in place, paging, cancel,
delete, a job that fails or expires, and the inline size limit."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from agentkit.testing.emulator import Emulator, EmulatorOptions, Fault

genai = pytest.importorskip("google.genai")
from google.genai import errors, types  # noqa: E402

MODEL = "gemini-2.5-flash"


def client(emulator: Emulator) -> genai.Client:
    return genai.Client(api_key="emulator-key", http_options=types.HttpOptions(base_url=emulator.url))


def ask(text: str) -> dict[str, Any]:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}]}


def echo(request: Any) -> str:
    return f"answer to {request.contents[-1].parts[0].text}"


def test_an_inline_job_goes_pending_running_succeeded_on_the_clock(emulator: Emulator) -> None:
    emulator.options = EmulatorOptions(batch_seconds=600)
    emulator.respond_with(echo)
    sdk = client(emulator)
    job = sdk.batches.create(
        model=MODEL,
        src=[{**ask("one"), "metadata": {"key": "first"}}, ask("two")],
        config={"display_name": "two questions"},
    )
    assert job.name == "batches/emu000001" and job.state == types.JobState.JOB_STATE_PENDING
    assert job.display_name == "two questions" and job.model == f"models/{MODEL}"
    create = emulator.requests[-1]
    assert create.path.endswith(f"/models/{MODEL}:batchGenerateContent")
    assert create.json == {
        "batch": {
            "displayName": "two questions",
            "inputConfig": {
                "requests": {
                    "requests": [
                        {"request": ask("one"), "metadata": {"key": "first"}},
                        {"request": ask("two")},
                    ]
                }
            },
        }
    }
    assert sdk.batches.get(name=job.name).state == types.JobState.JOB_STATE_PENDING
    emulator.batches.advance(300)
    assert sdk.batches.get(name=job.name).state == types.JobState.JOB_STATE_RUNNING
    emulator.batches.advance(300)
    done = sdk.batches.get(name=job.name)
    assert done.state == types.JobState.JOB_STATE_SUCCEEDED and done.end_time is not None
    assert done.dest is not None and done.dest.inlined_responses is not None
    answers = done.dest.inlined_responses
    assert [a.response.text for a in answers if a.response] == ["answer to one", "answer to two"]
    assert [a.metadata for a in answers] == [{"key": "first"}, None]
    raw = emulator.requests[-1]
    assert raw.method == "GET" and raw.path.endswith("/batches/emu000001")


def test_a_request_the_api_would_refuse_gets_its_error_and_the_rest_are_answered(
    emulator: Emulator,
) -> None:
    emulator.respond_with(echo)
    sdk = client(emulator)
    unanswered = {
        "contents": [
            {"role": "user", "parts": [{"text": "lights?"}]},
            {"role": "model", "parts": [{"functionCall": {"name": "lights", "args": {}}}]},
            {"role": "user", "parts": [{"text": "well?"}]},
        ]
    }
    job = sdk.batches.create(
        model=MODEL, src=[ask("fine"), unanswered, ask("also fine")], config={"display_name": "x"}
    )
    sdk.batches.get(name=job.name)  # completes it (no delay set)
    operation = _raw_get(emulator, job.name)
    answers = operation["metadata"]["output"]["inlinedResponses"]["inlinedResponses"]
    assert answers[0]["response"]["candidates"][0]["content"]["parts"] == [{"text": "answer to fine"}]
    assert answers[2]["response"]["candidates"][0]["content"]["parts"] == [{"text": "answer to also fine"}]
    # An RPC status (3 = INVALID_ARGUMENT), as generateContent's 400 would have said it.
    assert answers[1]["error"]["code"] == 3
    assert "function call turn" in answers[1]["error"]["message"]
    assert operation["metadata"]["batchStats"] == {
        "requestCount": "3",
        "successfulRequestCount": "2",
        "failedRequestCount": "1",
    }
    assert operation["done"] is True
    assert operation["response"]["inlinedResponses"] == operation["metadata"]["output"]["inlinedResponses"]


def test_a_scripted_http_error_lands_in_that_requests_response(emulator: Emulator) -> None:
    emulator.script(["first", Fault.http_error(503, "The model is overloaded."), "third"])
    sdk = client(emulator)
    job = sdk.batches.create(model=MODEL, src=[ask("a"), ask("b"), ask("c")], config={"display_name": "x"})
    done = sdk.batches.get(name=job.name)
    assert done.dest is not None and done.dest.inlined_responses is not None
    first, second, third = done.dest.inlined_responses
    assert first.response is not None and first.response.text == "first"
    assert second.error is not None and second.error.code == 14  # UNAVAILABLE
    assert second.error.message == "The model is overloaded."
    assert third.response is not None and third.response.text == "third"


def test_a_job_from_an_uploaded_file_answers_in_a_responses_file(emulator: Emulator) -> None:
    emulator.respond_with(echo)
    sdk = client(emulator)
    lines = [json.dumps({"key": f"row-{n}", "request": ask(f"q{n}")}) for n in range(3)]
    uploaded = sdk.files.upload(
        file=io.BytesIO("\n".join(lines).encode()),
        config=types.UploadFileConfig(mime_type="application/jsonl", display_name="requests"),
    )
    job = sdk.batches.create(model=MODEL, src=uploaded.name, config={"display_name": "from a file"})
    assert emulator.requests[-1].json == {
        "batch": {"displayName": "from a file", "inputConfig": {"fileName": uploaded.name}}
    }
    done = sdk.batches.get(name=job.name)
    assert done.state == types.JobState.JOB_STATE_SUCCEEDED
    assert done.dest is not None and done.dest.file_name is not None
    data = sdk.files.download(file=done.dest.file_name)
    responses = [json.loads(line) for line in data.decode().splitlines()]
    assert [r["key"] for r in responses] == ["row-0", "row-1", "row-2"]
    texts = [r["response"]["candidates"][0]["content"]["parts"][0]["text"] for r in responses]
    assert texts == ["answer to q0", "answer to q1", "answer to q2"]
    assert sdk.files.get(name=done.dest.file_name).source == types.FileSource.GENERATED
    # What was uploaded is the API's to use, not to hand back.
    with pytest.raises(errors.ClientError, match="Only files the API generated"):
        sdk.files.download(file=str(uploaded.name))


def test_an_input_file_with_a_line_that_is_no_json_fails_the_job(emulator: Emulator) -> None:
    sdk = client(emulator)
    uploaded = sdk.files.upload(
        file=io.BytesIO(json.dumps({"key": "a", "request": ask("q")}).encode() + b"\nnot json\n"),
        config=types.UploadFileConfig(mime_type="application/jsonl"),
    )
    job = sdk.batches.create(model=MODEL, src=uploaded.name, config={"display_name": "x"})
    assert sdk.batches.get(name=job.name).state == types.JobState.JOB_STATE_FAILED
    assert _raw_get(emulator, job.name)["error"] == {
        "code": 3,
        "message": "The input file's line 2 is not a JSON object.",
    }


def test_jobs_are_listed_page_by_page(emulator: Emulator) -> None:
    emulator.options = EmulatorOptions(batch_seconds=60)
    sdk = client(emulator)
    names = [
        sdk.batches.create(model=MODEL, src=[ask(str(n))], config={"display_name": f"job {n}"}).name
        for n in range(3)
    ]
    listed = list(sdk.batches.list(config={"page_size": 2}))
    assert [job.name for job in listed] == names
    assert [job.display_name for job in listed] == ["job 0", "job 1", "job 2"]
    pages = [r.query for r in emulator.requests if r.method == "GET" and r.path.endswith("/batches")]
    assert pages == ["pageSize=2", "pageSize=2&pageToken=2"]


def test_cancel_stops_a_running_job_and_delete_forgets_it(emulator: Emulator) -> None:
    emulator.options = EmulatorOptions(batch_seconds=3600)
    emulator.respond_with(echo)
    sdk = client(emulator)
    job = sdk.batches.create(model=MODEL, src=[ask("a")], config={"display_name": "x"})
    assert job.name is not None
    sdk.batches.cancel(name=job.name)
    cancel = emulator.requests[-1]
    assert cancel.method == "POST" and cancel.path.endswith("/batches/emu000001:cancel")
    emulator.batches.advance(7200)  # its time passes: a cancelled job stays cancelled
    cancelled = sdk.batches.get(name=job.name)
    assert cancelled.state == types.JobState.JOB_STATE_CANCELLED and cancelled.dest is None
    with pytest.raises(errors.ClientError, match="only a pending or running batch"):
        sdk.batches.cancel(name=job.name)
    sdk.batches.delete(name=job.name)
    assert emulator.requests[-1].method == "DELETE"
    with pytest.raises(errors.ClientError, match="404"):
        sdk.batches.get(name=job.name)
    assert list(sdk.batches.list()) == []


def test_a_job_longer_than_48_hours_expires_at_48_hours(emulator: Emulator) -> None:
    emulator.options = EmulatorOptions(batch_seconds=72 * 3600)
    sdk = client(emulator)
    job = sdk.batches.create(model=MODEL, src=[ask("a")], config={"display_name": "slow"})
    emulator.batches.advance(48 * 3600 - 1)
    assert sdk.batches.get(name=job.name).state == types.JobState.JOB_STATE_RUNNING
    emulator.batches.advance(1)
    assert sdk.batches.get(name=job.name).state == types.JobState.JOB_STATE_EXPIRED
    assert _raw_get(emulator, job.name)["error"]["code"] == 4


def test_a_job_a_test_fails_ends_failed_with_its_message(emulator: Emulator) -> None:
    emulator.respond_with(echo)
    emulator.batches.fail_next("The batch hit an internal error.")
    sdk = client(emulator)
    job = sdk.batches.create(model=MODEL, src=[ask("a")], config={"display_name": "x"})
    assert sdk.batches.get(name=job.name).state == types.JobState.JOB_STATE_FAILED
    assert _raw_get(emulator, job.name)["error"] == {"code": 13, "message": "The batch hit an internal error."}
    again = sdk.batches.create(model=MODEL, src=[ask("b")], config={"display_name": "y"})
    assert sdk.batches.get(name=again.name).state == types.JobState.JOB_STATE_SUCCEEDED


def test_an_inline_job_over_the_size_limit_is_refused(emulator: Emulator) -> None:
    emulator.options = EmulatorOptions(batch_inline_bytes=2_000)
    sdk = client(emulator)
    with pytest.raises(errors.ClientError, match="payload size exceeds the limit: 2000 bytes"):
        sdk.batches.create(model=MODEL, src=[ask("x" * 2_000)], config={"display_name": "big"})
    assert emulator.batches.now() and list(sdk.batches.list()) == []


def test_what_a_create_request_must_hold(emulator: Emulator) -> None:
    sdk = client(emulator)
    with pytest.raises(errors.ClientError, match="display_name is required"):
        sdk.batches.create(model=MODEL, src=[ask("a")])
    with pytest.raises(errors.ClientError, match="models/gemini-9-ultra is not found"):
        sdk.batches.create(model="gemini-9-ultra", src=[ask("a")], config={"display_name": "x"})
    with pytest.raises(errors.ClientError, match="may not exist"):
        sdk.batches.create(model=MODEL, src="files/never-uploaded", config={"display_name": "x"})


def _raw_get(emulator: Emulator, name: str | None) -> dict[str, Any]:
    """The operation as the wire has it (the SDK keeps only part of it)."""
    import httpx

    return dict(httpx.get(f"{emulator.url}/v1beta/{name}").json())
