"""``@tool``: a Python function (sync or async, plain or method) as a Gemini tool.

A ``Tool`` is built once, when it is defined: its argument model, its declaration in the JSON
Schema dialect, and its declaration in the OpenAPI subset (or the reason it has none) are all
computed then and reused for every request and every call.
"""

from __future__ import annotations

import functools
import re
import sys
import time
from collections.abc import Callable
from typing import Any, Literal, TypeAlias, overload

import anyio
from pydantic import ValidationError

from agentkit.errors import SchemaDialectError, ToolDefinitionError, ToolExitError
from agentkit.logs import debug_enabled, get_logger
from agentkit.schema import to_openapi_subset
from agentkit.tools.callables import is_async, is_unbound_method, target_of
from agentkit.tools.class_engine import ValidatedInstance
from agentkit.tools.context import ToolContext
from agentkit.tools.invocation import CallFate
from agentkit.tools.parameters import Arguments, build_arguments
from agentkit.tools.response import response_schema
from agentkit.tools.results import (
    ToolError,
    ToolResult,
    exception_error,
    invalid_arguments,
    timeout_error,
    to_result,
)
from agentkit.tools.threads import run_in_thread
from agentkit.types import FunctionDeclaration, Schema

SchemaDialect: TypeAlias = Literal["json_schema", "openapi"]
ConfirmationRule: TypeAlias = "bool | Callable[[dict[str, Any]], bool]"
FUNCTION_NAME_RULE = (
    "letters, digits, '_', '.', ':' or '-', starting with a letter or '_', at most 63"
)


FUNCTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,62}")
log = get_logger()


def check_function_name(name: str, tool: str | None = None, *, hint: bool = False) -> None:
    """``hint``: the name was taken from the callable, so say how to give another."""
    if not FUNCTION_NAME.fullmatch(name):
        advice = "; give the tool a name with tool(name=...)" if hint else ""
        raise ToolDefinitionError(
            tool or name,
            f"invalid function name {name!r}: Gemini accepts {FUNCTION_NAME_RULE}{advice}",
        )


class Tool:
    """A function the model can call: its declaration, argument validator and invoker.

    Calling the Tool object itself calls the original function, so a decorated function
    stays usable as ordinary Python.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
        requires_confirmation: ConfirmationRule = False,
        declare_response: bool = True,
        blocking: bool = True,
        namespace: dict[str, Any] | None = None,
    ) -> None:
        """See ``tool()`` for the options. ``namespace`` resolves string annotations that name
        things local to the function defining the tool (``tool()`` passes its caller's).

        Raises ``ToolDefinitionError`` for anything that cannot be a tool, and only that."""
        target = target_of(fn)
        fn = target.call
        self.fn = fn
        self.name = name if name is not None else target.name
        check_function_name(self.name, hint=name is None)
        if timeout is not None and timeout <= 0:
            raise ToolDefinitionError(self.name, f"timeout must be positive, got {timeout}")
        if timeout is not None and not blocking and not is_async(fn):
            raise ToolDefinitionError(
                self.name,
                "a timeout cannot stop a non-blocking sync tool (it runs on the event loop "
                "until it returns); drop timeout= or blocking=False",
            )
        self.timeout = timeout
        self.requires_confirmation = requires_confirmation
        self._method = is_unbound_method(fn)
        signature_target = functools.partial(fn, None) if self._method else fn
        # Loaded with the first tool: the docstring parsers cost ~10 ms at import.
        from agentkit.tools.docstrings import parse_docstring

        docs = parse_docstring(target.doc)
        self.description = description if description is not None else docs.description
        self.arguments: Arguments = build_arguments(self.name, signature_target, docs, namespace)
        self.is_async = is_async(fn)
        # A sync function runs in a worker thread unless declared non-blocking: a thread hop
        # costs ~0.1 ms of CPU, which pure computations need not pay.
        self.in_thread = not self.is_async and blocking
        self.parameters_json_schema = self.arguments.engine.json_schema
        self.response_json_schema = (
            response_schema(self.name, self.arguments.return_annotation)
            if declare_response
            else None
        )
        # The JSON-dialect declaration is built now; the OpenAPI subset the first time an agent
        # asks for it (most never do), and its refusal, if any, is raised then — still before
        # any request is made.
        self._declarations: dict[str, FunctionDeclaration | SchemaDialectError] = {}
        self._declarations["json_schema"] = self._build_declaration("json_schema")
        _look_like(self, fn)

    @property
    def tool_type(self) -> str:
        """What tracing calls it (``gen_ai.tool.type``): a function run here."""
        return "function"

    @property
    def takes_context(self) -> bool:
        """Whether a call needs a ``ToolContext``: a context costs a threading.Event, which
        a plain tool would pay for on every call."""
        return self.arguments.context_parameter is not None

    @property
    def runs_inline(self) -> bool:
        """A sync tool declared non-blocking: it runs on the loop and returns at once."""
        return not self.is_async and not self.in_thread

    # -- declarations -------------------------------------------------------------------------

    @property
    def declaration(self) -> FunctionDeclaration:
        """The declaration in the default dialect (``parametersJsonSchema``)."""
        return self.declaration_for("json_schema")

    def declaration_for(self, dialect: SchemaDialect) -> FunctionDeclaration:
        """The declaration in a dialect; raises ``ToolDefinitionError`` naming the parameter
        when the tool's types cannot be expressed in it."""
        built = self._declarations.get(dialect)
        if built is None:
            built = self._declarations[dialect] = self._build_declaration(dialect)
        if isinstance(built, SchemaDialectError):
            parameter = built.path.split(".")[1] if built.path.startswith("properties.") else None
            raise ToolDefinitionError(
                self.name, f"cannot be declared in the {dialect} dialect: {built}", parameter
            )
        return built

    def _build_declaration(
        self, dialect: SchemaDialect
    ) -> FunctionDeclaration | SchemaDialectError:
        fields: dict[str, Any] = {"name": self.name}
        if self.description:
            fields["description"] = self.description
        if dialect == "json_schema":
            fields["parameters_json_schema"] = self.parameters_json_schema
            if self.response_json_schema is not None:
                fields["response_json_schema"] = self.response_json_schema
            return FunctionDeclaration(**fields)
        try:
            fields["parameters"] = Schema.model_validate(
                to_openapi_subset(self.parameters_json_schema)
            )
        except SchemaDialectError as error:
            return error
        if self.response_json_schema is not None:
            # The response schema is a hint to the model, not a contract the API enforces:
            # when the subset cannot express it, the declaration goes without one.
            try:
                fields["response"] = Schema.model_validate(
                    to_openapi_subset(self.response_json_schema)
                )
            except SchemaDialectError:
                pass
        return FunctionDeclaration(**fields)

    # -- calling ------------------------------------------------------------------------------

    def validate(self, args: dict[str, Any] | None) -> dict[str, Any] | ToolError:
        """The call's keyword arguments, or the error the model is told about. A validator
        of the tool's own types that raises something else than a validation error (a bug
        in it) is reported like an exception of the tool, never raised into the run."""
        try:
            return self.arguments.validate(args if args is not None else {})
        except ValidationError as error:
            return invalid_arguments(self.name, error)
        except Exception as error:
            return exception_error(self.name, error)

    def needs_confirmation(self, validated: dict[str, Any]) -> bool:
        rule = self.requires_confirmation
        if callable(rule):
            return bool(rule(dict(validated)))
        return bool(rule)

    async def invoke(
        self,
        args: dict[str, Any] | None,
        context: ToolContext[Any] | None = None,
        *,
        limiter: anyio.CapacityLimiter | None = None,
        multimodal: bool = True,
    ) -> ToolResult:
        """Validate, call, convert. Never raises for the tool's own failures."""
        validated = self.validate(args)
        if isinstance(validated, ToolError):
            return ToolResult.failure(validated)
        return await self.run(validated, context, limiter=limiter, multimodal=multimodal)

    async def run(
        self,
        validated: dict[str, Any],
        context: ToolContext[Any] | None = None,
        *,
        limiter: anyio.CapacityLimiter | None = None,
        multimodal: bool = True,
        fate: CallFate | None = None,
    ) -> ToolResult:
        """Call with already-validated arguments (the loop validates before confirmation).

        Sync functions run in a worker thread so they cannot stall the event loop. Python
        cannot stop a thread, so on a timeout the thread is abandoned (``abandon_on_cancel``):
        the run goes on, the model is told whether the call may still complete (``fate``
        records it; the executor passes its own to read after a deadline), the call's
        ``ToolContext`` says ``cancelled`` (a tool can check it and stop), and a call that
        finishes later is logged. Only ``Exception`` is caught: cancellation,
        KeyboardInterrupt and SystemExit pass through.
        """
        kwargs, context = self.call_arguments(validated, context)
        fate = fate or CallFate(self.name)
        started = time.perf_counter()
        timed_out = False
        try:
            if self.timeout is None:
                value = await self._call(kwargs, limiter, fate)
            else:
                ends = time.monotonic() + self.timeout
                fate.deadline = ends if fate.deadline is None else min(fate.deadline, ends)
                with anyio.move_on_after(self.timeout) as scope:
                    value = await self._call(kwargs, limiter, fate)
                timed_out = scope.cancelled_caught
        except (Exception, SystemExit) as error:
            outcome = self.failed(error, time.perf_counter() - started)
            if isinstance(outcome, ToolResult):
                return outcome
            if outcome is error:
                raise
            raise outcome from error
        finally:
            if not fate.finished:  # a timeout, the run's deadline, a cancelled run
                fate.abandon()
                if context is not None:
                    context.abandon()
        duration = time.perf_counter() - started
        if timed_out:
            assert self.timeout is not None
            overran = timeout_error(self.name, self.timeout, fate)
            log.warning(
                "tool.timeout",
                tool=self.name,
                timeout=self.timeout,
                started=fate.started,
                still_running=overran.details["still_running"],
            )
            return ToolResult.failure(overran, duration)
        return to_result(self.name, value, multimodal=multimodal, duration=duration)

    def call_arguments(
        self, validated: dict[str, Any], context: ToolContext[Any] | None
    ) -> tuple[dict[str, Any], ToolContext[Any] | None]:
        """The keyword arguments of a call and the context it gets (made when the tool takes
        one and none was given). The validated dict is the call's own; it is copied only to
        add the context."""
        if self.arguments.context_parameter is None:
            return validated, context
        context = context or ToolContext(tool_name=self.name)
        return {**validated, self.arguments.context_parameter: context}, context

    def failed(self, error: BaseException, duration: float) -> ToolResult | BaseException:
        """What the tool raising ``error`` comes to: an ``Exception`` is the model's to hear
        about (a result); ``SystemExit`` stops the run as a ``ToolExitError``; anything else
        (KeyboardInterrupt, cancellation) stops it as itself. The stops are returned, for
        the caller to raise where it must."""
        if isinstance(error, Exception):
            if debug_enabled():
                log.debug("tool.exception", tool=self.name, exc_info=error)
            return ToolResult.failure(exception_error(self.name, error), duration)
        if isinstance(error, SystemExit):
            stop = ToolExitError(self.name, error.code)
            stop.__cause__ = error
            return stop
        return error

    async def _call(
        self, kwargs: dict[str, Any], limiter: anyio.CapacityLimiter | None, fate: CallFate
    ) -> Any:
        if self.in_thread and not isinstance(kwargs, ValidatedInstance):
            return await run_in_thread(functools.partial(fate.in_thread, self.fn, kwargs), limiter)
        fate.begin()
        try:
            if isinstance(kwargs, ValidatedInstance):
                return kwargs.instance  # a class tool: validating the arguments built the result
            if self.is_async:
                return await self.fn(**kwargs)
            return self.fn(**kwargs)
        finally:
            # An async tool that is cancelled has stopped too: it is not running any more.
            fate.end()

    # -- variants -----------------------------------------------------------------------------

    def renamed(self, name: str) -> Tool:
        """The same tool under another name (shares the validator; the declaration is rebuilt)."""
        check_function_name(name, self.name)
        clone = _copy(self)
        clone.name = name
        clone._declarations = {
            dialect: (
                built.model_copy(update={"name": name})
                if isinstance(built, FunctionDeclaration)
                else built
            )
            for dialect, built in self._declarations.items()
        }
        return clone

    def __get__(self, instance: Any, owner: type | None = None) -> Tool:
        """``@tool`` on a method: each instance gets a Tool bound to it, built once."""
        if instance is None or not self._method:
            return self
        cache = instance.__dict__.setdefault("__agentkit_tools__", {})
        bound: Tool | None = cache.get(self.name)
        if bound is None:
            bound = _copy(self)
            bound.fn = self.fn.__get__(instance, owner)
            bound._method = False
            cache[self.name] = bound
        return bound

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Tool({self.name!r})"


def _copy(tool: Tool) -> Tool:
    clone = object.__new__(type(tool))
    clone.__dict__.update(tool.__dict__)
    return clone


@overload
def tool(fn: Callable[..., Any], /) -> Tool: ...


@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    timeout: float | None = None,
    requires_confirmation: ConfirmationRule = False,
    declare_response: bool = True,
    blocking: bool = True,
) -> Callable[[Callable[..., Any]], Tool]: ...


def tool(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    timeout: float | None = None,
    requires_confirmation: ConfirmationRule = False,
    declare_response: bool = True,
    blocking: bool = True,
) -> Tool | Callable[[Callable[..., Any]], Tool]:
    """Make a function a tool: ``@tool`` or ``@tool(name=..., timeout=..., ...)``.

    Args:
        name: the name the model sees (default: the function's name).
        description: overrides the docstring's description.
        timeout: seconds a call may take before it is stopped and reported as a timeout.
        requires_confirmation: True, or a predicate on the validated arguments, to require a
            human's approval before the call runs.
        declare_response: declare the return annotation as the function's response schema.
        blocking: for a sync function, whether it may block (I/O, sleeps, heavy work): then it
            runs in a worker thread (the default). ``blocking=False`` runs it on the event
            loop, saving the thread hop; only for functions that return at once.
    """

    def decorate(function: Callable[..., Any], namespace: dict[str, Any]) -> Tool:
        if isinstance(function, Tool):
            return function
        return Tool(
            function,
            name=name,
            description=description,
            timeout=timeout,
            requires_confirmation=requires_confirmation,
            declare_response=declare_response,
            blocking=blocking,
            namespace=namespace,
        )

    # With `from __future__ import annotations`, a tool defined inside a function names types
    # local to that function only as strings; the defining frame's locals resolve them.
    if fn is not None:
        return decorate(fn, sys._getframe(1).f_locals)
    return lambda function: decorate(function, sys._getframe(1).f_locals)


def _look_like(tool: Tool, fn: Callable[..., Any]) -> None:
    """Give the Tool the function's ``__name__``, ``__doc__``, ``__wrapped__``... so it reads
    as the function in ``help()`` and introspection. Only those: the callable's own
    ``__dict__`` is not copied, since its attributes (a ``name``, a ``timeout``) would
    overwrite the Tool's."""
    try:
        functools.update_wrapper(tool, fn, updated=())
    except Exception:
        pass
