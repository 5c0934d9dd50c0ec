"""What ``@tool`` refuses at definition time, and how it reads names and docstrings."""

from __future__ import annotations

import typing
from typing import Annotated, Any

import pytest
from pydantic import Field

from agentkit.errors import ToolDefinitionError
from agentkit.tools import Tool, ToolContext, tool


def refusal(fn: Any, **options: Any) -> ToolDefinitionError:
    with pytest.raises(ToolDefinitionError) as caught:
        tool(**options)(fn)
    return caught.value


def test_star_args_are_refused() -> None:
    def search(query: str, *terms: str) -> None: ...

    error = refusal(search)
    assert (error.tool, error.parameter) == ("search", "terms")
    assert "*args" in error.reason


def test_star_kwargs_are_refused() -> None:
    def search(query: str, **options: str) -> None: ...

    error = refusal(search)
    assert (error.tool, error.parameter) == ("search", "options")
    assert "**kwargs" in error.reason


def test_unannotated_parameter_is_refused() -> None:
    def search(query, limit: int = 5):  # type: ignore[no-untyped-def]
        ...

    error = refusal(search)
    assert error.parameter == "query" and "no type annotation" in error.reason
    assert (
        str(error)
        == "tool 'search', parameter 'query': has no type annotation; the schema is built from annotations"
    )


def test_positional_only_parameter_is_refused() -> None:
    def search(query: str, /, limit: int = 5) -> None: ...

    error = refusal(search)
    assert error.parameter == "query" and "positional-only" in error.reason


def test_default_not_matching_annotation_is_refused() -> None:
    def dim(level: int = "high") -> None:  # type: ignore[assignment]
        ...

    error = refusal(dim)
    assert error.parameter == "level"
    assert "default 'high' does not match the annotation" in error.reason


def test_none_default_without_optional_is_refused() -> None:
    def dim(level: int = None) -> None:  # type: ignore[assignment]
        ...

    error = refusal(dim)
    assert error.parameter == "level" and "'X | None'" in error.reason


def test_default_violating_a_constraint_is_refused() -> None:
    def dim(level: Annotated[int, Field(ge=0, le=100)] = 150) -> None: ...

    assert "less than or equal to 100" in refusal(dim).reason


@pytest.mark.parametrize("name", ["1st", "set light", "a/b", "x" * 64, ""])
def test_invalid_tool_names_are_refused(name: str) -> None:
    def f() -> None: ...

    assert "invalid function name" in refusal(f, name=name).reason


@pytest.mark.parametrize("name", ["_private", "home.lights:set-1", "x" * 63])
def test_valid_unusual_names_are_accepted(name: str) -> None:
    def f() -> None: ...

    assert tool(name=name)(f).declaration.name == name


def test_unsupported_type_names_the_parameter() -> None:
    def upload(target: str, handle: typing.IO[bytes]) -> None: ...

    error = refusal(upload)
    assert error.parameter == "handle" and "unsupported type" in error.reason


class StdlibPoint(typing.TypedDict):
    x: int


def test_stdlib_typeddict_on_python_311_is_explained() -> None:
    def move(to: StdlibPoint) -> None: ...

    error = refusal(move)
    assert error.parameter == "to"
    assert "typing_extensions.TypedDict" in error.reason


def test_unresolvable_annotation_is_refused() -> None:
    def f(x: NotDefinedAnywhere) -> None:  # type: ignore[name-defined]  # noqa: F821
        ...

    assert "cannot be resolved" in refusal(f).reason


def test_non_positive_timeout_is_refused() -> None:
    def f() -> None: ...

    assert "timeout must be positive" in refusal(f, timeout=0).reason


def test_parameter_names_that_clash_with_pydantic_still_work() -> None:
    @tool
    def query(schema: str, json: bool, _cursor: str = "", model_name: str = "m") -> dict[str, Any]:
        """Run a query."""
        return {"schema": schema, "json": json, "_cursor": _cursor, "model_name": model_name}

    properties = query.declaration.to_wire()["parametersJsonSchema"]["properties"]
    assert list(properties) == ["schema", "json", "_cursor", "model_name"]
    validated = query.validate({"schema": "s", "json": True, "_cursor": "c"})
    assert not isinstance(validated, Exception)
    assert validated == {
        "schema": "s",
        "json": True,
        "_cursor": "c",
        "model_name": "m",
    }


# -- docstrings -----------------------------------------------------------------------------


def google_style(room: str, level: int) -> None:
    """Dim a room's lights.

    Lights fade over two seconds so nobody is left in sudden darkness.

    Args:
        room: Room to dim, as named in the home.
        level: Target brightness, 0 to 100,
            where 0 means off.

    Returns:
        Nothing.
    """


def google_no_blank_line(room: str, level: int) -> None:
    """Dim a room's lights.
    Args:
        room: Room to dim, as named in the home.
        level: Target brightness, 0 to 100, where 0 means off.
    """


def numpy_style(room: str, level: int) -> None:
    """Dim a room's lights.

    Lights fade over two seconds so nobody is left in sudden darkness.

    Parameters
    ----------
    room : str
        Room to dim, as named in the home.
    level : int
        Target brightness, 0 to 100, where 0 means off.
    """


def rest_style(room: str, level: int) -> None:
    """Dim a room's lights.

    Lights fade over two seconds so nobody is left in sudden darkness.

    :param room: Room to dim, as named in the home.
    :param level: Target brightness, 0 to 100, where 0 means off.
    :returns: Nothing.
    """


@pytest.mark.parametrize(
    "fn", [google_style, numpy_style, rest_style], ids=["google", "numpy", "rest"]
)
def test_docstring_styles_give_the_same_declaration(fn: Any) -> None:
    declaration = tool(fn).declaration.to_wire()
    assert declaration["description"] == (
        "Dim a room's lights.\n\nLights fade over two seconds so nobody is left in sudden darkness."
    )
    properties = declaration["parametersJsonSchema"]["properties"]
    assert properties["room"]["description"] == "Room to dim, as named in the home."
    assert properties["level"]["description"] == "Target brightness, 0 to 100, where 0 means off."


def test_args_section_without_a_blank_line() -> None:
    declaration = tool(google_no_blank_line).declaration.to_wire()
    assert declaration["description"] == "Dim a room's lights."
    assert (
        declaration["parametersJsonSchema"]["properties"]["room"]["description"]
        == "Room to dim, as named in the home."
    )


def test_field_description_wins_over_the_docstring() -> None:
    @tool
    def dim(level: Annotated[int, Field(description="From the annotation.")]) -> None:
        """Dim.

        Args:
            level: From the docstring.
        """

    assert (
        dim.declaration.to_wire()["parametersJsonSchema"]["properties"]["level"]["description"]
        == "From the annotation."
    )


def test_explicit_name_and_description_win() -> None:
    @tool(name="lights_dim", description="Lower the lights.")
    def dim(level: int) -> None:
        """Ignored."""

    assert (dim.name, dim.declaration.description) == ("lights_dim", "Lower the lights.")


def test_no_docstring_means_no_description() -> None:
    def bare(x: int) -> None: ...

    assert "description" not in tool(bare).declaration.to_wire()


def test_context_parameter_is_not_declared() -> None:
    @tool
    def whoami(ctx: ToolContext[str], verbose: bool = False) -> str:
        return ctx.deps

    schema = whoami.declaration.to_wire()["parametersJsonSchema"]
    assert schema == {
        "additionalProperties": False,
        "properties": {"verbose": {"default": False, "type": "boolean"}},
        "type": "object",
    }


@pytest.mark.parametrize(
    "annotation",
    [ToolContext, ToolContext[int], ToolContext[int] | None, typing.Optional[ToolContext]],  # noqa: UP045
    ids=["bare", "generic", "or-none", "optional"],
)
def test_every_spelling_of_the_context_parameter_is_injected_not_declared(annotation: Any) -> None:
    def f(x: int, ctx=None):  # type: ignore[no-untyped-def]
        return ctx

    f.__annotations__ = {"x": int, "ctx": annotation}
    built = tool(f)
    assert list(built.declaration.to_wire()["parametersJsonSchema"]["properties"]) == ["x"]
    assert built.arguments.context_parameter == "ctx"


def test_return_annotation_becomes_the_response_schema() -> None:
    from .shapes import Address

    @tool
    def lookup(name: str) -> Address: ...

    @tool
    def free_form(name: str) -> dict[str, Any]: ...

    @tool(declare_response=False)
    def undeclared(name: str) -> Address: ...

    assert lookup.declaration.response_json_schema["required"] == ["street", "city", "postcode"]
    assert lookup.declaration_for("openapi").response is not None
    assert "responseJsonSchema" not in free_form.declaration.to_wire()  # says nothing useful
    assert "responseJsonSchema" not in undeclared.declaration.to_wire()


def test_declarations_are_built_once() -> None:
    @tool
    def f(x: int) -> None: ...

    assert f.declaration is f.declaration
    assert f.declaration_for("openapi") is f.declaration_for("openapi")


def test_decorating_twice_returns_the_same_tool() -> None:
    @tool
    def f(x: int) -> None: ...

    assert tool(f) is f and isinstance(f, Tool)
