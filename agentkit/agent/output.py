"""Reading a typed answer (``output_type``) out of the model's final text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError


@dataclass(frozen=True)
class OutputCheck:
    """Parses final text as JSON of ``output_type``; says what to tell the model when not.

    ``final_tool`` is the name of the final-answer tool when the run has tools: then a text
    answer that does not parse is met with a request to call that tool instead.
    """

    output_type: Any
    final_tool: str | None = None

    def parse(self, text: str | None) -> tuple[Any, str | None, str | None]:
        """(value, None, None) on success, else (None, feedback for the model, summary).

        A value inside a Markdown code fence (```json ... ```), as models often write it,
        is read from inside the fence: asking again would cost a model call for nothing."""
        adapter = TypeAdapter(self.output_type)
        try:
            return adapter.validate_json(text or ""), None, None
        except ValidationError as error:
            problems = error.errors(include_url=False)
            summary = problems[0]["msg"]
        fenced = _FENCED.fullmatch((text or "").strip())
        if fenced is not None:
            try:
                return adapter.validate_json(fenced.group(1)), None, None
            except ValidationError:
                pass  # the first problems are the ones to report
        if self.final_tool is not None:
            return None, f"Call the {self.final_tool} function with your final answer.", summary
        listed = "; ".join(
            f"{'.'.join(map(str, p['loc'])) or '(value)'}: {p['msg']}" for p in problems[:5]
        )
        feedback = (
            f"Your answer does not match the required JSON schema ({listed}). "
            "Reply again with only the JSON value."
        )
        return None, feedback, summary


# One fenced block making up the whole answer: ``` or ```json, the value, ```.
_FENCED = re.compile(r"```(?:json|JSON)?[ \t]*\r?\n(.*?)\r?\n?```", re.DOTALL)
