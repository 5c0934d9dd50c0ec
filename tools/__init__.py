"""Ready toolsets for agentkit agents: ``tools.home``, ``tools.clock``, ``tools.calc``."""
