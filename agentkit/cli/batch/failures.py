"""Which failures stop the whole batch, and which belong to the one row that met them.

A failure every row would meet — the key is refused, the credentials lack access, the per-day
quota is used up, the model does not exist, the project or region cannot use the API — stops
the batch: going on would only write the same error for every remaining row. Such a failure is
not the row's result, so no line is written for it; the rows stay unrun and a rerun of the
same command, once the cause is fixed, continues with them.

Anything else is that row's result, written as its error line, and the batch goes on: the
model's behaviour on that row (a safety block, malformed calls), a 400 about that row's
content, a transient failure that outlived its retries (a per-minute 429, a 503, a dropped
connection). A rerun runs those rows again.
"""

from __future__ import annotations

from typing import Any

from agentkit.errors import APIError, ConfigurationError


def stops_the_batch(error: BaseException) -> str | None:
    """Why ``error`` must stop the whole batch, or None when it belongs to its row alone."""
    if isinstance(error, ConfigurationError):
        return "agentkit is not set up to reach the model"
    if not isinstance(error, APIError):
        return None
    if error.reason == "API_KEY_INVALID":
        return "the API key is not valid"
    if error.status_code in (401, 403):
        return "the API refused these credentials"
    if error.status_code == 400 and error.status == "FAILED_PRECONDITION":
        return "the API cannot be used from this project or region"
    if error.status_code == 429 and error.is_per_day_quota:
        return "the per-day quota is used up until midnight Pacific"
    if error.status_code == 404:
        return "the model was not found"
    return None


def error_record(item_id: Any, error: BaseException) -> dict[str, Any]:
    """The results line of a row that failed: the error's type and message."""
    return {
        "id": item_id,
        "status": "error",
        "error": {"type": type(error).__name__, "message": str(error)},
    }
