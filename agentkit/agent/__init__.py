"""The agent loop: ``Agent``, ``Chat``, ``RunResult``, events, limits, confirmation."""

from agentkit.agent.agent import Agent
from agentkit.agent.chat import Chat
from agentkit.agent.confirmation import ConfirmationRequest, Decision
from agentkit.agent.context import ContextPolicy
from agentkit.agent.events import (
    CodeExecuted,
    ContextCompacted,
    Event,
    FunctionCallEvent,
    FunctionResultEvent,
    RetryEvent,
    RunFinished,
    StepFinished,
    TextDelta,
    ThoughtDelta,
    ToolProgress,
)
from agentkit.agent.limits import Limits
from agentkit.agent.modes import FINAL_ANSWER
from agentkit.agent.prefix_cache import ContextCache
from agentkit.agent.result import RunResult, StepRecord, StopReason, ToolCallRecord

__all__ = [
    "FINAL_ANSWER",
    "Agent",
    "Chat",
    "ConfirmationRequest",
    "CodeExecuted",
    "ContextCache",
    "ContextCompacted",
    "ContextPolicy",
    "Decision",
    "Event",
    "FunctionCallEvent",
    "FunctionResultEvent",
    "Limits",
    "RetryEvent",
    "RunFinished",
    "RunResult",
    "StepFinished",
    "StepRecord",
    "StopReason",
    "TextDelta",
    "ThoughtDelta",
    "ToolCallRecord",
    "ToolProgress",
]
