"""Arithmetic for agents, with a parser that only knows numbers and operators.

Expressions are parsed with ``ast`` and walked node by node; anything but numbers, the
operators below and a few math functions is refused. No ``eval``: a model's argument is data.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

from agentkit import Toolset, tool

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sqrt": math.sqrt,
    "abs": abs,
    "round": round,
    "min": min,
    "max": max,
    "log": math.log,
    "exp": math.exp,
    "sin": math.sin,
    "cos": math.cos,
}
_CONSTANTS = {"pi": math.pi, "e": math.e}
MAX_EXPONENT = 1000  # 10 ** 10 ** 10 would hang the process
MAX_LENGTH = 500


class CalculationError(ValueError):
    pass


def evaluate(expression: str) -> float | int:
    if len(expression) > MAX_LENGTH:
        raise CalculationError(f"expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as error:
        raise CalculationError(f"not an arithmetic expression: {error.msg}") from None
    result = _value(tree.body)
    if not isinstance(result, int | float):
        raise CalculationError(f"the expression gives a {type(result).__name__}, not a number")
    return result


def _value(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise CalculationError(f"exponent {right} is larger than {MAX_EXPONENT}")
        try:
            return _BINARY[type(node.op)](left, right)
        except ZeroDivisionError:
            raise CalculationError("division by zero") from None
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_value(node.operand))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        try:
            return _FUNCTIONS[node.func.id](*(_value(arg) for arg in node.args))
        except (ValueError, TypeError) as error:
            raise CalculationError(f"{node.func.id}: {error}") from None
    raise CalculationError(f"not allowed in an expression: {ast.unparse(node)!r}")


@tool
def calculate(expression: str) -> dict[str, Any]:
    """Evaluate an arithmetic expression exactly as written.

    Args:
        expression: Numbers, + - * / // % **, parentheses, pi, e and sqrt, abs, round, min,
            max, log, exp, sin, cos. For example "(21.5 - 19) * 2".
    """
    return {"expression": expression, "result": evaluate(expression)}


def toolset() -> Toolset:
    return Toolset([calculate])
