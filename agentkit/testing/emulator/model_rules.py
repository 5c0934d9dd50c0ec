"""The checks that depend on which model is asked: request size, settings, input tokens.

The settings come from agentkit's capability table (the same rules agentkit applies when an
agent is built), the token count from the emulator's one estimate (the one its usage and
countTokens report), so the three never disagree about a request.
"""

from __future__ import annotations

from agentkit.models.capabilities import ModelCapabilities, find_violation
from agentkit.testing.answers import estimate_tokens
from agentkit.testing.emulator.errors import Rejection
from agentkit.types import GenerateContentRequest


def check_size(size: int, limit: int) -> None:
    """Gemini refuses a body over its limit before reading it."""
    if size > limit:
        raise Rejection(f"Request payload size exceeds the limit: {limit} bytes.")


def check_against_model(
    capabilities: ModelCapabilities, request: GenerateContentRequest, prompt_bytes: int
) -> None:
    """Raise ``Rejection`` for a setting the model refuses or a prompt it cannot take."""
    violation = find_violation(capabilities, request.generation_config)
    if violation is not None:
        raise Rejection(violation.api_message, field=violation.field)
    tokens = estimate_tokens(prompt_bytes)
    if tokens > capabilities.input_token_limit:
        raise Rejection(
            f"The input token count ({tokens}) exceeds the maximum number of tokens allowed "
            f"({capabilities.input_token_limit})."
        )
