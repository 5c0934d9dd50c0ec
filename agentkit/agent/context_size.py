"""How many input tokens a request will take, known or estimated before it is sent.

Exact counts come from the API: each response's ``promptTokenCount`` says what the request
that got it took, and ``countTokens`` answers for a request not yet sent. Between them the
size is estimated, about four characters of JSON to a token (a little generous for text,
which is what a budget wants), and a fixed 258 tokens for an image or other attachment
(what Gemini charges per image), since its base64 says nothing about its token count.

The model's input limit comes from the endpoint (``models.get``), once per model: a proxy,
Vertex or a local stand-in may serve less than Google's public figure. Only when the
endpoint cannot say does the built-in table of model families answer.
"""

from __future__ import annotations

from typing import Any

from agentkit.logs import get_logger
from agentkit.models.capabilities import capabilities_for
from agentkit.models.turn_memo import TurnMemo
from agentkit.types import Content

ATTACHMENT_TOKENS = 258
CHARS_PER_TOKEN = 4

log = get_logger()


def content_tokens(content: Content) -> int:
    """An estimate of one turn's tokens."""
    tokens = 4  # the turn's own framing
    for part in content.parts or ():
        if part.inline_data is not None or part.file_data is not None:
            tokens += ATTACHMENT_TOKENS
            continue
        encoded = type(part).__pydantic_serializer__.to_json(
            part, by_alias=True, exclude_unset=True
        )
        tokens += len(encoded) // CHARS_PER_TOKEN + 1
    return tokens


def json_tokens(value: Any) -> int:
    """An estimate for a wire object sent with every request (instructions, tools)."""
    if value is None:
        return 0
    if isinstance(value, list):
        return sum(json_tokens(item) for item in value)
    encoded = type(value).__pydantic_serializer__.to_json(value, by_alias=True, exclude_unset=True)
    return len(encoded) // CHARS_PER_TOKEN + 1


# Below this many input tokens a request fits any model; its limit is not asked for yet
# (a short chat never spends a round trip on models.get).
SMALL_REQUEST = 4_096


# A figure of each turn, worked out once per turn; a conversation's total costs only its new
# turns (see ``agentkit.models.turn_memo``).
PerTurn = TurnMemo[int]


class InputLimits:
    """The input-token limit of each model an agent uses, asked of the endpoint once (and
    only once a request is large enough for the answer to matter), and each turn's token
    estimate and inline media bytes, kept for all the agent's runs."""

    def __init__(self) -> None:
        from agentkit.agent.uploads import turn_media_bytes

        self._known: dict[str, int | None] = {}
        self.turn_tokens: PerTurn = TurnMemo(content_tokens)
        self.turn_media_bytes: PerTurn = TurnMemo(turn_media_bytes)
        # (instructions, tools) -> their tokens: every run of a chat sends the same two
        # objects, and estimating a thousand tools' declarations is a whole encoding of them.
        self._fixed: dict[tuple[int, int], tuple[Any, Any, int]] = {}

    def fixed_tokens(self, instructions: Any, tools: Any) -> int:
        """The estimate for what every request sends besides its contents."""
        key = (id(instructions), id(tools))
        kept = self._fixed.get(key)
        if kept is not None and kept[0] is instructions and kept[1] is tools:
            return kept[2]
        tokens = json_tokens(instructions) + json_tokens(tools)
        if len(self._fixed) >= 8:  # an agent has one plan at a time; a few are plenty
            self._fixed.clear()
        self._fixed[key] = (instructions, tools, tokens)  # held: their ids stay theirs
        return tokens

    def learn(self, model: Any, limit: int) -> None:
        """A limit the API named when it refused a request as too long."""
        self._known[str(getattr(model, "name", ""))] = limit

    async def of(self, model: Any, estimate: int) -> int | None:
        name = str(getattr(model, "name", ""))
        if name in self._known:
            return self._known[name]
        if estimate < SMALL_REQUEST:
            return None
        limit = await self._asked(model)
        if limit is None:
            family = capabilities_for(name)
            limit = family.input_token_limit if family is not None else None
        self._known[name] = limit
        return limit

    async def _asked(self, model: Any) -> int | None:
        get_model = getattr(model, "get_model", None)
        if get_model is None:
            return None
        try:
            info = await get_model()
        except Exception as error:  # the endpoint cannot say: the table answers
            log.debug("context.limit_unknown", model=getattr(model, "name", ""), error=str(error))
            return None
        limit = getattr(info, "input_token_limit", None)
        return int(limit) if limit else None
