"""Live or scripted: which model a run talks to (the CLI and the examples use this).

With ``GEMINI_API_KEY`` / ``GOOGLE_API_KEY`` set, runs use Gemini. Without one, a run file's
``[[offline.turns]]`` are served by the emulator — over loopback HTTP when its web server is
installed (``agentkit[emulator]``), in process otherwise; both apply the same strict checks.
A banner always says which.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from agentkit.errors import ConfigurationError
from agentkit.models import Gemini, Model, resolve_api_key


class NoModelError(ConfigurationError):
    """No key for Gemini and no offline script to stand in for it."""


@dataclass(frozen=True)
class ModelChoice:
    model: Model
    banner: str
    scripted: bool


@contextlib.contextmanager
def live_or_scripted(
    name: str, script: Sequence[Any] | None, *, signature_key: bytes | None = None
) -> Iterator[ModelChoice]:
    """Gemini when a key is set; otherwise ``script`` served by the emulator. The choice's
    ``banner`` says which; print it, so nobody mistakes a scripted run for a live one."""
    if resolve_api_key():
        yield ModelChoice(Gemini(name), f"live: {name} over the Gemini API", scripted=False)
        return
    if script is None:
        raise NoModelError(
            "no GEMINI_API_KEY (or GOOGLE_API_KEY) is set and the run file has no "
            "[[offline.turns]] script; set a key to talk to Gemini"
        )
    try:
        from agentkit.testing.emulator.server import Emulator
        from agentkit.testing.emulator.state import EmulatorOptions
    except ImportError:
        from agentkit.testing.emulator import InProcessEmulator

        yield ModelChoice(
            InProcessEmulator(list(script), model=name, signature_key=signature_key),
            f"offline: no API key set — the model's turns are SCRIPTED, checked by the "
            f"in-process emulator as {name}",
            scripted=True,
        )
        return
    options = EmulatorOptions(signature_key=signature_key)
    with Emulator(script=list(script), options=options) as emulator:
        yield ModelChoice(
            Gemini(name, base_url=emulator.url),
            f"offline: no API key set — the model's turns are SCRIPTED, served by the strict "
            f"emulator at {emulator.url}",
            scripted=True,
        )


def scripted_model(name: str, script: Sequence[Any]) -> Model:
    """A fresh in-process scripted model (one per run in a batch: each replays the script)."""
    from agentkit.testing.emulator import InProcessEmulator

    return InProcessEmulator(list(script), model=name)
