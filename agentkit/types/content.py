"""Content and Part: the unit of conversation history on the wire."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import Any

from agentkit.types._wire import WireModel


class Blob(WireModel):
    """Inline bytes (``inlineData``), base64 encoded as the API sends and expects them."""

    mime_type: str
    data: str

    def as_bytes(self) -> bytes:
        """Decode ``data``; the API uses either base64 alphabet, so both are accepted."""
        padded = self.data + "=" * (-len(self.data) % 4)
        try:
            return base64.b64decode(padded, altchars=b"-_", validate=False)
        except binascii.Error as error:
            raise ValueError(f"inlineData.data is not valid base64: {error}") from error


class FileData(WireModel):
    """A file uploaded through the Files API, referenced by URI."""

    mime_type: str | None = None
    file_uri: str


class FunctionCall(WireModel):
    """A call the model asks the client to make. ``args`` is a JSON object, never a string."""

    id: str | None = None
    name: str
    args: dict[str, Any] | None = None

    @property
    def arguments(self) -> dict[str, Any]:
        """``args`` with the documented absence (zero-argument functions) read as ``{}``."""
        return self.args if self.args is not None else {}


class FunctionResponsePart(WireModel):
    """Multimodal content nested inside a functionResponse (Gemini 3)."""

    inline_data: Blob | None = None
    file_data: FileData | None = None


class FunctionResponse(WireModel):
    """The client's answer to one FunctionCall. ``response`` must be a JSON object."""

    id: str | None = None
    name: str
    response: dict[str, Any]
    parts: list[FunctionResponsePart] | None = None
    will_continue: bool | None = None
    scheduling: str | None = None


class ExecutableCode(WireModel):
    language: str | None = None
    code: str
    id: str | None = None


class CodeExecutionResult(WireModel):
    outcome: str | None = None
    output: str | None = None
    id: str | None = None


class Part(WireModel):
    """One part of a Content: exactly one data field plus optional metadata.

    ``thought_signature`` is opaque: it is stored as the exact string received and sent back
    unchanged on the same part.
    """

    text: str | None = None
    inline_data: Blob | None = None
    file_data: FileData | None = None
    function_call: FunctionCall | None = None
    function_response: FunctionResponse | None = None
    executable_code: ExecutableCode | None = None
    code_execution_result: CodeExecutionResult | None = None
    tool_call: dict[str, Any] | None = None
    tool_response: dict[str, Any] | None = None
    thought: bool | None = None
    thought_signature: str | None = None
    video_metadata: dict[str, Any] | None = None
    media_resolution: dict[str, Any] | None = None
    part_metadata: dict[str, Any] | None = None

    @classmethod
    def from_text(cls, text: str) -> Part:
        return cls(text=text)

    @classmethod
    def from_bytes(cls, data: bytes, mime_type: str) -> Part:
        encoded = base64.b64encode(data).decode("ascii")
        return cls(inline_data=Blob(mime_type=mime_type, data=encoded))

    @classmethod
    def from_uri(cls, file_uri: str, mime_type: str | None = None) -> Part:
        # A mime type only when given: an unset one is left out of the JSON, not sent as null.
        data = (
            FileData(file_uri=file_uri)
            if mime_type is None
            else FileData(file_uri=file_uri, mime_type=mime_type)
        )
        return cls(file_data=data)

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], mime_type: str | None = None) -> Part:
        """A file's bytes inline, with the type its content (or suffix) shows; a type Gemini
        does not take is ``UnsupportedMediaType``. Over ~20 MB a request is refused: upload
        such a file (``Gemini(...).files.upload``) and use ``from_file``."""
        from agentkit.types.media import mime_type_of

        data = Path(path).read_bytes()
        return cls.from_bytes(data, mime_type or mime_type_of(data, os.fspath(path)))

    @classmethod
    def from_file(cls, file: Any) -> Part:
        """A reference to a file uploaded with the Files API (a ``File``)."""
        if not getattr(file, "uri", None):
            raise ValueError("the file has no uri: upload it first (Gemini(...).files.upload)")
        return cls.from_uri(str(file.uri), getattr(file, "mime_type", None))

    @classmethod
    def from_function_call(
        cls, name: str, args: dict[str, Any] | None = None, id: str | None = None
    ) -> Part:
        call = FunctionCall(name=name, args=args if args is not None else {})
        if id is not None:
            call.id = id
        return cls(function_call=call)

    @classmethod
    def from_function_response(
        cls, name: str, response: dict[str, Any], id: str | None = None
    ) -> Part:
        """A functionResponse part; ``id`` should echo the call's id when it had one."""
        if not isinstance(response, dict):
            raise TypeError(
                f"functionResponse.response must be a dict (a JSON object), got "
                f"{type(response).__name__}; wrap other values, e.g. {{'output': value}}"
            )
        answer = FunctionResponse(name=name, response=response)
        if id is not None:
            answer.id = id
        return cls(function_response=answer)

    @property
    def is_thought(self) -> bool:
        return bool(self.thought)


# How many times turns were compared by value. Python's containers compare each pair of
# items by identity first and call ``__eq__`` only for items that are not the same object,
# so comparing two lists of turns that left this count unchanged found every pair to be
# the same object — in C, several times faster than testing the pairs one by one. The turn
# memo (``agentkit.models.turn_memo``) tests long conversations so. A subclass with its own
# ``__eq__`` would compare without counting: once one exists, the count is not offered.
_value_comparisons = [0]
_compared_elsewhere: list[type] = []


def value_comparisons() -> int | None:
    """How many times turns were compared by value so far, or None when that cannot be
    known (a subclass of ``Content`` compares its own way, or the comparison was replaced)."""
    if _compared_elsewhere or Content.__eq__ is not _counted_eq:
        return None
    return _value_comparisons[0]


class Content(WireModel):
    """A turn: ``role`` is ``"user"`` or ``"model"``; ``parts`` is non-empty on the wire.

    ``parts`` is optional here only because the API does send ``content: {}`` (an empty
    candidate); the emulator and the loop refuse to send such a turn back.
    """

    role: str | None = None
    parts: list[Part] | None = None

    def __eq__(self, other: object) -> bool:
        _value_comparisons[0] += 1
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # a value that can change: unhashable, as before

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__eq__ is not _counted_eq:
            _compared_elsewhere.append(cls)

    @classmethod
    def user(cls, *parts: Part | str) -> Content:
        return cls(role="user", parts=[_as_part(p) for p in parts])

    @classmethod
    def model(cls, *parts: Part | str) -> Content:
        return cls(role="model", parts=[_as_part(p) for p in parts])

    @property
    def text(self) -> str | None:
        """Concatenated non-thought text, or None when the turn has no text part."""
        texts = [p.text for p in self.parts or () if p.text is not None and not p.thought]
        return "".join(texts) if texts else None

    @property
    def function_calls(self) -> list[FunctionCall]:
        return [p.function_call for p in self.parts or () if p.function_call is not None]

    @property
    def function_responses(self) -> list[FunctionResponse]:
        return [p.function_response for p in self.parts or () if p.function_response is not None]


_counted_eq = Content.__eq__


def _as_part(value: Part | str) -> Part:
    return Part(text=value) if isinstance(value, str) else value
