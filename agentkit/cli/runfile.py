"""Run files: a TOML description of an agent run.

    model = "gemini-2.5-flash"
    instructions = "You control a smart home."
    tools = ["tools.home"]            # module paths or .py files
    tool_paths = [".."]               # where modules are found, relative to this file
    tool_mode = "auto"                # auto | any | none | validated
    prompts = ["Movie night, please.", "And unlock the front door."]

    [limits]                          # model_calls, tool_calls, total_tokens, deadline, on_limit
    model_calls = 12

    [[offline.turns]]                 # the model's turns when no API key is set
    calls = [{ name = "apply_scene", args = { name = "movie night" } }]
    [[offline.turns]]
    text = "The living room is ready."

Every mistake is reported with the file and the key that is wrong.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentkit.agent import Limits
from agentkit.cli.exits import UsageError

_KNOWN = {
    "model",
    "instructions",
    "tools",
    "tool_paths",
    "tool_mode",
    "any_mode",
    "allowed_tools",
    "prompts",
    "prompt",
    "limits",
    "offline",
    "temperature",
    "max_output_tokens",
    "thinking",
}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class RunFileError(UsageError):
    """A run file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class RunFile:
    path: Path
    model: str = "gemini-2.5-flash"
    instructions: str | None = None
    tools: tuple[str, ...] = ()
    tool_paths: tuple[Path, ...] = ()
    tool_mode: str = "auto"
    any_mode: str = "once"
    allowed_tools: tuple[str, ...] | None = None
    prompts: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)
    generation: dict[str, Any] = field(default_factory=dict)
    thinking: dict[str, Any] | None = None
    offline_turns: tuple[Any, ...] | None = None

    def render_prompts(self, variables: dict[str, Any]) -> list[str]:
        """Prompts with ``{name}`` replaced by batch-input fields (nothing else is evaluated)."""
        templates = self.prompts or ("{prompt}",)
        return [_fill(template, variables, self.path) for template in templates]


def _fill(template: str, variables: dict[str, Any], path: Path) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in variables:
            raise RunFileError(f"{path}: prompt uses {{{key}}} but the input has no field {key!r}")
        return str(variables[key])

    return _PLACEHOLDER.sub(replace, template)


def load_run_file(path: str | Path) -> RunFile:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFileError(f"{path}: no such run file") from None
    except tomllib.TOMLDecodeError as error:
        raise RunFileError(f"{path}: not valid TOML: {error}") from None
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise RunFileError(
            f"{path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KNOWN))}"
        )
    base = path.parent
    prompts = data.get("prompts", [data["prompt"]] if "prompt" in data else [])
    return RunFile(
        path=path,
        model=_typed(data, "model", str, path, "gemini-2.5-flash"),
        instructions=_typed(data, "instructions", str, path, None),
        tools=tuple(_string_list(data, "tools", path)),
        tool_paths=tuple((base / p).resolve() for p in _string_list(data, "tool_paths", path))
        or (base.resolve(),),
        tool_mode=_typed(data, "tool_mode", str, path, "auto"),
        any_mode=_typed(data, "any_mode", str, path, "once"),
        allowed_tools=tuple(_string_list(data, "allowed_tools", path))
        if "allowed_tools" in data
        else None,
        prompts=tuple(_check_strings(prompts, "prompts", path)),
        limits=_limits(data.get("limits", {}), path),
        generation={k: data[k] for k in ("temperature", "max_output_tokens") if k in data},
        thinking=_typed(data, "thinking", dict, path, None),
        offline_turns=_offline(data.get("offline"), path),
    )


def _typed(data: dict[str, Any], key: str, kind: type, path: Path, default: Any) -> Any:
    value = data.get(key, default)
    if value is not None and not isinstance(value, kind):
        raise RunFileError(f"{path}: {key} must be a {kind.__name__}, not {type(value).__name__}")
    return value


def _string_list(data: dict[str, Any], key: str, path: Path) -> list[str]:
    return _check_strings(data.get(key, []), key, path)


def _check_strings(value: Any, key: str, path: Path) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RunFileError(f"{path}: {key} must be a list of strings")
    return value


def _limits(table: Any, path: Path) -> Limits:
    if not isinstance(table, dict):
        raise RunFileError(f"{path}: [limits] must be a table")
    try:
        return Limits(**table)
    except TypeError as error:
        raise RunFileError(f"{path}: [limits]: {error}") from None
    except ValueError as error:
        raise RunFileError(f"{path}: [limits]: {error}") from None


def _offline(table: Any, path: Path) -> tuple[Any, ...] | None:
    """``[[offline.turns]]`` → script entries (part lists) for the emulator."""
    if table is None:
        return None
    turns = table.get("turns") if isinstance(table, dict) else None
    if not isinstance(turns, list) or not turns:
        raise RunFileError(f"{path}: [offline] needs one or more [[offline.turns]]")
    entries = []
    for number, turn in enumerate(turns, 1):
        where = f"{path}: offline turn {number}"
        if not isinstance(turn, dict) or not turn.keys() <= {"text", "calls"} or not turn:
            raise RunFileError(f'{where}: give text = "..." and/or calls = [{{ name, args }}]')
        parts: list[dict[str, Any]] = []
        if "text" in turn:
            parts.append({"text": str(turn["text"])})
        for call in turn.get("calls", []):
            if not isinstance(call, dict) or not isinstance(call.get("name"), str):
                raise RunFileError(f"{where}: each call needs a name and optional args")
            parts.append(
                {"functionCall": {"name": call["name"], "args": dict(call.get("args", {}))}}
            )
        entries.append(parts)
    return tuple(entries)
