"""Model backends: the ``Model`` protocol and its REST implementations."""

from agentkit.models.base import Model, close_model
from agentkit.models.gemini import Gemini, resolve_api_key
from agentkit.models.retry import RetryPolicy
from agentkit.models.vertex import Vertex

__all__ = ["Gemini", "Model", "close_model", "RetryPolicy", "Vertex", "resolve_api_key"]
