"""Live, elsewhere, or offline: which model a run talks to, and a banner that says which.

- A key (``GEMINI_API_KEY`` / ``GOOGLE_API_KEY``) and Google's endpoint: live Gemini.
- ``GOOGLE_GEMINI_BASE_URL`` (or ``base_url=``) pointing anywhere else: that server, named
  in the banner — a proxy or an emulator is never called "live".
- Neither: offline. A run file's ``[[offline.turns]]`` are served by the emulator — over
  loopback HTTP when its web server is installed (``agentkit[emulator]``), in process
  otherwise; both apply the same strict checks. Without a script, the emulator answers every
  request with a note saying that no model is connected and how to get one.

The CLI, the examples and ``Agent("model-name")`` use this; ``Gemini(...)`` given explicitly
never falls back to anything.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from agentkit.errors import ConfigurationError
from agentkit.models import Gemini, Model, resolve_api_key
from agentkit.models.gemini import DEFAULT_BASE_URL
from agentkit.models.urls import shown_url

OFFLINE_NOTICE = (
    "(offline) No GEMINI_API_KEY or GOOGLE_API_KEY is set, so no model read this message: "
    "this reply comes from agentkit's emulator, which checked the request as Gemini would. "
    "Set GEMINI_API_KEY to talk to {model}."
)


class NoModelError(ConfigurationError):
    """No key for Gemini and no offline script to stand in for it."""

    def __init__(self, source: str = "the run file") -> None:
        super().__init__(
            f"no GEMINI_API_KEY (or GOOGLE_API_KEY) is set and {source} has no "
            "[[offline.turns]] script; set a key to talk to Gemini"
        )


class OfflineModelWarning(UserWarning):
    """``Agent("model-name")`` found no API key and answers offline."""


@dataclass(frozen=True)
class ModelChoice:
    """The model a run talks to. ``turns_left`` (scripted runs only) counts the scripted
    turns not served yet, so a conversation can stop sending before the script runs dry
    instead of meeting the emulator's "script exhausted" refusal."""

    model: Model
    banner: str
    scripted: bool
    turns_left: Callable[[], int] | None = None


def remote_configured() -> bool:
    """A key, or another server to talk to: the run goes over HTTP to that endpoint.
    Google's own endpoint named as the base URL is no server to talk to without a key."""
    base_url = (os.environ.get("GOOGLE_GEMINI_BASE_URL") or "").strip()
    other_server = bool(base_url) and base_url.rstrip("/") + "/" != DEFAULT_BASE_URL
    return bool(resolve_api_key()) or other_server


def describe(model: Gemini) -> str:
    """The banner of a remote model: live only for Google's endpoint, else the URL."""
    if model.base_url == DEFAULT_BASE_URL:
        return f"live: {model.name} over the Gemini API ({DEFAULT_BASE_URL})"
    key = "with" if model.has_api_key else "without"
    source = (
        " (from GOOGLE_GEMINI_BASE_URL)"
        if os.environ.get("GOOGLE_GEMINI_BASE_URL", "").rstrip("/") + "/" == model.base_url
        else ""
    )
    return (
        f"not Google's endpoint: {model.name} at {shown_url(model.base_url)}{source}, {key} an "
        "API key — answers come from whatever serves that URL"
    )


def model_for_name(name: str, *, stacklevel: int = 1) -> Model:
    """What ``Agent("gemini-2.5-flash")`` runs on: Gemini when a key or a base URL is set,
    otherwise the emulator's offline note (with a warning on stderr saying so, pointing at
    the caller ``stacklevel`` frames up)."""
    if remote_configured():
        return Gemini(name)
    warnings.warn(
        f"agentkit: no GEMINI_API_KEY or GOOGLE_API_KEY is set, so Agent({name!r}) runs "
        "OFFLINE: every answer is a note from agentkit's emulator, not from a model. Set "
        "GEMINI_API_KEY, or pass Gemini(...) explicitly to require one.",
        OfflineModelWarning,
        stacklevel=stacklevel + 1,
    )
    return offline_notice_model(name)


def offline_notice_model(name: str) -> Model:
    """The in-process emulator answering every request with ``OFFLINE_NOTICE``."""
    from agentkit.testing.emulator import InProcessEmulator

    emulator = InProcessEmulator(model=name)
    answer = {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": OFFLINE_NOTICE.format(model=name)}]}}
        ],
        # No model read anything, so nothing is counted or charged.
        "usageMetadata": {"promptTokenCount": 0, "totalTokenCount": 0},
    }
    emulator.respond_with(lambda request: answer)
    return emulator


@contextlib.contextmanager
def live_or_scripted(
    name: str, script: Sequence[Any] | None, *, signature_key: bytes | None = None
) -> Iterator[ModelChoice]:
    """Gemini when a key or a base URL is set; otherwise ``script`` served by the emulator.
    The choice's ``banner`` says which; print it, so nobody mistakes a scripted run for a
    live one, or a proxy for Google."""
    if remote_configured():
        model = Gemini(name)
        yield ModelChoice(model, describe(model), scripted=False)
        return
    if script is None:
        raise NoModelError()
    try:
        from agentkit.testing.emulator.server import Emulator
        from agentkit.testing.emulator.state import EmulatorOptions
    except ImportError:
        from agentkit.testing.emulator import InProcessEmulator

        in_process = InProcessEmulator(list(script), model=name, signature_key=signature_key)
        yield ModelChoice(
            in_process,
            f"offline: no API key set — the model's turns are SCRIPTED, checked by the "
            f"in-process emulator as {name}",
            scripted=True,
            turns_left=lambda: in_process.script_remaining,
        )
        return
    options = EmulatorOptions(signature_key=signature_key)
    with Emulator(script=list(script), options=options) as emulator:
        yield ModelChoice(
            Gemini(name, base_url=emulator.url),
            f"offline: no API key set — the model's turns are SCRIPTED, served by the strict "
            f"emulator at {emulator.url}",
            scripted=True,
            turns_left=lambda: emulator.script_remaining,
        )


def scripted_model(name: str, script: Sequence[Any]) -> Model:
    """A fresh in-process scripted model (one per run in a batch: each replays the script)."""
    from agentkit.testing.emulator import InProcessEmulator

    return InProcessEmulator(list(script), model=name)
