"""Ready toolsets for agentkit agents: ``home``, ``clock``, ``calc``.

This folder is their source; an install ships it as ``agentkit.toolsets`` (import them as
``agentkit.toolsets.home``). Run files and the CLI name them ``tools.home`` and so on, which
resolve here, or to the installed copy from any directory.
"""
