"""Gemini's turn rules, checked locally before every request, and the response turn builder.

A violation raises ``HistoryError`` naming the position, instead of a 400 from the server
after a round trip (or, worse, after tools with side effects already ran).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agentkit.errors import HistoryError
from agentkit.tools.results import ToolResult
from agentkit.types import Content, FunctionCall, FunctionResponse, Part

_ROLES = ("user", "model", "function")


def check_history(contents: Sequence[Content], start: int = 0) -> None:
    """Raise ``HistoryError`` for what Gemini would refuse. ``start``: the turns before it
    were checked already (the history only grows), so only the rest is; every rule looks at
    a turn and its neighbours, so checking from the turn before the first new one is whole."""
    if not contents:
        raise HistoryError("the conversation is empty: it must contain at least one user turn")
    if _role(contents[0]) != "user":
        raise HistoryError(
            f"the conversation must start with a user turn, not {_role(contents[0])!r}", 0
        )
    for index in range(max(0, start), len(contents)):
        content = contents[index]
        role = _role(content)
        if role not in _ROLES:
            raise HistoryError(f"role {role!r} is not one of user, model", index)
        if not content.parts:
            raise HistoryError(
                "a turn must have at least one part (Gemini refuses empty parts)", index
            )
        calls = content.function_calls if role == "model" else []
        answers = content.function_responses if role != "model" else []
        if calls:
            previous = contents[index - 1] if index else None
            if previous is None or _role(previous) == "model":
                raise HistoryError(
                    "a function-call turn must follow a user turn or a function-response turn",
                    index,
                )
            following = contents[index + 1] if index + 1 < len(contents) else None
            replies = following.function_responses if following is not None else []
            if following is None or _role(following) == "model" or not replies:
                raise HistoryError(
                    f"{len(calls)} function call(s) are not answered: the next turn must be a "
                    "user turn with one functionResponse per call",
                    index,
                )
            _check_pairing(calls, replies, index + 1)
        if answers:
            previous = contents[index - 1] if index else None
            if previous is None or _role(previous) != "model" or not previous.function_calls:
                raise HistoryError(
                    "a function-response turn must directly follow the function-call turn it "
                    "answers",
                    index,
                )


def _role(content: Content) -> str:
    return content.role or "user"


def _check_pairing(calls: list[FunctionCall], answers: list[FunctionResponse], index: int) -> None:
    if len(answers) != len(calls):
        raise HistoryError(
            f"{len(answers)} function response(s) for {len(calls)} function call(s); Gemini "
            "requires exactly one response per call",
            index,
        )
    # Each call id answered once: a dict of the ids not yet answered, so a turn of C calls
    # is checked in O(C) (a thousand parallel calls are a thousand lookups, not a million
    # comparisons).
    unanswered = {call.id: position for position, call in enumerate(calls) if call.id is not None}
    for position, (call, answer) in enumerate(zip(calls, answers, strict=True)):
        if call.id is not None:
            if answer.id is None or unanswered.pop(answer.id, None) is None:
                raise HistoryError(
                    f"response {position} has id {answer.id!r}, which matches no call of the "
                    "previous turn (or answers a call another response answered)",
                    index,
                )
        elif answer.name != call.name:
            raise HistoryError(
                f"response {position} names {answer.name!r} but call {position} was {call.name!r}",
                index,
            )


def responses_turn(
    calls: Sequence[FunctionCall], results: Sequence[ToolResult], *, media_inside: bool = True
) -> Content:
    """ONE user turn answering every call, in the calls' order, ids echoed, names kept.

    Media a tool returned go inside its response (``media_inside``, Gemini 3) or, for models
    that do not read them there, after all the responses in the same turn, each introduced
    by a line naming the call it came from."""
    parts = []
    beside: list[Part] = []
    for call, result in zip(calls, results, strict=True):
        # Built with only the fields that are set (an unset id is left out of the JSON);
        # one constructor call, not assignments after it, which cost as much again.
        fields: dict[str, Any] = {"name": call.name, "response": result.response}
        if call.id is not None:
            fields["id"] = call.id
        if result.parts and media_inside:
            fields["parts"] = list(result.parts)
        answer = FunctionResponse(**fields)
        if result.parts and not media_inside:
            which = f"{call.name} (call {call.id})" if call.id else call.name
            beside.append(Part(text=f"[what {which} returned]"))
            for piece in result.parts:
                if piece.inline_data is not None:
                    beside.append(Part(inline_data=piece.inline_data))
                elif piece.file_data is not None:
                    beside.append(Part(file_data=piece.file_data))
        parts.append(Part(function_response=answer))
    return Content(role="user", parts=[*parts, *beside])
