"""Whether the fast argument engine still writes the nodes pydantic would: checked once.

``annotation_core`` writes pydantic-core schema nodes by hand, matching what pydantic's
generator produces for common annotations (the differential tests in
``tests/tools/test_engines.py`` compare every supported annotation). A pydantic release may
change those nodes; pydantic-core may still accept the old ones, and validation would then
differ from pydantic's without any error. So before the first tool is built, a handful of
probe annotations are built both ways and compared: if any node differs, the fast engine is
switched off for the process (every tool then goes through a pydantic model: slower, and
exactly pydantic's behaviour), and a warning says so.
"""

from __future__ import annotations

import datetime
import functools
from typing import Annotated, Any, Literal

from pydantic import Field

from agentkit.logs import get_logger
from agentkit.tools.argument_engines import (
    REQUIRED,
    Parameter,
    arguments_model,
    typed_dict_engine,
)

log = get_logger()

PROBES: tuple[Any, ...] = (
    str,
    int,
    float | None,
    bool,
    list[int],
    dict[str, float],
    Literal["a", "b"],
    Annotated[int, Field(ge=0, le=9)],
    Annotated[str, Field(max_length=5, description="Probe.")],
    datetime.datetime,
)


@functools.cache
def fast_nodes_agree() -> bool:
    """True when every probe's fast node equals the node pydantic generates."""
    parameters = [
        Parameter(f"p{index}", annotation, REQUIRED, "Probe.")
        for index, annotation in enumerate(PROBES)
    ]
    try:
        fast = typed_dict_engine("probe", parameters).core_schema["fields"]
        model, _ = arguments_model("probe", parameters)
        generated = _model_fields(dict(model.__pydantic_core_schema__))
        differing = [
            name
            for name in fast
            if (fast[name]["schema"], fast[name].get("metadata", {}))
            != (generated[name]["schema"], generated[name].get("metadata", {}))
        ]
    except Exception as error:  # a shape this check does not know is a disagreement too
        differing = [f"{type(error).__name__}: {error}"]
    if differing:
        log.warning("fast_argument_engine.off", differing=differing[:3])
    return not differing


def _model_fields(node: dict[str, Any]) -> dict[str, Any]:
    """The fields of a model's core schema (under its ``model`` and ``model-fields`` nodes)."""
    while node.get("type") in ("definitions", "model"):
        node = node["schema"]
    fields: dict[str, Any] = node["fields"]
    return fields
