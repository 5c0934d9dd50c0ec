"""What the durable commands (``run --durable``, ``worker``) share: the model they run on.

Offline, a durable run cannot replay a script from its start the way a plain one does: a
resumed run reads its completed model calls back from the database and asks the model only
for the turns after them. So the offline model here answers by where the conversation is
(the emulator's per-conversation script: a request holding N model turns gets turn N + 1),
and its thought signatures are made with a fixed key, the same in every process.
"""

from __future__ import annotations

from agentkit.cli.exits import UsageError
from agentkit.cli.runfile import RunFile
from agentkit.models import Gemini, Model
from agentkit.offline import NoModelError, remote_configured

OFFLINE_SIGNATURE_KEY = b"agentkit offline runs"


def durable_model(runfile: RunFile) -> tuple[Model, bool]:
    """The run file's model and whether it is the offline script."""
    if remote_configured():
        return Gemini(runfile.model), False
    if runfile.offline_turns is None:
        raise NoModelError(str(runfile.path))
    from agentkit.testing.emulator import InProcessEmulator

    emulator = InProcessEmulator(model=runfile.model, signature_key=OFFLINE_SIGNATURE_KEY)
    emulator.script(list(runfile.offline_turns), per_conversation=True)
    return emulator, True


def require_durable() -> None:
    """DBOS is an extra: without it, say how to install it (one line, exit 2)."""
    try:
        import dbos  # noqa: F401
    except ImportError:
        raise UsageError(
            "durable runs and queues need DBOS: pip install 'agentkit[durable]'"
        ) from None
