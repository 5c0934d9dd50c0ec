"""``Gemini(...).files`` against the emulator's Files API: a chunked upload exactly as
Google's SDK sends it, an upload that resumes after a lost answer without sending a byte
twice, waiting for a video to become ACTIVE, typed refusals, and a file used in a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentkit import Agent, Gemini
from agentkit.errors import FileError
from agentkit.testing.emulator import Emulator
from agentkit.types import Content, Part
from agentkit.types.media import UnsupportedMediaType, mime_type_of

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d605f60000000049454e44ae426082"
)


def chunks(emulator: Emulator) -> list[tuple[str, int]]:
    return [
        (r.headers["x-goog-upload-command"], int(r.headers.get("x-goog-upload-offset", "-1")))
        for r in emulator.requests
        if "upload_id=" in r.query
    ]


async def test_a_large_upload_goes_in_8_mib_chunks_and_is_used_in_a_run(
    emulator: Emulator, tmp_path: Path
) -> None:
    manual = tmp_path / "manual.pdf"
    manual.write_bytes(b"%PDF-1.7\n" + bytes(25 * 1024 * 1024))  # a 25 MB document
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    uploaded = await gemini.files.upload(manual, display_name="manual")
    assert (uploaded.mime_type, uploaded.display_name, uploaded.state) == (
        "application/pdf",
        "manual",
        "ACTIVE",
    )
    assert int(uploaded.size_bytes or 0) == manual.stat().st_size
    mib = 1024 * 1024
    assert chunks(emulator) == [
        ("upload", 0),
        ("upload", 8 * mib),
        ("upload", 16 * mib),
        ("upload, finalize", 24 * mib),
    ]
    start = next(r for r in emulator.requests if r.path == "/upload/v1beta/files" and not r.query)
    assert start.headers["x-goog-upload-protocol"] == "resumable"
    assert start.headers["x-goog-upload-header-content-type"] == "application/pdf"
    emulator.script(["It is a manual."])
    result = await Agent(gemini).run(Content.user(Part.from_file(uploaded), "What is this?"))
    assert result.text == "It is a manual."
    sent = emulator.requests[-1].json["contents"][0]["parts"][0]
    assert sent == {"fileData": {"fileUri": uploaded.uri, "mimeType": "application/pdf"}}
    assert [f.name async for f in gemini.files.list()] == [uploaded.name]
    await gemini.files.delete(str(uploaded.name))
    assert [f async for f in gemini.files.list()] == []
    await gemini.aclose()


async def test_an_upload_resumes_from_what_the_server_has_after_a_lost_answer(
    emulator: Emulator,
) -> None:
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    emulator.files.lose_answers = 1  # the first chunk arrives but its answer is lost
    data = b"%PDF-1.4\n" + bytes(10 * 1024 * 1024)
    uploaded = await gemini.files.upload(data, chunk_bytes=4 * 1024 * 1024)
    assert int(uploaded.size_bytes or 0) == len(data)
    mib = 4 * 1024 * 1024
    assert chunks(emulator) == [
        ("upload", 0),
        ("query", -1),
        ("upload", mib),
        ("upload, finalize", 2 * mib),
    ]
    await gemini.aclose()


async def test_waiting_for_a_video_and_what_is_refused(emulator: Emulator) -> None:
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    video = await gemini.files.upload(b"\x00\x00\x00\x18ftypmp42" + bytes(1000))
    assert (video.mime_type, video.state) == ("video/mp4", "PROCESSING")
    with pytest.raises(FileError, match=r"did not become ACTIVE within 0.05 s"):
        await gemini.files.wait_active(video, timeout=0.05, poll=0.01)
    emulator.files.advance(10)
    assert (await gemini.files.wait_active(video, poll=0.01)).state == "ACTIVE"
    broken = await gemini.files.upload(b"not a video at all", mime_type="video/mp4")
    emulator.files.advance(10)
    with pytest.raises(
        FileError, match=r"failed processing: The file is not valid video/mp4."
    ) as failed:
        await gemini.files.wait_active(broken, poll=0.01)
    assert failed.value.file == broken.name
    with pytest.raises(
        FileError, match="is not a type Gemini takes; supported types are image: image/png"
    ):
        await gemini.files.upload(b"MZ\x90\x00 an executable")
    await gemini.aclose()


def test_parts_from_paths_carry_the_type_their_content_shows(tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(PNG)  # named .jpg, but a PNG
    assert Part.from_path(photo).to_wire()["inlineData"]["mimeType"] == "image/png"
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n")
    assert Part.from_path(notes).to_wire()["inlineData"]["mimeType"] == "text/markdown"
    assert mime_type_of(b"RIFF\x00\x00\x00\x00WAVEfmt ") == "audio/wav"
    assert mime_type_of(b"\x00\x00\x00\x18ftypheic") == "image/heic"
    archive = tmp_path / "archive.zip"
    archive.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedMediaType, match=r"archive.zip' is not a type Gemini takes"):
        Part.from_path(archive)


async def test_a_25_mb_input_is_uploaded_and_referenced_instead_of_sent_inline(
    emulator: Emulator,
) -> None:
    import base64

    from agentkit import tool

    photo = PNG + bytes(25 * 1024 * 1024)  # a 25 MB image
    snapshot_bytes = PNG + bytes(2 * 1024 * 1024)

    @tool
    def camera() -> bytes:
        """A snapshot from the hall camera."""
        return snapshot_bytes

    from agentkit.testing.emulator import call

    emulator.script([[call("camera")], "A hall, twice."])
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url, max_request_bytes=20 * 1024 * 1024)
    result = await Agent(gemini, tools=[camera]).run(
        Content.user(Part.from_bytes(photo, "image/png"), "Compare with the camera.")
    )
    assert result.text == "A hall, twice."
    generated = [r for r in emulator.requests if ":generateContent" in r.path]
    assert all(len(r.body) < 20 * 1024 * 1024 for r in generated) and emulator.rejections == []
    first = generated[0].json["contents"][0]["parts"][0]
    assert list(first) == ["fileData"] and first["fileData"]["mimeType"] == "image/png"
    # The transcript holds the reference too: the photo was uploaded once, not per step.
    uploads = [r for r in emulator.requests if r.path == "/upload/v1beta/files" and not r.query]
    assert len(uploads) == 1
    assert result.history[0]["parts"][0] == first
    # The camera's 2 MB snapshot fits inline: it is sent as it is, beside the response
    # (Gemini 2.5 does not read media inside a functionResponse).
    answers = generated[1].json["contents"][2]["parts"]
    assert answers[1] == {"text": "[what camera returned]"}
    assert base64.b64decode(answers[2]["inlineData"]["data"]) == snapshot_bytes
    await gemini.aclose()
