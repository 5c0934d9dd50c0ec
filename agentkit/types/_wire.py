"""The base every wire type shares: camelCase on the wire, lossless in both directions.

Gemini adds fields and enum values often. A client that drops what it does not know breaks
thought signatures and silently loses data, so every wire model keeps unknown fields
(``extra="allow"``) and every enum accepts unknown values (``OpenEnum``). ``to_wire`` dumps
only what was set, so ``Type.model_validate(d).to_wire() == d`` for any JSON object ``d``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class OpenEnum(StrEnum):
    """A string enum that admits values it has not declared.

    An unknown value becomes a pseudo-member (equal to its string, ``is_known`` false) instead of
    a validation error, so a response with a finish reason added next month still parses and
    round-trips byte for byte.
    """

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        return self._name_ in type(self).__members__


class WireModel(BaseModel):
    """Base of all wire types: snake_case attributes, camelCase JSON, unknown fields kept."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        protected_namespaces=(),
        # Responses are parsed once and then read; validating on assignment would only slow
        # down the loop's hot path.
        validate_assignment=False,
        # Each type's validator is built when it is first used, not when agentkit is
        # imported: there are ~70 wire types and a run touches a dozen (~60 ms at import).
        defer_build=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON-able dict for the wire: camelCase keys, only fields that were set."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")
