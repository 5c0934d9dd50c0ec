"""A strict Gemini REST look-alike for tests and offline runs.

It rejects what Gemini rejects (turn order, unanswered calls, response counts, schema dialect
errors, missing or altered thought signatures) with Gemini-shaped 400s, records every request,
and acts out faults on demand.
"""

from typing import TYPE_CHECKING, Any

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
from agentkit.testing.emulator.inprocess import InProcessEmulator
from agentkit.testing.emulator.quota import Quota
from agentkit.testing.emulator.script import Script, call
from agentkit.testing.emulator.signatures import SKIP_VALIDATOR
from agentkit.testing.emulator.state import EmulatorOptions, RecordedRequest

if TYPE_CHECKING:
    from agentkit.testing.emulator.server import Emulator


def __getattr__(name: str) -> Any:
    # The HTTP server needs the `emulator` extra (starlette, uvicorn); everything else here
    # is plain Python, so it is imported only when asked for.
    if name == "Emulator":
        try:
            from agentkit.testing.emulator.server import Emulator
        except ModuleNotFoundError as error:
            if error.name not in ("starlette", "uvicorn"):
                raise
            raise ModuleNotFoundError(
                f"the Emulator's web server needs {error.name}: pip install 'agentkit[emulator]' "
                "(InProcessEmulator, the same checks without a server, needs nothing)",
                name=error.name,
            ) from None
        return Emulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "InProcessEmulator",
    "SKIP_VALIDATOR",
    "Emulator",
    "EmulatorOptions",
    "Fault",
    "Quota",
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
