"""``agentkit run FILE``: a run file's prompts as successive turns, with a transcript.

With ``--session NAME`` the conversation is saved after every step (atomically) together
with how far this invocation got, so a crashed run started again with the same session
picks up at the last completed step: finished prompts are not repeated, an interrupted one
continues from its saved history, and a scripted model skips the turns it already served.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import IO, Any

import anyio
from rich.console import Console
from rich.markup import escape

from agentkit.agent import RunFinished, RunResult, StepFinished, StopReason
from agentkit.cli.confirm import confirmation_policy
from agentkit.cli.render import Transcript, event_record, write_json_line
from agentkit.cli.runfile import load_run_file
from agentkit.cli.setup import agent_for, tools_for
from agentkit.models.base import close_model
from agentkit.offline import live_or_scripted
from agentkit.sessions import JsonFileStore, Session, SessionStore, SqliteStore
from agentkit.types import Content

EXIT_OK, EXIT_LIMIT = 0, 4
OFFLINE_SIGNATURE_KEY = b"agentkit offline runs"  # reproducible across a crash and a resume


def sessions_directory(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    if os.environ.get("AGENTKIT_SESSIONS"):
        return Path(os.environ["AGENTKIT_SESSIONS"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "agentkit" / "sessions"


def run_command(args: argparse.Namespace, out: Console, err: Console) -> int:
    runfile = load_run_file(args.file)
    store: SessionStore | None = None
    if args.session:
        store = (
            SqliteStore(args.session_db)
            if args.session_db
            else JsonFileStore(sessions_directory(args.session_dir))
        )
    saved = store.load(args.session) if store is not None else None
    session = saved or Session()
    progress = Progress.from_session(session, str(runfile.path.resolve()), list(runfile.prompts))
    script = runfile.offline_turns
    if script is not None:
        script = script[progress.model_turns_served(session.history) :]
    json_stream = _json_stream(args.json)
    with live_or_scripted(runfile.model, script, signature_key=OFFLINE_SIGNATURE_KEY) as choice:
        style = "bold yellow" if choice.scripted else "dim"
        source = " (turns from the run file's [offline] section)" if choice.scripted else ""
        err.print(f"[{style}]{escape(choice.banner + source)}[/]")
        if progress.resumed:
            err.print(
                f"[bold]resuming session {args.session!r} at prompt {progress.done + 1} "
                f"of {len(progress.prompts)}[/]"
            )
        toolset = tools_for(runfile, lambda note: err.print(f"[yellow]{note}[/]"))
        agent = agent_for(
            runfile, choice.model, toolset, confirmation_policy(out, approve=args.approve)
        )
        transcript = Transcript(out)
        exit_code = anyio.run(
            _all_prompts, agent, session, progress, store, args.session, transcript, json_stream
        )
    return exit_code


async def _all_prompts(
    agent: Any,
    session: Session,
    progress: Progress,
    store: SessionStore | None,
    name: str | None,
    transcript: Transcript,
    json_stream: IO[str] | None,
) -> int:
    """Every remaining prompt, in one event loop (the model's connections live in it)."""
    exit_code = EXIT_OK
    try:
        for index in range(progress.done, len(progress.prompts)):
            prompt = progress.prompts[index]
            continuing = progress.in_prompt and index == progress.done
            if continuing and session.history and session.history[-1].get("role") == "model":
                progress.finish_prompt(session, store, name)  # it had completed
                continue
            note = " (continuing after an interruption)" if continuing else ""
            transcript.user(prompt + note)
            if json_stream is not None:
                write_json_line(json_stream, {"type": "user", "prompt": prompt})
            result = await _one_prompt(
                agent,
                None if continuing else prompt,
                session,
                progress,
                store,
                name,
                transcript,
                json_stream,
            )
            progress.finish_prompt(session, store, name)
            if result.stop_reason not in (StopReason.COMPLETED, StopReason.FINAL_ANSWER):
                exit_code = EXIT_LIMIT
    finally:
        await close_model(agent.model)
    progress.finish(session, store, name)
    return exit_code


async def _one_prompt(
    agent: Any,
    prompt: str | None,
    session: Session,
    progress: Progress,
    store: SessionStore | None,
    name: str | None,
    transcript: Transcript,
    json_stream: IO[str] | None,
) -> RunResult:
    history = [Content.model_validate(item) for item in session.history]
    async for event in agent.stream(prompt, history=history):
        transcript.event(event)
        if json_stream is not None and (record := event_record(event)) is not None:
            write_json_line(json_stream, record)
        if isinstance(event, StepFinished):
            session.history = [content.to_wire() for content in event.history]
            progress.in_prompt = True
            progress.save(session, store, name)
        elif isinstance(event, RunFinished):
            session.history = event.result.history
            return event.result
    raise AssertionError("the run ended without a RunFinished event")


def _json_stream(target: str | None) -> IO[str] | None:
    if target is None:
        return None
    if target == "-":
        return sys.stdout
    return open(target, "a", encoding="utf-8")


class Progress:
    """How far one invocation of a run file got, kept in the session's meta."""

    def __init__(
        self, file: str, prompts: list[str], done: int, in_prompt: bool, start: int, resumed: bool
    ) -> None:
        self.file, self.prompts, self.done = file, prompts, done
        self.in_prompt, self.start, self.resumed = in_prompt, start, resumed

    @classmethod
    def from_session(cls, session: Session, file: str, prompts: list[str]) -> Progress:
        saved = session.meta.get("invocation")
        if isinstance(saved, dict) and saved.get("file") == file and not saved.get("finished"):
            return cls(
                file,
                list(saved["prompts"]),
                int(saved["done"]),
                bool(saved["in_prompt"]),
                int(saved["start"]),
                True,
            )
        return cls(file, prompts, 0, False, len(session.history), False)

    def model_turns_served(self, history: list[dict[str, Any]]) -> int:
        return sum(1 for content in history[self.start :] if content.get("role") == "model")

    def save(
        self,
        session: Session,
        store: SessionStore | None,
        name: str | None,
        finished: bool = False,
    ) -> None:
        session.meta["invocation"] = {
            "file": self.file,
            "prompts": self.prompts,
            "done": self.done,
            "in_prompt": self.in_prompt,
            "start": self.start,
            "finished": finished,
        }
        if store is not None and name is not None:
            store.save(name, session)

    def finish_prompt(self, session: Session, store: SessionStore | None, name: str | None) -> None:
        self.done += 1
        self.in_prompt = False
        self.save(session, store, name)

    def finish(self, session: Session, store: SessionStore | None, name: str | None) -> None:
        self.save(session, store, name, finished=True)
