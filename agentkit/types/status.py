"""The error body (google.rpc.Status as JSON) and the detail types agentkit reads."""

from __future__ import annotations

import re
from typing import Any

from agentkit.types._wire import WireModel

_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
_QUOTA_FAILURE = "type.googleapis.com/google.rpc.QuotaFailure"
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


class ErrorStatus(WireModel):
    code: int | None = None
    message: str | None = None
    status: str | None = None
    details: list[dict[str, Any]] | None = None

    def _details_of(self, type_url: str) -> list[dict[str, Any]]:
        return [d for d in self.details or () if d.get("@type") == type_url]

    @property
    def retry_delay(self) -> float | None:
        """Seconds from a RetryInfo detail (a protobuf Duration such as ``"26s"``), if any."""
        for detail in self._details_of(_RETRY_INFO):
            match = _DURATION.match(str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
        return None

    @property
    def quota_ids(self) -> list[str]:
        ids: list[str] = []
        for detail in self._details_of(_QUOTA_FAILURE):
            for violation in detail.get("violations") or ():
                if isinstance(violation, dict) and isinstance(violation.get("quotaId"), str):
                    ids.append(violation["quotaId"])
        return ids

    @property
    def reason(self) -> str | None:
        """The ErrorInfo reason, e.g. ``API_KEY_INVALID``."""
        for detail in self._details_of(_ERROR_INFO):
            if isinstance(detail.get("reason"), str):
                return str(detail["reason"])
        return None


class ErrorBody(WireModel):
    error: ErrorStatus
