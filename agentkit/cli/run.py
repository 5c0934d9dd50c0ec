"""``agentkit run FILE``: a run file's prompts as successive turns, with a transcript.

With ``--session NAME`` the conversation is saved after every step (atomically) together
with how far this invocation got, so a crashed run started again with the same session
picks up at the last completed step: finished prompts are not repeated, an interrupted one
continues from its saved history, and a scripted model skips the turns it already served.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import anyio
from rich.console import Console

from agentkit.agent import RunFinished, RunResult, StepFinished, StopReason
from agentkit.agent.transcript import Transcript as AgentTranscript
from agentkit.cli.confirm import confirmation_policy
from agentkit.cli.exits import EXIT_LIMIT, EXIT_OK, UsageError
from agentkit.cli.render import Transcript, event_record, print_banner, write_json_line
from agentkit.cli.runfile import load_run_file
from agentkit.cli.setup import agent_for, tools_for
from agentkit.models.base import close_model
from agentkit.offline import live_or_scripted
from agentkit.sessions import JsonFileStore, Session, SessionStore, SqliteStore, WireHistory
from agentkit.textfiles import check_writable
from agentkit.types import Content

OFFLINE_SIGNATURE_KEY = b"agentkit offline runs"  # reproducible across a crash and a resume


def sessions_directory(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    if os.environ.get("AGENTKIT_SESSIONS"):
        return Path(os.environ["AGENTKIT_SESSIONS"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "agentkit" / "sessions"


@dataclass
class Invocation:
    """One ``agentkit run``: the prompts, how far they got, and where that is saved.

    The progress lives in the session's ``meta`` next to the history, so both are written in
    the same atomic save.
    """

    file: str
    prompts: list[str]
    session: Session
    store: SessionStore | None
    name: str | None
    done: int = 0  # prompts completed
    in_prompt: bool = False  # a step of prompt ``done`` completed but not the prompt itself
    start: int = 0  # history length when this invocation began
    resumed: bool = False
    # The turns of the run in progress that ``session.history`` holds as wire dicts.
    _wire: WireHistory = field(default_factory=WireHistory)

    @classmethod
    def begin(
        cls, file: str, prompts: list[str], store: SessionStore | None, name: str | None
    ) -> Invocation:
        session = (
            store.load(name) if store is not None and name is not None else None
        ) or Session()
        saved = session.meta.get("invocation")
        if isinstance(saved, dict) and saved.get("file") == file and not saved.get("finished"):
            return cls(
                file,
                list(saved["prompts"]),
                session,
                store,
                name,
                int(saved["done"]),
                bool(saved["in_prompt"]),
                int(saved["start"]),
                resumed=True,
            )
        return cls(file, prompts, session, store, name, start=len(session.history))

    def describe(self, name: str | None) -> list[str]:
        """What the session brings to this invocation, said before it starts: a resumed
        crash, or an earlier conversation this one continues (possibly another run file's)."""
        if name is None:
            return []
        if self.resumed:
            return [f"resuming session {name!r} at prompt {self.done + 1} of {len(self.prompts)}"]
        if not self.session.history:
            return []
        lines = [
            f"continuing session {name!r}: {len(self.session.history)} turns of an earlier "
            "conversation go along with these prompts"
        ]
        saved = self.session.meta.get("invocation")
        if isinstance(saved, dict) and saved.get("file") not in (None, self.file):
            lines.append(f"note: the session was last used with {saved['file']}")
        return lines

    def model_turns_served(self) -> int:
        return sum(
            1 for content in self.session.history[self.start :] if content.get("role") == "model"
        )

    def save(self, finished: bool = False) -> None:
        self.session.meta["invocation"] = {
            "file": self.file,
            "prompts": self.prompts,
            "done": self.done,
            "in_prompt": self.in_prompt,
            "start": self.start,
            "finished": finished,
        }
        if self.store is not None and self.name is not None:
            self.store.save(self.name, self.session)

    def keep_context(self, context: Sequence[Content] | None) -> None:
        """What the next request sends after a compaction, kept with the session (the
        history stays whole): the next invocation continues from it."""
        if context is None:
            self.session.meta.pop("context", None)
        else:
            self.session.meta["context"] = [content.to_wire() for content in context]

    def follow(self, contents: Sequence[Content]) -> None:
        """Make the session's history ``contents`` (only new turns are converted)."""
        self.session.history = self._wire.follow(contents)

    def contents(self) -> AgentTranscript:
        """The session's turns for the next run, which shares them (they are only ours)."""
        self._wire = WireHistory(self.session.history)
        return AgentTranscript(self._wire.load())

    def step_done(self, contents: Sequence[Content]) -> None:
        self.follow(contents)
        self.in_prompt = True
        self.save()

    def prompt_done(self) -> None:
        self.done += 1
        self.in_prompt = False
        self.save()


def run_command(args: argparse.Namespace, out: Console, err: Console) -> int:
    if args.durable:
        from agentkit.cli.durable_run import durable_run_command

        return durable_run_command(args, out, err)
    if args.db is not None or args.run_id is not None:
        flag = "--db" if args.db is not None else "--run-id"
        raise UsageError(f"{flag} is an option of durable runs: add --durable")
    runfile = load_run_file(args.file)
    if not runfile.prompts:
        raise UsageError(
            f'{runfile.path}: nothing to run: give prompt = "..." or prompts = ["...", ...]'
        )
    store = _session_store(args)
    json_stream = _json_stream(args.json, runfile.path)
    # With JSON lines on stdout, stdout carries nothing else: the transcript and the
    # confirmation questions go to stderr.
    human = err if args.json == "-" else out
    try:
        # What can be wrong with the set-up is found before anything is shown or started.
        toolset = tools_for(runfile, lambda note: err.print(f"[yellow]{note}[/]"))
        invocation = Invocation.begin(
            str(runfile.path.resolve()), list(runfile.prompts), store, args.session
        )
        script = runfile.offline_turns
        if script is not None:
            script = script[invocation.model_turns_served() :]
        with live_or_scripted(runfile.model, script, signature_key=OFFLINE_SIGNATURE_KEY) as choice:
            confirm = confirmation_policy(human, approve=args.approve)
            agent = agent_for(
                runfile, choice.model, toolset, confirm, telemetry=args.telemetry, conversation=True
            )
            print_banner(err, choice)
            for line in invocation.describe(args.session):
                err.print(line, style="bold", markup=False)
            return anyio.run(_all_prompts, agent, invocation, Transcript(human), json_stream)
    finally:
        if json_stream is not None and json_stream is not sys.stdout:
            json_stream.close()


def _session_store(args: argparse.Namespace) -> SessionStore | None:
    """The store ``--session`` names; options that would be ignored are refused instead."""
    if args.session is None:
        if args.session_db is not None or args.session_dir is not None:
            flag = "--session-db" if args.session_db is not None else "--session-dir"
            raise UsageError(f"{flag} needs --session NAME (it says where sessions are kept)")
        return None
    if not args.session.strip():
        raise UsageError("--session needs a name, e.g. --session kitchen (got an empty one)")
    if args.session_db is not None and args.session_dir is not None:
        raise UsageError(
            "--session-db and --session-dir both say where sessions are kept; give one"
        )
    if args.session_db is not None:
        return SqliteStore(args.session_db)
    return JsonFileStore(sessions_directory(args.session_dir))


async def _all_prompts(
    agent: Any, invocation: Invocation, transcript: Transcript, json_stream: IO[str] | None
) -> int:
    """Every remaining prompt, in one event loop (the model's connections live in it)."""
    exit_code = EXIT_OK
    try:
        async with agent:  # its MCP servers, if any, for every prompt
            exit_code = await _prompts(agent, invocation, transcript, json_stream)
    finally:
        await close_model(agent.model)
    invocation.save(finished=True)
    return exit_code


async def _prompts(
    agent: Any, invocation: Invocation, transcript: Transcript, json_stream: IO[str] | None
) -> int:
    """The prompts not yet done, in order; the exit code their results call for."""
    exit_code = EXIT_OK
    for index in range(invocation.done, len(invocation.prompts)):
        prompt = invocation.prompts[index]
        continuing = invocation.in_prompt and index == invocation.done
        history = invocation.session.history
        if continuing and history and history[-1].get("role") == "model":
            invocation.prompt_done()  # it had completed just before the interruption
            continue
        transcript.user(prompt + (" (continuing after an interruption)" if continuing else ""))
        if json_stream is not None:
            write_json_line(json_stream, {"type": "user", "prompt": prompt})
        result = await _one_prompt(
            agent, None if continuing else prompt, invocation, transcript, json_stream
        )
        invocation.prompt_done()
        if result.stop_reason not in (StopReason.COMPLETED, StopReason.FINAL_ANSWER):
            exit_code = EXIT_LIMIT
    return exit_code


async def _one_prompt(
    agent: Any,
    prompt: str | None,
    invocation: Invocation,
    transcript: Transcript,
    json_stream: IO[str] | None,
) -> RunResult:
    history = invocation.contents()
    saved = invocation.session.meta.get("context")
    context = [Content.model_validate(item) for item in saved] if isinstance(saved, list) else None
    async with aclosing(agent.stream(prompt, history=history, context=context)) as events:
        async for event in events:
            transcript.event(event)
            if json_stream is not None and (record := event_record(event)) is not None:
                write_json_line(json_stream, record)
            if isinstance(event, StepFinished):
                invocation.keep_context(event.context)
                invocation.step_done(event.history)
            elif isinstance(event, RunFinished):
                invocation.follow(event.result.history_contents)
                invocation.keep_context(event.result.context_contents)
                return event.result
    raise AssertionError("the run ended without a RunFinished event")


def _json_stream(target: str | None, run_file: Path) -> IO[str] | None:
    """Where ``--json`` lines go: stdout, or a file appended to — a new one, or one of
    agentkit's transcripts; never the run file or some other file it would spoil."""
    if target is None:
        return None
    if target == "-":
        return sys.stdout
    path = Path(target)
    check_writable(path, f"--json {target}", UsageError)
    if path.exists() and path.resolve() == run_file.resolve():
        raise UsageError(f"--json {target} is the run file; give the transcript its own file")
    if path.is_file() and not _is_transcript(path):  # not a device such as /dev/stderr
        raise UsageError(
            f"--json {target}: not a transcript written by agentkit run (lines would be appended "
            "to it); give --json a file of its own"
        )
    try:
        return open(path, "a", encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--json {target}: cannot be written: {error.strerror}") from None


def _is_transcript(path: Path) -> bool:
    """Empty, or JSON lines each an object with a ``type``, as ``--json`` writes them."""
    try:
        with open(path, encoding="utf-8") as stream:
            first = stream.readline()
    except (OSError, UnicodeDecodeError):
        return False
    if not first.strip():
        return path.stat().st_size == 0
    try:
        record = json.loads(first)
    except ValueError:
        return False
    return isinstance(record, dict) and "type" in record
