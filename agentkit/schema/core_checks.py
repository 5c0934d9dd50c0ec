"""Checks and one rewrite on pydantic core schemas, for what the JSON Schema cannot say.

A tool's declaration and its validator come from one core schema, yet in two places they
still part ways, because JSON is not Python:

- ``Iterable[X]`` (and ``Generator``) validate *lazily*: pydantic hands the function a
  generator that checks each item only as it is drawn, so a bad item fails inside the tool,
  after the call was accepted. ``eager`` rewrites those nodes into lists: every item is
  checked before the call, and the function receives a list (which is an iterable). A
  model or dataclass is validated by its own prebuilt validator, which no rewrite reaches
  (pydantic-core reuses it for any schema naming the class), so ``lazy_field`` finds an
  iterable field of one, for the tool to be refused instead.
- A set's items must be hashable, but JSON arrays and objects arrive as lists and dicts: a
  ``set[list[int]]`` (or a set of non-frozen models, or ``Hashable``) declares arguments
  that validation then refuses; so does ``type[X]``, which only a class satisfies.
  ``unhashable`` finds them so the tool can be refused when it is defined instead.

The walk follows every key of a node except the ones that hold data (defaults, literal
values, classes, metadata), so it sees each nested schema, definitions included.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

CoreNode = dict[str, Any]

_DATA_KEYS = frozenset(
    "metadata default expected members cls config serialization ref schema_ref function "
    "custom_error_context custom_error_message custom_error_type computed_fields".split()
)
# Kinds whose values are hashable whatever their input (when their own parts are).
_HASHABLE = frozenset(
    "str int float bool none bytes date time datetime timedelta uuid decimal literal enum url "
    "multi-host-url complex frozenset".split()
)
_UNHASHABLE = frozenset({"list", "dict", "set", "typed-dict", "any", "generator", "deque"})


def eager(schema: CoreNode) -> CoreNode | None:
    """A copy of ``schema`` with every generator node made a list node; None when there is
    none (the schema is then used as it is)."""
    rewritten = _eager(schema)
    return None if rewritten is schema else rewritten


def _eager(node: Any) -> Any:
    if isinstance(node, list | tuple):
        rewritten = [_eager(item) for item in node]
        if all(new is old for new, old in zip(rewritten, node, strict=True)):
            return node
        return type(node)(rewritten)
    if not isinstance(node, dict):
        return node
    skipped = _skipped(node)
    changed = {
        key: new
        for key, value in node.items()
        if key not in skipped and (new := _eager(value)) is not value
    }
    if node.get("type") == "generator":
        lengths = {k: node[k] for k in ("min_length", "max_length") if k in node}
        items = changed.get("items_schema", node.get("items_schema", {"type": "any"}))
        return {"type": "list", "items_schema": items, **lengths}
    return {**node, **changed} if changed else node


def lazy_field(schema: CoreNode, *, outermost: bool = True) -> str | None:
    """Why a model or dataclass in ``schema`` would validate lazily; None if none would.
    ``outermost=False`` skips the schema's own outermost model (a tool's arguments model,
    whose fields are validated without its prebuilt validator)."""
    root = schema["schema"] if schema.get("type") == "definitions" else schema
    for node in _nodes(schema):
        if (node is root and not outermost) or node.get("type") not in ("model", "dataclass"):
            continue
        for name, field in _class_fields(node).items():
            if any(inner.get("type") == "generator" for inner in _nodes(field)):
                owner = getattr(node.get("cls"), "__name__", "a model")
                return (
                    f"field {name!r} of {owner} is an iterable, which pydantic checks only as "
                    "the tool draws its items, so a bad item would fail inside the tool after "
                    "the call was accepted; annotate the field list[...] or Sequence[...]"
                )
    return None


def _class_fields(node: CoreNode) -> dict[str, Any]:
    inner = node.get("schema", {})
    fields = inner.get("fields", {})
    if isinstance(fields, list):  # a dataclass's arguments
        return {field.get("name", "?"): field for field in fields if isinstance(field, dict)}
    return fields if isinstance(fields, dict) else {}


def unhashable(schema: CoreNode) -> str | None:
    """Why some set in ``schema`` cannot hold what its items validate to; None if none."""
    definitions = dict(_definitions(schema))
    for node in _nodes(schema):
        kind = node.get("type")
        if kind in ("set", "frozenset"):
            items = node.get("items_schema", {"type": "any"})
            if not _hashable(items, definitions, set()):
                return (
                    f"a {kind}'s items must be hashable, but these arrive as "
                    f"{_described(items, definitions)}, which are not; use a list, or items "
                    "of a hashable type (str, int, a tuple, a frozen model)"
                )
        if kind == "is-instance" and getattr(node.get("cls"), "__name__", "") == "Hashable":
            return (
                "Hashable admits any JSON value, but arrays and objects arrive as lists and "
                "dicts, which are not hashable; annotate the concrete type expected"
            )
        if kind == "is-subclass":
            return (
                "type[...] takes a class, which no JSON value is (the schema would admit "
                "anything, validation nothing); take a name or an enum and look the class up"
            )
    return None


def _nodes(node: Any) -> Iterator[CoreNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list | tuple):
            stack.extend(current)
        elif isinstance(current, dict):
            if isinstance(current.get("type"), str):
                yield current
            skipped = _skipped(current)
            stack.extend(v for k, v in current.items() if k not in skipped)


def _skipped(node: dict[str, Any]) -> frozenset[str]:
    """The keys not to descend into: data keys of a schema node; none of a plain map (the
    fields of a model, the choices of a tagged union), whose keys are names."""
    return _DATA_KEYS if isinstance(node.get("type"), str) else frozenset()


def _definitions(schema: CoreNode) -> Iterator[tuple[str, CoreNode]]:
    for node in _nodes(schema):
        if node.get("type") == "definitions":
            for definition in node.get("definitions", []):
                if isinstance(definition.get("ref"), str):
                    yield definition["ref"], definition
        elif isinstance(node.get("ref"), str):
            yield node["ref"], node


def _resolve(node: CoreNode, definitions: dict[str, CoreNode]) -> CoreNode:
    if node.get("type") == "definition-ref":
        return definitions.get(node.get("schema_ref", ""), {"type": "any"})
    return node


def _hashable(node: CoreNode, definitions: dict[str, CoreNode], seen: set[str]) -> bool:
    node = _resolve(node, definitions)
    kind = node.get("type")
    ref = node.get("ref")
    if isinstance(ref, str):
        if ref in seen:
            return True  # a cycle: decided where it started
        seen = seen | {ref}
    if kind in _HASHABLE:
        return True
    if kind in _UNHASHABLE:
        return False
    if kind in ("model", "dataclass"):
        return getattr(node.get("cls"), "__hash__", None) is not None
    if kind == "tuple":
        return all(_hashable(item, definitions, seen) for item in node.get("items_schema", []))
    if kind == "union":
        choices = [c[0] if isinstance(c, tuple) else c for c in node.get("choices", [])]
        return all(_hashable(choice, definitions, seen) for choice in choices)
    if kind == "tagged-union":
        return all(_hashable(c, definitions, seen) for c in node.get("choices", {}).values())
    if kind == "json-or-python":
        return _hashable(node["python_schema"], definitions, seen)
    if kind == "lax-or-strict":
        return _hashable(node["lax_schema"], definitions, seen)
    if kind == "chain":
        return _hashable(node["steps"][-1], definitions, seen)
    if kind == "is-instance":
        return getattr(node.get("cls"), "__hash__", None) is not None
    inner = node.get("schema")
    if isinstance(inner, dict):  # nullable, default, custom-error, validator functions
        return _hashable(inner, definitions, seen)
    return True  # a kind this does not know: validation decides


def _described(node: CoreNode, definitions: dict[str, CoreNode]) -> str:
    node = _resolve(node, definitions)
    kind = node.get("type")
    names = {"list": "lists", "dict": "dicts", "set": "sets", "typed-dict": "dicts"}
    if kind in names:
        return names[kind]
    if kind in ("model", "dataclass"):
        return f"{getattr(node.get('cls'), '__name__', 'model')} objects (not frozen)"
    if kind == "any":
        return "any JSON value, arrays and objects among them"
    return "values of which some are lists or dicts"
