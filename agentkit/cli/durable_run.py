"""``agentkit run FILE --durable``: the run file's prompts as one durable run (DBOS).

Every model call and tool call is written to the database as it completes (a SQLite file in
the data dir unless ``--db`` names another, or Postgres). Killed at any point, the same
command — the same ``--run-id``, which defaults to one derived from the run file's path and
contents — continues the run where it stopped: completed calls are read back, not made
again; the tool call that was running at the kill runs again, with the same idempotency key.
A run that completed shows its recorded transcript again.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import anyio
from rich.console import Console

from agentkit.agent import Event, RunResult, StopReason
from agentkit.cli.confirm import confirmation_policy
from agentkit.cli.durable_setup import durable_model, require_durable
from agentkit.cli.exits import EXIT_LIMIT, EXIT_OK, UsageError
from agentkit.cli.render import Transcript, print_banner
from agentkit.cli.runfile import load_run_file
from agentkit.cli.setup import agent_for, tools_for
from agentkit.models.base import close_model
from agentkit.offline import ModelChoice, describe


def default_database() -> str:
    """``AGENTKIT_DURABLE_DB``, or a SQLite file in the data dir (no server to start)."""
    if os.environ.get("AGENTKIT_DURABLE_DB"):
        return os.environ["AGENTKIT_DURABLE_DB"]
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(base) / 'agentkit' / 'durable.sqlite'}"


def durable_run_command(args: argparse.Namespace, out: Console, err: Console) -> int:
    require_durable()
    from agentkit.scale.dbos_setup import fingerprint
    from agentkit.scale.durable import DurableRuns, run_ids

    if args.session is not None:
        raise UsageError("--durable and --session both keep the run; give one of them")
    if args.json is not None:
        raise UsageError("--json is not written by durable runs yet; leave it out with --durable")
    runfile = load_run_file(args.file)
    if not runfile.prompts:
        raise UsageError(f'{runfile.path}: nothing to run: give prompt = "..." or prompts = [...]')
    contents = runfile.path.read_bytes()
    run_id = (
        args.run_id or f"{runfile.path.stem}-{fingerprint(str(runfile.path.resolve()), contents)}"
    )
    if not run_id.strip():
        raise UsageError("--run-id needs a name (got an empty one)")
    toolset = tools_for(runfile, lambda note: err.print(f"[yellow]{note}[/]"))
    model, scripted = durable_model(runfile)
    # No questions at a terminal: a durable run is replayed, and an answer is not recorded.
    confirm = confirmation_policy(out, approve=args.approve, interactive=False)
    agent = agent_for(runfile, model, toolset, confirm, telemetry=args.telemetry)
    banner = (
        f"offline: no API key set — the model's turns are SCRIPTED, checked by the in-process "
        f"emulator as {runfile.model}"
        if scripted
        else describe(model)  # type: ignore[arg-type]
    )
    print_banner(err, ModelChoice(model, banner, scripted=scripted))
    database = args.db or default_database()
    err.print(f"durable run {run_id} in {database}", style="bold", markup=False)
    prompts = list(runfile.prompts)
    transcript = Transcript(out)
    first_events = {
        rid: prompt for rid, prompt in zip(run_ids(run_id, len(prompts)), prompts, strict=True)
    }

    def on_event(rid: str, event: Event) -> None:
        prompt = first_events.pop(rid, None)
        if prompt is not None:
            transcript.user(prompt)
        transcript.event(event)

    async def run() -> RunResult:
        try:
            async with (
                agent,
                DurableRuns(
                    agent,
                    database,
                    version=fingerprint("agentkit run", contents),
                    executor_id=f"run:{run_id}",
                    on_event=on_event,
                ) as runs,
            ):
                return await runs.run(prompts, run_id=run_id)
        finally:
            await close_model(model)

    result: Any = anyio.run(run)
    if result.stop_reason in (StopReason.COMPLETED, StopReason.FINAL_ANSWER):
        return EXIT_OK
    return EXIT_LIMIT
