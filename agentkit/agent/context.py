"""What is sent when the conversation no longer fits: the context policy and its compaction.

A run keeps two lists. The transcript is everything said and every tool result, never
shortened: sessions store it and results carry it. The context is what the next request
sends. It is the transcript itself until the transcript outgrows the policy's budget. Then
the oldest material is compacted, cheapest loss first:

1. Large tool results of older exchanges are elided: the response is replaced by a marker
   saying what was removed (the transcript keeps it whole).
2. If that is not enough, whole old exchanges go. They are summarised by the model in one
   tools-off call, or dropped with a marker when the policy says so.

An exchange starts at a plain user turn and holds everything up to the next one: the
model's calls and their responses stay together, so no call loses its answer and no answer
arrives without its call. The last ``keep_last`` exchanges, always including the current one,
are sent as they are, thought signatures and all. With ``keep_first`` the conversation's
first user turn (often the instruction that frames everything) stays too. What is removed
is said in a text part at the head of the first user turn kept, so the model knows there was
more. No turn is invented and roles still alternate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from agentkit.agent.context_size import content_tokens
from agentkit.types import Content, FunctionResponse, Part

ELIDED_NOTE = "removed from the context to save space; the full result is in the transcript"


@dataclass(frozen=True)
class ContextPolicy:
    """How much a request may send, and how to make the conversation fit.

    Attributes:
        max_tokens: the budget for a request's input (instructions, tools and contents).
            None: the model's input-token limit less ``headroom``.
        headroom: the share of the model's limit left free, because sizes between exact
            counts are estimates.
        keep_last: exchanges always sent as they are (the current one counts as one).
        elide_over: tool results longer than this many characters are the first to go,
            from exchanges older than the last ``keep_last``.
        summarize: old exchanges are summarised by the model (one tools-off call); False
            drops them with a marker instead.
        keep_first: the conversation's first user turn is always sent.
        target: once compacting, the share of the budget to bring the context down to, so
            that the messages that follow fit without compacting again at once.
    """

    max_tokens: int | None = None
    headroom: float = 0.1
    keep_last: int = 4
    elide_over: int = 2_000
    summarize: bool = True
    keep_first: bool = True
    target: float = 0.6

    def budget(self, input_limit: int | None) -> int | None:
        if self.max_tokens is not None:
            return self.max_tokens if input_limit is None else min(self.max_tokens, input_limit)
        if input_limit is None:
            return None
        return int(input_limit * (1 - self.headroom))


@dataclass(frozen=True)
class Compaction:
    """What one compaction did."""

    tokens_before: int
    tokens_after: int
    elided_results: int
    removed_exchanges: int
    summary: str | None


# Writes a summary of some turns: (the turns to summarise) -> the summary's text.
Summarizer = Callable[[list[Content]], Awaitable[str | None]]


def exchanges(contents: Sequence[Content]) -> list[tuple[int, int]]:
    """The ``[start, end)`` ranges of the conversation's exchanges, in order."""
    starts = [
        index
        for index, content in enumerate(contents)
        if (content.role or "user") == "user" and not content.function_responses
    ]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return [(start, end) for start, end in zip(starts, [*starts[1:], len(contents)], strict=True)]


async def compact(
    context: list[Content],
    fixed_tokens: int,
    budget: int,
    policy: ContextPolicy,
    summarize: Summarizer | None,
) -> tuple[list[Content], Compaction] | None:
    """A context that fits ``budget`` (less ``fixed_tokens``, what instructions and tools
    take) with room to grow: once compacting, it aims at ``policy.target`` of the budget, so
    the next messages do not each need another compaction. None when nothing can be
    compacted; the result may still exceed the budget when what must be kept is larger."""
    sizes = [content_tokens(content) for content in context]
    before = fixed_tokens + sum(sizes)
    aim = int(budget * policy.target)
    ranges = exchanges(context)
    protected = max(1, policy.keep_last)
    if len(ranges) <= protected:
        return None
    old_end = ranges[-protected][0]  # everything before this index may be compacted
    head = _head_of(context)
    # The turns that stay in front: an earlier compaction's head (the first instruction and
    # what was removed so far), or the first instruction itself.
    pinned = 1 if head is not None or (policy.keep_first and _is_plain_user(context[0])) else 0

    # Step 1: elide large tool results of the older exchanges.
    compacted = list(context)
    elided = 0
    for index in range(pinned, old_end):
        slimmer = _elided(compacted[index], policy.elide_over)
        if slimmer is not None:
            elided += _count_elided(compacted[index], slimmer)
            compacted[index] = slimmer
            sizes[index] = content_tokens(slimmer)
    total = fixed_tokens + sum(sizes)
    if total <= aim:
        if not elided:
            return None
        return compacted, Compaction(before, total, elided, 0, None)

    # Step 2: remove whole old exchanges, oldest first, until the rest fits. A cut falls
    # where an exchange ends (the next one's plain user turn), so calls keep their answers.
    cut, removed = pinned, 0
    for end in (end for _, end in ranges if pinned < end <= old_end):
        if total <= aim:
            break
        total -= sum(sizes[cut:end])
        cut, removed = end, removed + 1
    if removed == 0:
        return (compacted, Compaction(before, total, elided, 0, None)) if elided else None
    gone = compacted[pinned:cut]
    earlier = head.summary if head is not None else None
    summary = None
    if summarize is not None and policy.summarize:
        told = [Content.user(f"(what was summarised before) {earlier}"), *gone] if earlier else gone
        summary = await summarize(told)
    dropped = removed + (head.dropped if head is not None else 0)
    first = (head.first if head is not None else [context[0]]) if pinned else []
    kept = [_new_head(first, summary, dropped), *compacted[cut:]]
    after = fixed_tokens + sum(content_tokens(content) for content in kept)
    return kept, Compaction(before, after, elided, removed, summary or None)


HEAD_MARK = "[Earlier in this conversation"


@dataclass(frozen=True)
class _Head:
    """The front of a compacted context: the first instruction's parts, and a note."""

    first: list[Content]
    summary: str | None
    dropped: int


def _new_head(first: list[Content], summary: str | None, dropped: int) -> Content:
    if summary:
        note = f"{HEAD_MARK}, summarised to save space: {summary}]"
    else:
        note = (
            f"{HEAD_MARK}, {dropped} exchange(s) were removed to save space; the full "
            "transcript is kept outside the context.]"
        )
    parts = [part for turn in first for part in (turn.parts or [])]
    # A user turn of its own: the kept exchanges start with one too (Gemini takes two in
    # a row); the note is its last part, so the next compaction finds and replaces it.
    return Content(role="user", parts=[*parts, Part(text=note)])


def _head_of(context: list[Content]) -> _Head | None:
    """An earlier compaction's head at the front of ``context``, if there is one."""
    if not context:
        return None
    parts = context[0].parts or []
    note = parts[-1].text if parts else None
    if not note or not note.startswith(HEAD_MARK):
        return None
    summary = None
    dropped = 0
    marker = f"{HEAD_MARK}, summarised to save space: "
    if note.startswith(marker):
        summary = note[len(marker) : -1]
    else:
        found = re.match(rf"{re.escape(HEAD_MARK)}, (\d+) exchange", note)
        dropped = int(found.group(1)) if found else 0
    first = [Content(role="user", parts=parts[:-1])] if len(parts) > 1 else []
    return _Head(first, summary, dropped)


def _is_plain_user(content: Content) -> bool:
    return (content.role or "user") == "user" and not content.function_responses


def summary_request_text(turns: list[Content]) -> str:
    """The turns to summarise, as text the model reads (tool traffic included, briefly)."""
    lines = []
    for content in turns:
        speaker = "assistant" if content.role == "model" else "user"
        for part in content.parts or ():
            if part.thought:
                continue
            if part.text:
                lines.append(f"{speaker}: {part.text}")
            elif part.function_call is not None:
                arguments = json.dumps(part.function_call.arguments, ensure_ascii=False)
                lines.append(f"assistant called {part.function_call.name}({arguments[:500]})")
            elif part.function_response is not None:
                answer = json.dumps(part.function_response.response, ensure_ascii=False)
                lines.append(f"{part.function_response.name} answered: {answer[:1000]}")
    return "\n".join(lines)


SUMMARY_INSTRUCTION = (
    "Summarise the conversation below for the assistant who continues it. Keep every fact, "
    "name, number, decision, setting changed and request still open; drop greetings and "
    "repetition. Write plain sentences, at most 300 words."
)


def _elided(content: Content, limit: int) -> Content | None:
    """The turn with its large tool results replaced by markers (None: nothing to elide)."""
    parts = content.parts or []
    changed = False
    slimmer: list[Part] = []
    for part in parts:
        answer = part.function_response
        if answer is not None and _size(answer.response) > limit:
            marker = {
                "elided": f"{_size(answer.response)} characters of {answer.name}'s result "
                f"{ELIDED_NOTE}"
            }
            replaced = FunctionResponse(name=answer.name, response=marker)
            if answer.id is not None:
                replaced.id = answer.id
            slimmer.append(part.model_copy(update={"function_response": replaced}))
            changed = True
        elif part.inline_data is not None and (content.role or "user") == "user":
            mime = part.inline_data.mime_type
            slimmer.append(Part(text=f"[an attachment ({mime}) was {ELIDED_NOTE}]"))
            changed = True
        else:
            slimmer.append(part)
    return content.model_copy(update={"parts": slimmer}) if changed else None


def _count_elided(before: Content, after: Content) -> int:
    return sum(1 for a, b in zip(before.parts or [], after.parts or [], strict=True) if a is not b)


def _with_note(content: Content, note: str) -> Content:
    return content.model_copy(update={"parts": [Part(text=note), *(content.parts or [])]})


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str))
