"""Test helpers: scripted models and the strict Gemini emulator (``agentkit.testing.emulator``)."""

from agentkit.testing.answers import call, code_run, grounded
from agentkit.testing.scripted import FunctionModel, ScriptedModel, ScriptError

__all__ = ["FunctionModel", "ScriptError", "ScriptedModel", "call", "code_run", "grounded"]
