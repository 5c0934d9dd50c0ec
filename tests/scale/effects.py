"""The test toolset of the durable and queue tests: a tool whose effect is logged.

``record(item)`` appends one line per execution to ``$EFFECTS_DIR/attempts.log`` (each line
one ``write`` to an ``O_APPEND`` file, whole even under ``kill -9``) and applies its effect
once per idempotency key: the effect is a file created with ``O_EXCL`` named by the key, and
a line in ``effects.log`` when it is new; a repeat answers as the first execution did. With ``$EFFECTS_BLOCK`` set to a key, the first
execution of that call blocks (after logging its attempt and writing ``blocked``) until the
process is killed, so a test can kill the run inside a tool call.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from agentkit import ToolContext, tool


def _append(path: Path, record: dict[str, object]) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, (json.dumps(record) + "\n").encode())
    finally:
        os.close(descriptor)


@tool
def record(item: str, ctx: ToolContext) -> dict[str, str]:
    """Record an item.

    Args:
        item: What to record.
    """
    folder = Path(os.environ["EFFECTS_DIR"])
    key = ctx.idempotency_key
    _append(folder / "attempts.log", {"key": key, "item": item, "pid": os.getpid()})
    marker = folder / "blocked"
    if os.environ.get("EFFECTS_BLOCK") == key and not marker.exists():
        marker.write_text(str(os.getpid()))
        while True:  # until the test kills this process
            time.sleep(0.05)
    name = hashlib.sha256(key.encode()).hexdigest()
    try:
        os.close(os.open(folder / f"effect-{name}", os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        # Done before, by an execution whose result was never recorded (the process died
        # first): the effect is not repeated, and the answer is the one that call gave, as
        # an idempotent tool's is.
        return {"recorded": item}
    _append(folder / "effects.log", {"key": key, "item": item})
    return {"recorded": item}
