"""Test helpers: the strict Gemini emulator (``agentkit.testing.emulator``)."""
