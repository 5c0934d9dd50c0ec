"""What stays fixed for the whole of a run: model, tool plan, limits, and the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio

from agentkit.agent.confirmation import ConfirmCallback
from agentkit.agent.context import ContextPolicy
from agentkit.agent.context_size import InputLimits
from agentkit.agent.executor import ToolCallRecorder
from agentkit.agent.limits import Limits
from agentkit.agent.modes import ToolPlan
from agentkit.agent.prefix_cache import PrefixCaches
from agentkit.models.base import Model
from agentkit.types import Content, GenerationConfig, SafetySetting, Tool


@dataclass(frozen=True)
class RunSettings:
    """Everything fixed for the duration of a run."""

    model: Model
    plan: ToolPlan
    limits: Limits
    instructions: Content | None = None
    generation_config: GenerationConfig | None = None
    safety_settings: list[SafetySetting] | None = None
    output_type: Any = None
    native_output: bool = False
    deps: Any = None
    confirm: ConfirmCallback | None = None
    stream: bool = False
    multimodal: bool = True
    agent: Any = None
    limiter: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(16))
    state_key: bytes = b""
    telemetry: Any = None  # the run's RunTelemetry when it is traced or measured
    context: ContextPolicy | None = None  # how the context is kept within budget, if it is
    input_limits: InputLimits = field(default_factory=InputLimits)
    cache: PrefixCaches | None = None  # the agent's explicit caches of the prefix, if any
    recorder: ToolCallRecorder | None = None  # makes each tool call a recorded (durable) step

    @property
    def wire_tools(self) -> list[Tool] | None:
        return self.plan.wire_tools
