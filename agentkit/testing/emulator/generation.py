"""Answering one generateContent request, wherever it arrived: on its own endpoint, or as
one request of a batch job. Both go through the same checks, so a request a batch holds is
refused exactly as it would be on its own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentkit.models.capabilities import ModelCapabilities
from agentkit.testing.emulator.faults import Fault
from agentkit.testing.emulator.files import file_uris
from agentkit.testing.emulator.strict import check_tool_combination
from agentkit.types import GenerateContentRequest

if TYPE_CHECKING:
    from agentkit.testing.emulator.state import EmulatorState


@dataclass
class Generated:
    """What the emulator made of a request: the completed response, or a fault to act out
    (an HTTP error, a broken connection) when the script said so."""

    request: GenerateContentRequest
    model: str  # the model's id, without ``models/``
    response: dict[str, Any] | None
    fault: Fault | None = None


async def generate(
    state: EmulatorState, model: str, served: ModelCapabilities, payload: Any, body_size: int
) -> Generated:
    """Check ``payload`` as the API would (raising ``Rejection``) and answer it."""
    prompt_bytes, cached = body_size, 0
    for uri in file_uris(payload):
        state.files.check_use(uri)
    if state.options.strict:
        check_tool_combination(payload, model)
    if isinstance(payload, dict) and "cachedContent" in payload:
        # The model reads the cache's prefix first; the prompt counts it, as cached tokens.
        payload, cached = state.caches.expand(payload, model)
        prompt_bytes = len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
    request, answer = await state.answer_request(payload, served, prompt_bytes)
    model_name = model.removeprefix("models/")
    if not cached and state.options.implicit_cache and isinstance(payload, dict):
        cached = state.implicit.cached_tokens(payload, model_name)
    if isinstance(answer, Fault):
        return Generated(request, model_name, None, answer)
    response = state.finish_answer(answer, model_name, prompt_bytes)
    if cached:
        response["usageMetadata"]["cachedContentTokenCount"] = cached
    return Generated(request, model_name, response)
