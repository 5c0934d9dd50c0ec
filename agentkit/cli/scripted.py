"""What a chat says about scripted turns when no model is connected (offline).

A run file's ``[[offline.turns]]`` answer in order, whatever is typed: they are a
demonstration, not a model. The chat says how many there are when it starts, and once they
are used up it sends nothing more — each further message gets one plain line saying that
offline answers are scripted and how to reach a real model — instead of forwarding it to an
emulator that can only refuse ("script exhausted").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agentkit.errors import APIError
from agentkit.offline import ModelChoice

GET_A_MODEL = "set GEMINI_API_KEY to talk to {model}"


def no_model_line(model: str) -> str:
    """``agentkit chat`` with no key and no run file: nothing could answer a message."""
    return (
        "no GEMINI_API_KEY or GOOGLE_API_KEY is set, so no model can answer: offline, a "
        "chat's answers are scripted by a run file's [[offline.turns]] (e.g. agentkit chat "
        f"examples/home.toml); {GET_A_MODEL.format(model=model)}"
    )


@dataclass(frozen=True)
class ScriptedTurns:
    total: int
    left: Callable[[], int]
    model: str

    @classmethod
    def of(cls, choice: ModelChoice, model: str) -> ScriptedTurns | None:
        if choice.turns_left is None:
            return None
        return cls(choice.turns_left(), choice.turns_left, model)

    def banner(self) -> str:
        return (
            f"{_turns(self.total, scripted=True)}, served in order whatever you type; "
            f"{GET_A_MODEL.format(model=self.model)}"
        )

    def used_up(self) -> bool:
        return self.left() <= 0

    def used_up_line(self) -> str:
        verb = "is" if self.total == 1 else "are"
        return (
            f"offline, answers are scripted and the script's {_turns(self.total)} {verb} used "
            f"up, so this message was not sent; {GET_A_MODEL.format(model=self.model)} (or type "
            "exit)"
        )

    def ran_out(self, error: Exception) -> bool:
        """Whether a turn failed because the script ended in the middle of it (the emulator
        refuses a request it has no turn for with FAILED_PRECONDITION)."""
        return (
            isinstance(error, APIError) and error.status == "FAILED_PRECONDITION" and self.used_up()
        )

    def ran_out_line(self) -> str:
        return (
            f"offline, answers are scripted and the script's {_turns(self.total)} ran out in "
            f"the middle of this answer; {GET_A_MODEL.format(model=self.model)} (or type exit)"
        )


def _turns(count: int, *, scripted: bool = False) -> str:
    return f"{count} {'scripted ' if scripted else ''}turn" + ("" if count == 1 else "s")
