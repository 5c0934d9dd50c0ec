"""A question about a local photo: sent inline, then through the Files API."""

import base64
import tempfile
from pathlib import Path

import anyio

from agentkit import Agent
from agentkit.offline import live_or_scripted
from agentkit.types import Content, Part

# A 1x1 PNG stands in for your photo (put a real path here).
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)
SCRIPT = ["It is a single white pixel.", "Still one white pixel, read from the uploaded file."]


async def main() -> None:
    photo = Path(tempfile.mkdtemp()) / "photo.png"
    photo.write_bytes(PIXEL)
    with live_or_scripted("gemini-2.5-flash", SCRIPT) as choice:
        print(choice.banner)
        agent = Agent(choice.model)
        inline = await agent.run(Content.user(Part.from_path(photo), "What is in this photo?"))
        print("inline:", inline.text)
        files = getattr(choice.model, "files", None)
        if files is None:  # the in-process stand-in has no Files API
            print("files: this model has no Files API")
            return
        uploaded = await files.upload(photo)
        print(f"uploaded {uploaded.name} ({uploaded.mime_type}, {uploaded.size_bytes} bytes)")
        referenced = await agent.run(Content.user(Part.from_file(uploaded), "And now?"))
        print("from the file:", referenced.text)
        await files.delete(uploaded.name)


if __name__ == "__main__":
    anyio.run(main)
