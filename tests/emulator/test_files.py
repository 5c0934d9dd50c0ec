"""The Files API in the emulator, driven by Google's own SDK unchanged: a resumable upload
in 8 MiB chunks, the file's states, get, list, delete, and a file used in a request."""

from __future__ import annotations

import io

import pytest

from agentkit.testing.emulator import Emulator

genai = pytest.importorskip("google.genai")
from google.genai import errors, types  # noqa: E402

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d605f60000000049454e44ae426082"
)


def client(emulator: Emulator) -> genai.Client:
    return genai.Client(api_key="emulator-key", http_options=types.HttpOptions(base_url=emulator.url))


def test_google_genai_uploads_in_chunks_and_uses_the_file(emulator: Emulator) -> None:
    sdk = client(emulator)
    big = bytes(range(256)) * (20 * 1024 * 1024 // 256)  # 20 MiB: three chunks of at most 8 MiB
    uploaded = sdk.files.upload(
        file=io.BytesIO(big), config=types.UploadFileConfig(mime_type="application/pdf", display_name="manual")
    )
    assert uploaded.name is not None and uploaded.name.startswith("files/")
    assert uploaded.state == types.FileState.ACTIVE and uploaded.size_bytes == len(big)
    assert uploaded.display_name == "manual" and uploaded.mime_type == "application/pdf"
    chunks = [r for r in emulator.requests if "upload_id=" in r.query]
    assert [r.headers["x-goog-upload-command"] for r in chunks] == ["upload", "upload", "upload, finalize"]
    assert [int(r.headers["x-goog-upload-offset"]) for r in chunks] == [0, 8 * 1024 * 1024, 16 * 1024 * 1024]
    emulator.script(["It is a manual."])
    answer = sdk.models.generate_content(
        model="gemini-2.5-flash",
        contents=[types.Part.from_uri(file_uri=uploaded.uri, mime_type="application/pdf"), "What is it?"],
    )
    assert answer.text == "It is a manual."
    assert [f.name for f in sdk.files.list()] == [uploaded.name]
    sdk.files.delete(name=uploaded.name)
    with pytest.raises(errors.ClientError, match="may not exist"):
        sdk.files.get(name=uploaded.name)
    with pytest.raises(errors.ClientError, match="may not exist"):
        sdk.models.generate_content(
            model="gemini-2.5-flash",
            contents=[types.Part.from_uri(file_uri=uploaded.uri, mime_type="application/pdf"), "Again?"],
        )


def test_a_video_is_processing_first_and_cannot_be_used_until_active(emulator: Emulator) -> None:
    sdk = client(emulator)
    mp4 = b"\x00\x00\x00\x18ftypmp42" + bytes(1000)
    video = sdk.files.upload(file=io.BytesIO(mp4), config=types.UploadFileConfig(mime_type="video/mp4"))
    assert video.state == types.FileState.PROCESSING
    with pytest.raises(errors.ClientError, match="is not in an ACTIVE state"):
        sdk.models.generate_content(
            model="gemini-2.5-flash", contents=[types.Part.from_uri(file_uri=video.uri, mime_type="video/mp4"), "?"]
        )
    emulator.files.advance(10)
    assert sdk.files.get(name=video.name).state == types.FileState.ACTIVE
    emulator.files.advance(48 * 3600)  # files live 48 hours
    with pytest.raises(errors.ClientError, match="may not exist"):
        sdk.files.get(name=video.name)


def test_a_small_image_uploads_in_one_chunk(emulator: Emulator) -> None:
    sdk = client(emulator)
    uploaded = sdk.files.upload(file=io.BytesIO(PNG), config=types.UploadFileConfig(mime_type="image/png"))
    assert uploaded.size_bytes == len(PNG) and uploaded.sha256_hash


async def test_a_file_google_genai_uploaded_is_used_in_an_agentkit_run(emulator: Emulator) -> None:
    from agentkit import Agent, Gemini
    from agentkit.types import Content, Part

    sdk = client(emulator)
    uploaded = sdk.files.upload(file=io.BytesIO(PNG), config=types.UploadFileConfig(mime_type="image/png"))
    assert uploaded.uri is not None
    emulator.script(["A single pixel."])
    gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)
    result = await Agent(gemini).run(Content.user(Part.from_uri(uploaded.uri, "image/png"), "What is it?"))
    assert result.text == "A single pixel."
    sent = emulator.requests[-1].json["contents"][0]["parts"][0]
    assert sent == {"fileData": {"fileUri": uploaded.uri, "mimeType": "image/png"}}
    assert emulator.rejections == []
    await gemini.aclose()
