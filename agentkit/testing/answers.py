"""Scripted model answers, shared by the emulator and ``ScriptedModel``.

An entry may be a string (a text turn), a part dict or ``Part``, a list of those (one turn
with several parts), a ``Content``, or a whole ``GenerateContentResponse`` (or its dict,
recognised by ``candidates`` / ``promptFeedback`` / ``usageMetadata``). ``call()`` builds a
functionCall part; ``stream_events`` splits a complete answer into chunks the way Gemini
streams it.
"""

from __future__ import annotations

import json
from typing import Any

from agentkit.types import Content, GenerateContentResponse, Part


def call(
    function: str,
    args: dict[str, Any] | None = None,
    /,
    *,
    call_id: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """A functionCall part for a script: ``call("set_light", room="kitchen")``.

    The function name is positional-only so that arguments called ``name`` (or anything
    else) can be given as keywords; ``call_id`` sets the call's ``id``.
    """
    function_call: dict[str, Any] = {"name": function, "args": {**(args or {}), **kwargs}}
    if call_id is not None:
        function_call = {"id": call_id, **function_call}
    return {"functionCall": function_call}


def grounded(
    text: str, sources: list[tuple[str, str]], queries: list[str] | None = None
) -> dict[str, Any]:
    """A script answer grounded in Google Search, shaped as Gemini sends one: the text,
    and ``groundingMetadata`` with the queries run, a chunk per source (title, uri), and a
    support tying the whole text to every source."""
    chunks = [{"web": {"uri": uri, "title": title}} for title, uri in sources]
    metadata = {
        "webSearchQueries": list(queries or [text[:60]]),
        "groundingChunks": chunks,
        "groundingSupports": [
            {
                "segment": {"startIndex": 0, "endIndex": len(text.encode()), "text": text},
                "groundingChunkIndices": list(range(len(chunks))),
            }
        ],
        "searchEntryPoint": {"renderedContent": "<div><!-- search suggestions --></div>"},
    }
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": text}]},
                "finishReason": "STOP",
                "groundingMetadata": metadata,
            }
        ]
    }


def code_run(code: str, output: str, text: str, outcome: str = "OUTCOME_OK") -> dict[str, Any]:
    """A script answer in which the model ran code (the code-execution tool): the code
    part, its result part, then the text, as Gemini sends them in one turn."""
    return {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"executableCode": {"language": "PYTHON", "code": code}},
                        {"codeExecutionResult": {"outcome": outcome, "output": output}},
                        {"text": text},
                    ],
                },
                "finishReason": "STOP",
            }
        ]
    }


def response_dict(entry: Any) -> dict[str, Any]:
    """Normalise a script entry into a GenerateContentResponse dict."""
    if isinstance(entry, GenerateContentResponse):
        return entry.to_wire()
    if isinstance(entry, Content):
        return _of_parts(entry.to_wire().get("parts") or [])
    if isinstance(entry, str):
        return _of_parts([{"text": entry}])
    if isinstance(entry, Part):
        return _of_parts([entry.to_wire()])
    if isinstance(entry, dict):
        if entry.keys() & {"candidates", "promptFeedback", "usageMetadata"}:
            return dict(entry)
        if "parts" in entry:
            return _of_parts(list(entry["parts"]))
        return _of_parts([entry])
    if isinstance(entry, list | tuple):
        return _of_parts([_as_part_dict(p) for p in entry])
    raise TypeError(f"cannot use {type(entry).__name__} as a scripted model answer")


def _as_part_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, Part):
        return item.to_wire()
    if isinstance(item, str):
        return {"text": item}
    if isinstance(item, dict):
        return item
    raise TypeError(f"cannot use {type(item).__name__} as a part of a scripted answer")


def _of_parts(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"candidates": [{"content": {"role": "model", "parts": parts}}]}


def complete(response: dict[str, Any], model: str, prompt_bytes: int) -> dict[str, Any]:
    """Fill in what the API always sends: role, finish reason, index, usage, model version."""
    for index, candidate in enumerate(response.get("candidates") or ()):
        candidate.setdefault("index", index)
        content = candidate.get("content")
        if content and content.get("parts"):
            content.setdefault("role", "model")
            candidate.setdefault("finishReason", "STOP")
    response.setdefault("usageMetadata", estimated_usage(response, prompt_bytes))
    response.setdefault("modelVersion", model)
    return response


def estimate_tokens(prompt_bytes: int) -> int:
    """The emulator's token count for a prompt of ``prompt_bytes`` bytes of request JSON:
    about four bytes per token.

    It is the one estimate behind ``usageMetadata.promptTokenCount``, ``countTokens`` and the
    input-token limit, so a prompt that countTokens says fits is never refused as too long,
    and the count in a refusal matches what the client was told before.
    """
    return max(1, prompt_bytes // 4)


def estimated_usage(response: dict[str, Any], prompt_bytes: int) -> dict[str, int]:
    """A plausible token count: about four bytes per token."""
    prompt = estimate_tokens(prompt_bytes)
    output = 0
    for candidate in response.get("candidates") or ():
        parts = (candidate.get("content") or {}).get("parts") or []
        output += len(json.dumps(parts)) // 4
    usage = {"promptTokenCount": prompt, "totalTokenCount": prompt + output}
    if output:
        usage["candidatesTokenCount"] = output
    return usage


def stream_events(response: dict[str, Any], chunk_chars: int) -> list[dict[str, Any]]:
    """Split a complete answer into SSE events the way Gemini streams it: text in pieces,
    each other part whole, prompt feedback first, finish reason and full usage last."""
    candidates = response.get("candidates") or []
    head = {k: v for k, v in response.items() if k not in ("candidates", "usageMetadata")}
    usage = response.get("usageMetadata") or {}
    if not candidates or not (candidates[0].get("content") or {}).get("parts"):
        return [response]
    candidate = candidates[0]
    pieces = [
        piece for part in candidate["content"]["parts"] for piece in _pieces(part, chunk_chars)
    ]
    partial_usage = {k: usage[k] for k in ("promptTokenCount", "totalTokenCount") if k in usage}
    events: list[dict[str, Any]] = []
    for number, piece in enumerate(pieces):
        last = number == len(pieces) - 1
        event_candidate: dict[str, Any] = {
            "content": {"parts": [piece], "role": candidate["content"].get("role", "model")},
            "index": candidate.get("index", 0),
        }
        if last:
            event_candidate.update(
                {k: v for k, v in candidate.items() if k not in ("content", "index")}
            )
        event = {"candidates": [event_candidate], **({} if number else head)}
        event["usageMetadata"] = usage if last else partial_usage
        if number:
            event.update({k: head[k] for k in ("modelVersion", "responseId") if k in head})
        events.append(event)
    return events


def _pieces(part: dict[str, Any], chunk_chars: int) -> list[dict[str, Any]]:
    text = part.get("text")
    if not isinstance(text, str) or "thoughtSignature" in part or len(text) <= chunk_chars:
        return [part]
    others = {k: v for k, v in part.items() if k != "text"}
    return [
        {"text": text[start : start + chunk_chars], **others}
        for start in range(0, len(text), chunk_chars)
    ]
