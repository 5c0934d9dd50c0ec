"""Failures the emulator can act out, placed in a script or injected for the next requests.

Transport-level faults (``Fault``) change how the answer travels: an HTTP error, a delay, a
dropped connection, a stream cut or an error object inside a stream. Model-level failures
(a malformed call, an empty candidate, a safety block) are ordinary answers; the functions
at the bottom build them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentkit.testing.emulator.errors import error_body

QUOTA_FAILURE = "type.googleapis.com/google.rpc.QuotaFailure"
RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"


@dataclass(frozen=True)
class Fault:
    """One fault. Build with the class methods; ``answer`` is what a fault that still answers
    (a delay, a cut or broken stream) serves; None means the next scripted answer."""

    kind: str
    status_code: int = 0
    body: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    after_chunks: int = 0
    answer: Any = None

    @classmethod
    def http_error(
        cls,
        status_code: int,
        message: str,
        *,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> Fault:
        body = error_body(status_code, message, status=status, details=details)
        return cls("http_error", status_code=status_code, body=body)

    @classmethod
    def rate_limited(
        cls,
        retry_delay: float = 1.0,
        quota_id: str = "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
    ) -> Fault:
        """429 RESOURCE_EXHAUSTED with QuotaFailure and RetryInfo, shaped like the real one."""
        return cls.http_error(
            429,
            "You exceeded your current quota, please check your plan and billing details. "
            f"Please retry in {retry_delay}s.",
            details=[
                {
                    "@type": QUOTA_FAILURE,
                    "violations": [
                        {
                            "quotaMetric": "generativelanguage.googleapis.com/"
                            "generate_content_free_tier_requests",
                            "quotaId": quota_id,
                            "quotaDimensions": {"location": "global", "model": "emulated"},
                            "quotaValue": "10",
                        }
                    ],
                },
                {"@type": RETRY_INFO, "retryDelay": f"{retry_delay:g}s"},
            ],
        )

    @classmethod
    def per_day_quota(cls) -> Fault:
        """429 for the requests-per-day quota: retrying before midnight Pacific cannot help."""
        return cls.rate_limited(
            retry_delay=30.0, quota_id="GenerateRequestsPerDayPerProjectPerModel-FreeTier"
        )

    @classmethod
    def server_error(cls, status_code: int = 500) -> Fault:
        messages = {
            500: "An internal error has occurred. Please retry or report in "
            "https://developers.generativeai.google/guide/troubleshooting",
            503: "The model is overloaded. Please try again later.",
        }
        return cls.http_error(status_code, messages.get(status_code, "Server error."))

    @classmethod
    def unavailable(cls) -> Fault:
        return cls.server_error(503)

    @classmethod
    def delay(cls, seconds: float, answer: Any = None) -> Fault:
        """Answer after ``seconds`` (to trip client timeouts and deadlines)."""
        return cls("delay", seconds=seconds, answer=answer)

    @classmethod
    def drop_connection(cls) -> Fault:
        """Start an answer, then close the connection before its body is complete."""
        return cls("drop_connection")

    @classmethod
    def cut_stream(cls, after_chunks: int = 1, answer: Any = None) -> Fault:
        """Send ``after_chunks`` SSE events of the answer, then break the connection."""
        return cls("cut_stream", after_chunks=after_chunks, answer=answer)

    @classmethod
    def end_stream(cls, after_chunks: int = 1, answer: Any = None) -> Fault:
        """Send ``after_chunks`` events, then close the stream cleanly, before the final chunk
        (no finish reason): a turn that looks complete at the HTTP level but is not."""
        return cls("end_stream", after_chunks=after_chunks, answer=answer)

    @classmethod
    def error_in_stream(
        cls, after_chunks: int = 1, answer: Any = None, status_code: int = 500
    ) -> Fault:
        """Send ``after_chunks`` events, then a bare ``{"error": ...}`` object (HTTP is 200)."""
        body = error_body(status_code, "An internal error has occurred.")
        return cls(
            "error_in_stream",
            status_code=status_code,
            body=body,
            after_chunks=after_chunks,
            answer=answer,
        )


# -- model-level failures: ordinary answers ---------------------------------------------------


def malformed_function_call(
    message: str = "Malformed function call: unexpected token.",
) -> dict[str, Any]:
    return {
        "candidates": [
            {
                "content": {},
                "finishReason": "MALFORMED_FUNCTION_CALL",
                "finishMessage": message,
                "index": 0,
            }
        ]
    }


def unexpected_tool_call(name: str = "undeclared_tool") -> dict[str, Any]:
    return {
        "candidates": [
            {
                "content": {},
                "finishReason": "UNEXPECTED_TOOL_CALL",
                "finishMessage": f"Unexpected tool call: {name}",
                "index": 0,
            }
        ]
    }


def empty_candidate() -> dict[str, Any]:
    """A candidate with no parts and a STOP (seen in practice)."""
    return {"candidates": [{"content": {}, "finishReason": "STOP", "index": 0}]}


def no_candidates() -> dict[str, Any]:
    return {"candidates": []}


def safety_block(partial_text: str | None = None) -> dict[str, Any]:
    """The answer was stopped for safety, optionally after some text."""
    content: dict[str, Any] = {}
    if partial_text:
        content = {"role": "model", "parts": [{"text": partial_text}]}
    return {
        "candidates": [
            {
                "content": content,
                "finishReason": "SAFETY",
                "index": 0,
                "safetyRatings": [
                    {
                        "category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                        "probability": "HIGH",
                        "blocked": True,
                    }
                ],
            }
        ]
    }


def blocked_prompt(reason: str = "SAFETY") -> dict[str, Any]:
    """The prompt itself was blocked: promptFeedback, no candidates."""
    return {
        "promptFeedback": {
            "blockReason": reason,
            "safetyRatings": [
                {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True}
            ],
        }
    }
