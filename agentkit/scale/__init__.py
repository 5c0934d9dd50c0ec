"""Running agents at scale; every way here drives the one agent loop.

- ``batch_api``: many runs in lockstep on the Gemini Batch API, one job per step, at half
  the price, resumable after a kill.
"""

from agentkit.scale.batch_api import BatchApiReport, BatchApiRunner, RunOutcome, RunSpec
from agentkit.scale.batch_jobs import BatchApiOptions, JobProgress
from agentkit.scale.lockstep import Lockstep, LockstepModel

__all__ = [
    "BatchApiOptions",
    "BatchApiReport",
    "BatchApiRunner",
    "JobProgress",
    "Lockstep",
    "LockstepModel",
    "RunOutcome",
    "RunSpec",
]
