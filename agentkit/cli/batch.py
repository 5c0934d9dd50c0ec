"""``agentkit batch FILE --inputs IN.jsonl --out OUT.jsonl``: many independent runs.

Each input line is an object with an ``id`` and the fields the run file's prompts use
(``{prompt}`` by default). Each result is one line written with a single ``write`` to a file
opened for appending, so a line is either wholly there or not at all, even if the process is
killed. Rerunning skips ids already in the output; a torn last line (power loss, a full disk)
is cut off first, never built upon.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import anyio
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from agentkit.agent import StopReason
from agentkit.cli.confirm import confirmation_policy
from agentkit.cli.exits import UsageError
from agentkit.cli.render import result_record
from agentkit.cli.runfile import RunFile, RunFileError, load_run_file
from agentkit.cli.setup import agent_for, tools_for
from agentkit.errors import APIConnectionError, APIError, RunError
from agentkit.models import Gemini, Model, close_model, resolve_api_key
from agentkit.offline import NoModelError, scripted_model
from agentkit.tools import Toolset

EXIT_OK, EXIT_MODEL, EXIT_LIMIT = 0, 3, 4


class InputError(UsageError):
    pass


def read_inputs(path: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such inputs file") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as error:
            raise InputError(f"{path}:{number}: not JSON: {error}") from None
        if not isinstance(item, dict) or "id" not in item:
            raise InputError(f'{path}:{number}: each line must be an object with an "id"')
        key = str(item["id"])
        if key in seen:
            raise InputError(f"{path}:{number}: id {key!r} appears twice")
        seen.add(key)
        items.append(item)
    return items


def finished_ids(path: Path) -> set[str]:
    """Ids already written; a last line without its newline is torn and is removed."""
    if not path.exists():
        return set()
    data = path.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) != len(data):
        with open(path, "r+b") as stream:
            stream.truncate(len(complete))
    ids = set()
    for line in complete.decode("utf-8").splitlines():
        try:
            ids.add(str(json.loads(line)["id"]))
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{path}: not a results file written by agentkit batch") from None
    return ids


class LineWriter:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, record: dict[str, Any]) -> None:
        data = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode()
        view = memoryview(data)
        while view:  # one write() in practice; the loop only guards against a short write
            written = os.write(self.fd, view)
            view = view[written:]

    def close(self) -> None:
        os.fsync(self.fd)
        os.close(self.fd)


def batch_command(args: argparse.Namespace, out: Console, err: Console) -> int:
    runfile = load_run_file(args.file)
    if args.concurrency < 1:
        raise InputError("--concurrency must be at least 1")
    inputs = read_inputs(Path(args.inputs))
    output = Path(args.out)
    done = finished_ids(output)
    pending = [item for item in inputs if str(item["id"]) not in done]
    live = resolve_api_key() is not None
    if not live and runfile.offline_turns is None:
        raise NoModelError("no API key is set and the run file has no [[offline.turns]] script")
    err.print(
        "[dim]live: Gemini API[/]"
        if live
        else "[bold yellow]offline: no API key set — every run replays the run file's "
        "SCRIPTED turns[/]"
    )
    err.print(f"{len(inputs)} inputs, {len(done)} already done, {len(pending)} to run")
    toolset = tools_for(runfile, lambda note: err.print(f"[yellow]{note}[/]"))
    shared = Gemini(runfile.model) if live else None
    writer = LineWriter(output)
    try:
        statuses = anyio.run(_run_all, runfile, toolset, shared, pending, writer, args, err)
    finally:
        writer.close()
    if "error" in statuses:
        return EXIT_MODEL
    return EXIT_LIMIT if "limit" in statuses else EXIT_OK


async def _run_all(
    runfile: RunFile,
    toolset: Toolset,
    shared: Model | None,
    pending: list[dict[str, Any]],
    writer: LineWriter,
    args: argparse.Namespace,
    err: Console,
) -> set[str]:
    statuses: set[str] = set()
    limiter = anyio.CapacityLimiter(args.concurrency)
    quiet = Console(file=open(os.devnull, "w"))
    confirm = confirmation_policy(quiet, approve=args.approve, interactive=False)
    columns = (TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task("batch", total=len(pending))

        async def one(item: dict[str, Any]) -> None:
            async with limiter:
                record = await _run_one(runfile, toolset, shared, item, confirm)
            writer.write(record)
            statuses.add(record["status"])
            progress.advance(task)

        try:
            async with anyio.create_task_group() as group:
                for item in pending:
                    group.start_soon(one, item)
        finally:
            await close_model(shared)
    return statuses


async def _run_one(
    runfile: RunFile, toolset: Toolset, shared: Model | None, item: dict[str, Any], confirm: Any
) -> dict[str, Any]:
    model = shared or scripted_model(runfile.model, runfile.offline_turns or ())
    agent = agent_for(runfile, model, toolset, confirm)
    try:
        prompts = runfile.render_prompts(item)
        history: list[Any] = []
        result = None
        for prompt in prompts:
            result = await agent.run(prompt, history=history)
            history = result.history
    except RunFileError as error:
        return {
            "id": item["id"],
            "status": "error",
            "error": {"type": "RunFileError", "message": str(error)},
        }
    except (APIError, APIConnectionError, RunError) as error:
        return {
            "id": item["id"],
            "status": "error",
            "error": {"type": type(error).__name__, "message": str(error)},
        }
    assert result is not None
    status = (
        "ok" if result.stop_reason in (StopReason.COMPLETED, StopReason.FINAL_ANSWER) else "limit"
    )
    return {"id": item["id"], "status": status, **result_record(result)}
