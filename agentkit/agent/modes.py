"""Tool modes per step, the built-in final-answer tool, and refusing impossible set-ups.

AUTO lets the model choose; NONE declares tools but forbids calls; VALIDATED constrains calls
to the schemas; ANY forces a call. Forcing a call every step would loop forever, so ANY
defaults to forcing the first round only (``any_mode="once"``) and then relaxes to AUTO.
``any_mode="always"`` keeps forcing, which only terminates because a built-in final-answer
tool is declared with it: calling that tool ends the run with its argument as the answer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, TypeAdapter, ValidationError

from agentkit.errors import ConfigurationError
from agentkit.schema import clean_json_schema, to_openapi_subset
from agentkit.tools import SchemaDialect, Toolset
from agentkit.tools import Tool as PythonTool
from agentkit.tools.results import ToolError, invalid_arguments
from agentkit.types import FunctionCallingConfig, FunctionDeclaration, Schema, Tool, ToolConfig

ToolMode: TypeAlias = Literal["auto", "any", "none", "validated"]
AnyMode: TypeAlias = Literal["once", "always"]
FINAL_ANSWER = "final_answer"
_MODES = ("auto", "any", "none", "validated")


class FinalAnswer:
    """The built-in tool whose call ends the run; its arguments are the answer.

    With no output type it takes ``answer: str``; with a pydantic model its parameters are the
    model's fields; with any other type it takes ``result: <type>``.
    """

    name = FINAL_ANSWER

    def __init__(self, output_type: Any = None) -> None:
        self.output_type = output_type
        if output_type is None:
            self._key: str | None = "answer"
            schema: dict[str, Any] = {
                "type": "object",
                "properties": {
                    "answer": {"type": "string", "description": "The final answer for the user."}
                },
                "required": ["answer"],
            }
            self._adapter: TypeAdapter[Any] = TypeAdapter(str)
        elif isinstance(output_type, type) and issubclass(output_type, BaseModel):
            self._key = None
            schema = clean_json_schema(output_type.model_json_schema())
            self._adapter = TypeAdapter(output_type)
        else:
            self._key = "result"
            self._adapter = TypeAdapter(output_type)
            schema = {
                "type": "object",
                "properties": {"result": clean_json_schema(self._adapter.json_schema())},
                "required": ["result"],
            }
        self.parameters_json_schema = schema

    def declaration_for(self, dialect: SchemaDialect) -> FunctionDeclaration:
        description = "Give the final answer and end the task. Call this once you are done."
        if dialect == "openapi":
            return FunctionDeclaration(
                name=self.name,
                description=description,
                parameters=Schema.model_validate(to_openapi_subset(self.parameters_json_schema)),
            )
        return FunctionDeclaration(
            name=self.name,
            description=description,
            parameters_json_schema=self.parameters_json_schema,
        )

    def parse(self, args: dict[str, Any]) -> Any:
        """The answer, or a ToolError the model can read (then it tries again)."""
        try:
            value = args if self._key is None else args.get(self._key)
            if self._key is not None and set(args) - {self._key}:
                raise ValueError(f"unexpected arguments: {sorted(set(args) - {self._key})}")
            return self._adapter.validate_python(value)
        except ValidationError as error:
            return invalid_arguments(self.name, error)
        except ValueError as error:
            return ToolError("invalid_arguments", f"invalid arguments for {self.name}: {error}")


@dataclass(frozen=True)
class ToolPlan:
    """Which tools are declared and how calling is configured at each step."""

    tools: dict[str, PythonTool]
    mode: ToolMode
    any_mode: AnyMode
    allowed: tuple[str, ...] | None
    final_answer: FinalAnswer | None
    dialect: SchemaDialect
    declarations: tuple[FunctionDeclaration, ...]
    builtins: tuple[Tool, ...] = ()  # Google's tools, run on Google's side

    @functools.cached_property
    def wire_tools(self) -> list[Tool] | None:
        """The request's ``tools`` entry, built once per plan."""
        tools = [Tool(function_declarations=list(self.declarations))] if self.declarations else []
        tools.extend(self.builtins)
        return tools or None

    def config(self, *, forced_round_done: bool, tools_off: bool = False) -> ToolConfig | None:
        if not self.declarations:
            return None
        if tools_off:
            mode = "NONE"
        elif self.mode == "any" and (self.any_mode == "always" or not forced_round_done):
            mode = "ANY"
        elif self.mode == "any":
            mode = "AUTO"
        else:
            mode = self.mode.upper()
        calling = FunctionCallingConfig(mode=mode)
        if mode in ("ANY", "VALIDATED") and self.allowed is not None:
            names = list(self.allowed)
            if self.final_answer is not None:
                names.append(self.final_answer.name)
            calling.allowed_function_names = names
        if self.builtins:
            # Built-in tools beside function declarations (Gemini 3): the server's own tool
            # calls are shown in the answer, and the next request carries them back.
            return ToolConfig(
                function_calling_config=calling, include_server_side_tool_invocations=True
            )
        return ToolConfig(function_calling_config=calling)


def plan_tools(
    toolset: Toolset,
    *,
    mode: str,
    any_mode: str,
    allowed_tools: list[str] | None,
    output_type: Any,
    dialect: SchemaDialect,
    native_output: bool,
) -> ToolPlan:
    """Check the configuration and build the per-run tool plan; refuse what cannot work."""
    if mode not in _MODES:
        raise ConfigurationError(f"tool_mode must be one of {', '.join(_MODES)}; got {mode!r}")
    if any_mode not in ("once", "always"):
        raise ConfigurationError(f"any_mode must be 'once' or 'always'; got {any_mode!r}")
    if any_mode == "always" and mode != "any":
        raise ConfigurationError("any_mode='always' only applies with tool_mode='any'")
    tools = toolset.by_name()
    if allowed_tools is not None:
        unknown = sorted(set(allowed_tools) - set(tools))
        if unknown:
            raise ConfigurationError(
                f"allowed_tools names unknown tool(s) {', '.join(unknown)}; the agent has: "
                f"{', '.join(sorted(tools)) or '(no tools)'}"
            )
        if mode == "none":
            raise ConfigurationError("allowed_tools has no effect with tool_mode='none'")
        tools = {name: tools[name] for name in allowed_tools}
    needs_final = (mode == "any" and any_mode == "always") or (
        output_type is not None and bool(tools) and not native_output and mode != "none"
    )
    final_answer = FinalAnswer(output_type) if needs_final else None
    if final_answer is not None and FINAL_ANSWER in tools:
        raise ConfigurationError(
            f"a tool is named {FINAL_ANSWER!r}, the name of the built-in tool that ends the run; "
            "rename it (e.g. toolset.renamed(...))"
        )
    if mode in ("any", "validated") and not tools and final_answer is None:
        raise ConfigurationError(f"tool_mode={mode!r} needs at least one tool to call")
    declarations = [tool.declaration_for(dialect) for tool in tools.values()]
    if final_answer is not None:
        declarations.append(final_answer.declaration_for(dialect))
    return ToolPlan(
        tools=tools,
        mode=mode,  # type: ignore[arg-type]
        any_mode=any_mode,  # type: ignore[arg-type]
        allowed=tuple(allowed_tools) if allowed_tools is not None else None,
        final_answer=final_answer,
        dialect=dialect,
        declarations=tuple(declarations),
        builtins=tuple(builtin.wire() for builtin in toolset.builtins),
    )
