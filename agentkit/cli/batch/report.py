"""What a person sees of a batch: the start line, the progress bar, the stop line, the summary.

The lines are built as plain strings (ids and paths are the user's text, never markup) so
tests can assert them exactly and the console prints them verbatim.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column
from rich.text import Text

from agentkit.cli.batch.results import FAILED
from agentkit.cli.batch.tally import Tally
from agentkit.models.rate_limit import LimiterStatus, RateLimit

SHOWN_FAILURES = 5  # ids named in the summary; the rest are counted


class CountsColumn(ProgressColumn):
    """``done · 6 ok · 1 failed``, and ``· 1 limit`` once a run has stopped at a limit: this
    run's rows (the task's ``tally`` field), as the bar's total is this run's. While runs wait
    for the rate limiter, it says so (``limiter_text``): a batch that seems stuck says why."""

    def __init__(self, limit: RateLimit | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.limit = limit

    def render(self, task: Task) -> Text:
        counts = task.fields["tally"].this_run
        text = f"done · {counts['ok']} ok · {counts[FAILED]} failed"
        if counts["limit"]:
            text += f" · {counts['limit']} limit"
        if self.limit is not None:
            text += limiter_text(self.limit.status())
        return Text(text)


def limiter_text(status: LimiterStatus) -> str:
    """`` · 3 waiting 4.0 s for the rate limit (requests per minute)``, or nothing."""
    if not status.waiting:
        return ""
    return (
        f" · {status.waiting} waiting {status.wait_seconds:.1f} s for the rate limit "
        f"({status.cause})"
    )


def progress_columns(limit: RateLimit | None = None) -> tuple[ProgressColumn, ...]:
    """``batch ━━━━━━━━━━╸━━━━━━━━ 7/10 done · 6 ok · 1 failed · 0:00:03 · ETA 0:00:01``.
    In a narrow terminal the bar gives way; the counts and times are never cut."""

    def whole() -> Column:
        return Column(no_wrap=True)

    return (
        TextColumn("batch", table_column=whole()),
        BarColumn(),
        MofNCompleteColumn(table_column=whole()),
        CountsColumn(limit, table_column=whole()),
        TextColumn("·", table_column=whole()),
        TimeElapsedColumn(table_column=whole()),
        TextColumn("· ETA", table_column=whole()),
        TimeRemainingColumn(table_column=whole()),
    )


def start_line(tally: Tally, pending: int, retried: int, kept: int) -> str:
    line = f"{len(tally.ids)} inputs, {len(tally.ids) - pending} already done, {pending} to run"
    if retried:
        line += f" ({retried} failed before and run again)"
    if kept:
        line += f" ({kept} failed, kept by --keep-failed)"
    return line


def stop_line(why: str, error: BaseException, not_run: int) -> str:
    detail = " ".join(str(error).split())  # a server message may span lines; this is one
    return (
        f"stopped: {why} ({detail}). {_rows(not_run)} not run, no line written for them; "
        "rerun the same command to continue with them."
    )


def interrupted_line(tally: Tally) -> str:
    return (
        f"interrupted: {_rows(tally.ran)} done in this run, {tally.not_run} not run; "
        "rerun the same command to continue with them."
    )


def summary_lines(tally: Tally, out: Path, command: str) -> list[str]:
    failures = tally.failures()
    not_run = tally.not_run
    lines = [
        f"{len(tally.ids)} inputs: {tally.count('ok')} ok, {tally.count('limit')} limit, "
        f"{len(failures)} failed, {not_run} not run"
    ]
    if failures:
        shown = ", ".join(f"{key} ({kind})" for key, kind in failures[:SHOWN_FAILURES])
        hidden = len(failures) - SHOWN_FAILURES
        more = f" and {hidden} more" if hidden > 0 else ""
        where = "its error line is" if len(failures) == 1 else "their error lines are"
        lines.append(f"failed: {shown}{more} — {where} in {out}")
    if failures and not_run:
        lines.append(f"to retry the failed rows and run the rest: {command}")
    elif failures:
        lines.append(f"to retry the failed rows: {command}")
    elif not_run:
        lines.append(f"to run the rest: {command}")
    return lines


def rerun_command(args: argparse.Namespace, concurrency: int) -> str:
    """The command that finishes the job: this one, without ``--keep-failed``."""
    words = [str(args.file), "--inputs", str(args.inputs), "--out", str(args.out)]
    words += ["--concurrency", str(concurrency)] + (["--approve"] if args.approve else [])
    for flag, value in (
        ("--rpm", getattr(args, "rpm", None)),
        ("--tpm", getattr(args, "tpm", None)),
    ):
        if value is not None:
            words += [flag, str(value).strip()]
    if getattr(args, "via", None) == "batch-api":
        words += ["--via", "batch-api"]
    return shlex.join(["agentkit", "batch", *words])


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"
