"""Run files: a TOML description of an agent run.

    model = "gemini-2.5-flash"
    instructions = "You control a smart home."
    tools = ["tools.home"]            # module paths or .py files
    tool_paths = [".."]               # where modules are found, relative to this file
    tool_mode = "auto"                # auto | any | none | validated
    prompts = ["Movie night, please.", "And unlock the front door."]

    [limits]                          # model_calls, tool_calls, total_tokens, deadline, ...
    model_calls = 12

    [context]                         # max_tokens, keep_last, elide_over, summarize,
    max_tokens = 200000               # keep_first, headroom; or: context = false

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

from agentkit.agent import ContextPolicy, Limits
from agentkit.cli.exits import UsageError
from agentkit.cli.mcp_config import MCPServerSpec, load_mcp_servers_file, parse_mcp_tables
from agentkit.textfiles import read_text

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
    "context",
    "offline",
    "temperature",
    "max_output_tokens",
    "thinking",
    "mcp",
    "mcp_servers",
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
    mcp: tuple[MCPServerSpec, ...] = ()
    # The context policy; None when the file does not say (on for run and chat, which
    # carry a conversation; off for batch rows).
    context: ContextPolicy | bool | None = None

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
    text = read_text(path, "run file", RunFileError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RunFileError(f"{path}: not valid TOML: {error}") from None
    return _parse(data, path)


def _parse(data: dict[str, Any], path: Path) -> RunFile:
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise RunFileError(
            f"{path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KNOWN))}"
        )
    base = path.parent
    model = _typed(data, "model", str, path, "gemini-2.5-flash")
    if not model.strip():
        raise RunFileError(f'{path}: model must name a model, e.g. "gemini-2.5-flash"')
    return RunFile(
        path=path,
        model=model,
        instructions=_typed(data, "instructions", str, path, None),
        tools=tuple(_string_list(data, "tools", path)),
        tool_paths=_tool_paths(data, base, path),
        tool_mode=_choice(data, "tool_mode", _TOOL_MODES, path, "auto"),
        any_mode=_choice(data, "any_mode", ("once", "always"), path, "once"),
        allowed_tools=tuple(_string_list(data, "allowed_tools", path))
        if "allowed_tools" in data
        else None,
        prompts=_prompts(data, path),
        limits=_limits(data.get("limits", {}), path),
        generation=_generation(data, path),
        thinking=_thinking(data.get("thinking"), path),
        offline_turns=_offline(data.get("offline"), path),
        mcp=_mcp(data, base, path),
        context=_context(data["context"], path) if "context" in data else None,
    )


def _mcp(data: dict[str, Any], base: Path, path: Path) -> tuple[MCPServerSpec, ...]:
    specs = parse_mcp_tables(data["mcp"], path) if "mcp" in data else ()
    listed = data.get("mcp_servers")
    if listed is not None:
        if not isinstance(listed, str):
            raise RunFileError(f"{path}: mcp_servers must name an mcpServers JSON file")
        specs += load_mcp_servers_file(base / listed, path)
    return specs


_TOOL_MODES = ("auto", "any", "none", "validated")
# [limits] keys and what each must be: a whole number, a number, or one of some words.
_LIMIT_KINDS: dict[str, Any] = {
    "model_calls": int,
    "tool_calls": int,
    "total_tokens": int,
    "deadline": float,
    "model_retries": int,
    "tool_result_chars": int,
    "on_limit": ("answer", "stop"),
}
_CONTEXT_KINDS: dict[str, Any] = {
    "max_tokens": int,
    "keep_last": int,
    "elide_over": int,
    "summarize": bool,
    "keep_first": bool,
    "headroom": float,
}
_THINKING_KINDS: dict[str, Any] = {
    "thinking_budget": int,
    "include_thoughts": bool,
    "thinking_level": ("minimal", "low", "medium", "high"),
}


def _shown(value: Any) -> str:
    """A TOML value as the person wrote it (strings quoted, tables and arrays short)."""
    text = repr(value) if not isinstance(value, bool) else str(value).lower()
    return text if len(text) <= 60 else text[:59] + "…"


def _check_kind(value: Any, kind: Any, where: str) -> Any:
    """``value`` if it is of ``kind`` (TOML booleans are never numbers); else a RunFileError
    naming ``where`` (the file and key) and the value."""
    if kind is bool:
        if isinstance(value, bool):
            return value
        wanted = "true or false"
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        wanted = "a whole number"
    elif kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        wanted = "a number"
    elif kind is str:
        if isinstance(value, str):
            return value
        wanted = "a string"
    else:  # a tuple of allowed words
        if isinstance(value, str) and value.lower() in kind:
            return value.lower()
        wanted = "one of " + ", ".join(f'"{word}"' for word in kind)
    raise RunFileError(f"{where} must be {wanted}, not {_shown(value)}")


def _typed(data: dict[str, Any], key: str, kind: type, path: Path, default: Any) -> Any:
    if key not in data:
        return default
    return _check_kind(data[key], kind, f"{path}: {key}")


def _choice(
    data: dict[str, Any], key: str, words: tuple[str, ...], path: Path, default: str
) -> str:
    if key not in data:
        return default
    chosen: str = _check_kind(data[key], words, f"{path}: {key}")
    return chosen


def _string_list(data: dict[str, Any], key: str, path: Path) -> list[str]:
    return _check_strings(data.get(key, []), key, path)


def _check_strings(value: Any, key: str, path: Path) -> list[str]:
    if not isinstance(value, list):
        raise RunFileError(f"{path}: {key} must be a list of strings, not {_shown(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise RunFileError(f"{path}: {key}[{index}] must be a string, not {_shown(item)}")
    return value


def _tool_paths(data: dict[str, Any], base: Path, path: Path) -> tuple[Path, ...]:
    found = []
    for index, name in enumerate(_string_list(data, "tool_paths", path)):
        folder = (base / name).resolve()
        if not folder.is_dir():
            raise RunFileError(f"{path}: tool_paths[{index}] {name!r} is not a folder ({folder})")
        found.append(folder)
    return tuple(found) or (base.resolve(),)


def _prompts(data: dict[str, Any], path: Path) -> tuple[str, ...]:
    if "prompt" in data and "prompts" in data:
        raise RunFileError(f"{path}: give prompt (one) or prompts (a list), not both: both are set")
    if "prompt" in data:
        prompts = [_check_kind(data["prompt"], str, f"{path}: prompt")]
    else:
        prompts = _check_strings(data.get("prompts", []), "prompts", path)
        if "prompts" in data and not prompts:
            raise RunFileError(f"{path}: prompts is empty; give at least one prompt")
    for index, prompt in enumerate(prompts):
        if not prompt.strip():
            key = "prompt" if "prompt" in data else f"prompts[{index}]"
            raise RunFileError(f"{path}: {key} is empty")
    return tuple(prompts)


def _generation(data: dict[str, Any], path: Path) -> dict[str, Any]:
    generation: dict[str, Any] = {}
    if "temperature" in data:
        generation["temperature"] = _check_kind(data["temperature"], float, f"{path}: temperature")
    if "max_output_tokens" in data:
        value = _check_kind(data["max_output_tokens"], int, f"{path}: max_output_tokens")
        if value <= 0:
            raise RunFileError(f"{path}: max_output_tokens must be positive, not {value}")
        generation["max_output_tokens"] = value
    return generation


def _thinking(table: Any, path: Path) -> dict[str, Any] | None:
    if table is None:
        return None
    checked = _checked_table(table, "thinking", _THINKING_KINDS, path)
    if "thinking_level" in checked:
        checked["thinking_level"] = checked["thinking_level"].upper()
    return checked


def _context(value: Any, path: Path) -> ContextPolicy | bool:
    if isinstance(value, bool):
        return value
    checked = _checked_table(value, "context", _CONTEXT_KINDS, path)
    for key in ("max_tokens", "keep_last"):
        if key in checked and checked[key] < 1:
            raise RunFileError(f"{path}: [context] {key} must be at least 1")
    if not 0 <= checked.get("headroom", 0.1) < 1:
        raise RunFileError(f"{path}: [context] headroom must be a share from 0 up to 1")
    return ContextPolicy(**checked)


def _limits(table: Any, path: Path) -> Limits:
    checked = _checked_table(table, "limits", _LIMIT_KINDS, path)
    try:
        return Limits(**checked)
    except ValueError as error:
        raise RunFileError(f"{path}: [limits]: {error}") from None


def _checked_table(table: Any, name: str, kinds: dict[str, Any], path: Path) -> dict[str, Any]:
    """A ``[name]`` table whose every key is known and every value of its kind."""
    if not isinstance(table, dict):
        raise RunFileError(f"{path}: [{name}] must be a table, not {_shown(table)}")
    unknown = sorted(set(table) - set(kinds))
    if unknown:
        raise RunFileError(
            f"{path}: unknown key(s) in [{name}]: {', '.join(unknown)}; known: {', '.join(kinds)}"
        )
    return {
        key: _check_kind(value, kinds[key], f"{path}: [{name}] {key}")
        for key, value in table.items()
    }


def _offline(table: Any, path: Path) -> tuple[Any, ...] | None:
    """``[[offline.turns]]`` → script entries (part lists) for the emulator."""
    if table is None:
        return None
    turns = table.get("turns") if isinstance(table, dict) else None
    if not isinstance(turns, list) or not turns:
        raise RunFileError(f"{path}: [offline] needs one or more [[offline.turns]]")
    if isinstance(table, dict) and set(table) - {"turns"}:
        extra = ", ".join(sorted(set(table) - {"turns"}))
        raise RunFileError(f"{path}: unknown key(s) in [offline]: {extra}; known: turns")
    entries = []
    for number, turn in enumerate(turns, 1):
        where = f"{path}: offline turn {number}"
        if not isinstance(turn, dict) or not turn.keys() <= {"text", "calls"} or not turn:
            raise RunFileError(f'{where}: give text = "..." and/or calls = [{{ name, args }}]')
        parts: list[dict[str, Any]] = []
        if "text" in turn:
            parts.append({"text": _check_kind(turn["text"], str, f"{where}: text")})
        calls = turn.get("calls", [])
        if not isinstance(calls, list):
            raise RunFileError(f"{where}: calls must be a list of {{ name, args }} tables")
        for call in calls:
            if not isinstance(call, dict) or not isinstance(call.get("name"), str):
                raise RunFileError(f"{where}: each call needs a name and optional args")
            if set(call) - {"name", "args"}:
                extra = ", ".join(sorted(set(call) - {"name", "args"}))
                raise RunFileError(f"{where}: a call has unknown key(s) {extra}; known: name, args")
            args = call.get("args", {})
            if not isinstance(args, dict):
                raise RunFileError(f"{where}: args of {call['name']} must be a table")
            parts.append({"functionCall": {"name": call["name"], "args": dict(args)}})
        entries.append(parts)
    return tuple(entries)
