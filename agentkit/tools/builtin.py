"""Google's built-in tools — Search, code execution, URL context — in an agent's tools.

They run on Google's side, within the model call: agentkit declares them and reads what
they left in the response (grounding sources, the code run and its output, the pages
read). ``Agent(tools=[set_light, GoogleSearch()])`` puts one next to Python tools. Gemini
2.x refuses a request that holds built-in tools and function declarations together; Gemini 3
takes both when the request asks for server-side tool invocations, which agentkit then
does. The agent checks the model before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentkit.types import Tool


@dataclass(frozen=True)
class BuiltinTool:
    """One of Google's tools, with the options it takes (as the API names them)."""

    field_name: str  # the Tool field that enables it, e.g. "google_search"
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.field_name

    def wire(self) -> Tool:
        return Tool(**{self.field_name: dict(self.options)})


def GoogleSearch(**options: Any) -> BuiltinTool:
    """Answers grounded in Google Search; the sources are on ``RunResult.sources``."""
    return BuiltinTool("google_search", options)


def CodeExecution() -> BuiltinTool:
    """The model writes and runs Python on Google's side; runs are ``RunResult.code_runs``."""
    return BuiltinTool("code_execution")


def UrlContext() -> BuiltinTool:
    """The model reads the pages whose URLs the prompt gives; what it read is on the steps."""
    return BuiltinTool("url_context")


def combines_with_functions(model: str) -> bool:
    """Whether ``model`` takes built-in tools and function declarations in one request."""
    name = model.removeprefix("models/")
    return name.startswith("gemini-3")
