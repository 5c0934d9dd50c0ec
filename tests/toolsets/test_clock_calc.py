"""The clock and calculator toolsets."""

from __future__ import annotations

import pytest

from agentkit.toolsets.calc import CalculationError, calculate, evaluate
from agentkit.toolsets.clock import convert_time, now


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("1 + 2 * 3", 7),
        ("(21.5 - 19) * 2", 5.0),
        ("2 ** 10", 1024),
        ("-3 // 2", -2),
        ("sqrt(16) + abs(-2)", 6.0),
        ("round(pi, 2)", 3.14),
        ("max(1, 5, 3)", 5),
    ],
)
def test_arithmetic(expression: str, value: float) -> None:
    assert evaluate(expression) == value


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("__import__('os').system('id')", "not allowed"),
        ("open('/etc/passwd')", "not allowed"),
        ("(1).__class__", "not allowed"),
        ("x + 1", "not allowed"),
        ("'a' * 3", "not allowed"),
        ("10 ** 10 ** 10", "larger than 1000"),
        ("1 / 0", "division by zero"),
        ("1 +", "not an arithmetic expression"),
        ("1" * 600, "longer than 500"),
        ("sqrt(-1)", "sqrt: math domain error"),
    ],
)
def test_anything_but_arithmetic_is_refused(expression: str, message: str) -> None:
    with pytest.raises(CalculationError, match=message.replace("(", r"\(")):
        evaluate(expression)


async def test_calculate_tool_reports_errors_to_the_model() -> None:
    assert (await calculate.invoke({"expression": "6*7"})).response == {
        "expression": "6*7",
        "result": 42,
    }
    failed = await calculate.invoke({"expression": "__import__('os')"})
    assert failed.error is not None and "CalculationError" in failed.error.message


async def test_time_conversion() -> None:
    result = await convert_time.invoke(
        {
            "time": "2026-11-21T18:00:00",
            "from_timezone": "Europe/Amsterdam",
            "to_timezone": "Asia/Tokyo",
        }
    )
    assert result.response == {
        "from": "2026-11-21T18:00:00+01:00",
        "to": "2026-11-22T02:00:00+09:00",
        "timezone": "Asia/Tokyo",
    }
    unknown = await now.invoke({"timezone": "Mars/Olympus"})
    assert unknown.error is not None and "unknown time zone 'Mars/Olympus'" in unknown.error.message
    current = await now.invoke({"timezone": "UTC"})
    assert current.ok and current.response["iso"].endswith("+00:00")
