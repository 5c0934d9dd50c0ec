"""A strict Gemini REST look-alike for tests and offline runs.

It rejects what Gemini rejects (turn order, unanswered calls, response counts, schema dialect
errors, missing or altered thought signatures) with Gemini-shaped 400s, records every request,
and acts out faults on demand.
"""

from agentkit.testing.emulator.errors import Rejection, error_body
from agentkit.testing.emulator.faults import (
    Fault,
    blocked_prompt,
    empty_candidate,
    malformed_function_call,
    no_candidates,
    safety_block,
    unexpected_tool_call,
)
from agentkit.testing.emulator.script import Script, call
from agentkit.testing.emulator.server import Emulator
from agentkit.testing.emulator.signatures import SKIP_VALIDATOR
from agentkit.testing.emulator.state import EmulatorOptions, RecordedRequest

__all__ = [
    "SKIP_VALIDATOR",
    "Emulator",
    "EmulatorOptions",
    "Fault",
    "RecordedRequest",
    "Rejection",
    "Script",
    "blocked_prompt",
    "call",
    "empty_candidate",
    "error_body",
    "malformed_function_call",
    "no_candidates",
    "safety_block",
    "unexpected_tool_call",
]
