"""Model backends: the ``Model`` protocol and its REST implementations."""

# First: every backend imports httpx, and this imports it without its command-line client.
import agentkit.models.lean_httpx  # noqa: F401  (isort: skip)
from agentkit.models.base import Model, close_model
from agentkit.models.gemini import Gemini, resolve_api_key
from agentkit.models.rate_limit import LimiterStatus, RateLimit
from agentkit.models.retry import RetryPolicy
from agentkit.models.vertex import Vertex

__all__ = [
    "Gemini",
    "LimiterStatus",
    "Model",
    "RateLimit",
    "RetryPolicy",
    "Vertex",
    "close_model",
    "resolve_api_key",
]
