"""The conversation the page drives: one session, its ``Chat``, and the one task running a turn.

A message from the page starts a turn: one task iterates ``chat.stream(text)`` — the same
events the CLI prints — and publishes each as a page message, saves the session after
every step (as ``agentkit run --session`` does, so a crash loses no completed step), and
reads the home after each tool result. There is never more than one turn at a time; a
turn waits in the confirmation desk while a question is open; stopping a turn cancels the
task, and the chat keeps the steps it completed.

Sessions: any saved one can be opened (its transcript is shown and the next message
continues it), or a new one started. What the turn ran into — an API error, the scripted
turns used up — is one line on the page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import aclosing
from datetime import datetime
from typing import Any, Protocol

from agentkit.agent import (
    Agent,
    ConfirmationRequest,
    Decision,
    FunctionResultEvent,
    RunFinished,
    StepFinished,
)
from agentkit.agent.transcript import Transcript
from agentkit.errors import AgentkitError, SessionError
from agentkit.sessions import Session, SessionStore, WireHistory, check_name
from agentkit.types import Content
from agentkit.web.confirmations import ConfirmationDesk
from agentkit.web.home_panel import HomePanel
from agentkit.web.hub import EventHub
from agentkit.web.messages import TurnMessages, one_line, transcript_of


class ScriptNotes(Protocol):
    """What an offline run's scripted turns say (``agentkit.cli.scripted.ScriptedTurns``)."""

    def used_up(self) -> bool: ...

    def used_up_line(self) -> str: ...

    def ran_out(self, error: Exception) -> bool: ...

    def ran_out_line(self) -> str: ...


class TurnRunning(Exception):
    """A message came while a turn is running (one turn at a time)."""


def plain_error_line(error: BaseException) -> str:
    """One line for an error that ended a turn; never a traceback."""
    if isinstance(error, AgentkitError):
        return f"{type(error).__name__}: {error}"
    return f"internal error: {type(error).__name__}: {error}"


class Conversation:
    def __init__(
        self,
        agent: Agent[Any],
        store: SessionStore,
        hub: EventHub,
        desk: ConfirmationDesk,
        *,
        home: HomePanel | None = None,
        script: ScriptNotes | None = None,
        error_line: Callable[[BaseException], str] = plain_error_line,
    ) -> None:
        self.agent, self.store, self.hub, self.desk = agent, store, hub, desk
        self.home = home
        self.script = script
        self.error_line = error_line
        self.name = ""
        self.chat = agent.chat()
        self._meta: dict[str, Any] = {}
        self._wire = WireHistory()  # the session's turns as saved, converted once each
        self._task: asyncio.Task[None] | None = None
        self._turns = 0
        self._messages = TurnMessages(agent.model.name)
        desk.announce = self._asked
        desk.settled = self._answered

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def sessions(self) -> list[str]:
        names = set(self.store.names())
        if self.name:
            names.add(self.name)
        return sorted(names)

    # -- sessions ------------------------------------------------------------------------

    async def open(self, name: str | None = None) -> None:
        """Show session ``name`` (saved or not yet), or a new one; the next message
        continues it. Raises ``SessionError`` for a bad name or a damaged session."""
        if self.busy:
            raise TurnRunning("a turn is running: stop it or wait for it before switching")
        # A new name is new to the store (``_new_name`` says so): nothing to read.
        session = (self.store.load(check_name(name)) if name else None) or Session()
        name = name or self._new_name()
        self._wire = WireHistory(session.history)
        history = self._wire.load()
        # Turns nothing else holds: the chat shares them instead of copying them.
        self.chat = self.agent.chat(Transcript(history))
        saved = session.meta.get("context")
        if isinstance(saved, list):
            self.chat.context = [Content.model_validate(item) for item in saved]
        self.name, self._meta = name, session.meta
        self.hub.restart(
            {
                "type": "session",
                "name": name,
                "items": transcript_of(history),
                "sessions": self.sessions(),
            }
        )
        if self.home is not None:
            self.home.last = None  # the new log starts with the whole state
            await self._publish_home()

    def _new_name(self) -> str:
        taken = set(self.sessions())
        base = f"web-{datetime.now():%Y%m%d-%H%M%S}"
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base}-{number}"
        return name

    def _save(self, history: Sequence[Content], context: Sequence[Content] | None) -> None:
        """Save the session (atomically, by the store). A save that fails — a full disk, a
        folder gone — is a line on the page; the turn goes on, and the next step saves
        everything again."""
        if not history:
            return
        if context is None:
            self._meta.pop("context", None)
        else:
            self._meta["context"] = [content.to_wire() for content in context]
        try:
            self.store.save(self.name, Session(self._wire.follow(history), self._meta))
        except (OSError, SessionError) as error:
            line = f"the session {self.name!r} could not be saved: {one_line(str(error))}"
            self.hub.publish({"type": "error", "line": line})

    # -- turns ---------------------------------------------------------------------------

    def send(self, text: str) -> str | None:
        """Start a turn for ``text``; or the line saying why nothing was sent (the scripted
        turns are used up). Raises ``TurnRunning`` while a turn runs."""
        if self.busy:
            raise TurnRunning("a turn is running: wait for it, or stop it")
        if self.script is not None and self.script.used_up():
            line = self.script.used_up_line()
            self.hub.publish({"type": "notice", "line": line})
            return line
        self._turns += 1
        self._task = asyncio.create_task(self._turn(text, self._turns))
        return None

    async def stop(self) -> bool:
        """Cancel the running turn; whether there was one. Returns once it has unwound."""
        task = self._task
        if task is None or task.done():
            return False
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return True

    async def _turn(self, text: str, number: int) -> None:
        hub = self.hub
        self._messages = messages = TurnMessages(self.agent.model.name, number)
        hub.publish({"type": "user", "text": text})
        hub.publish({"type": "turn", "turn": number, "state": "running"})
        state = "failed"
        try:
            async with aclosing(self.chat.stream(text)) as events:
                async for event in events:
                    message = messages.of(event)
                    if message is not None:
                        hub.publish(message)
                    if isinstance(event, StepFinished):
                        self._save(event.history, event.context)
                    elif isinstance(event, FunctionResultEvent):
                        await self._publish_home()
                    elif isinstance(event, RunFinished):
                        result = event.result
                        self._save(result.history_contents, result.context_contents)
            state = "finished"
        except asyncio.CancelledError:
            state = "stopped"
            hub.publish(
                {"type": "notice", "line": "stopped: the conversation keeps the completed steps"}
            )
            raise
        except Exception as error:
            hub.publish({"type": "error", "line": self._error_line(error)})
        finally:
            # A failed or stopped turn keeps what it completed (``Chat`` says exactly what).
            self._save(self.chat.history, self.chat.context)
            hub.publish({"type": "turn", "turn": number, "state": state})

    def _error_line(self, error: Exception) -> str:
        if self.script is not None and self.script.ran_out(error):
            return self.script.ran_out_line()
        return one_line(self.error_line(error), limit=1000)

    async def _publish_home(self) -> None:
        if self.home is None:
            return
        try:
            reading = await self.home.changed()
        except Exception as error:  # the panel must never end a turn
            self.hub.publish({"type": "error", "line": f"the home panel: {one_line(str(error))}"})
            return
        if reading is not None:
            state, changed = reading
            self.hub.publish({"type": "home", "state": state, "changed": changed})

    # -- confirmations -------------------------------------------------------------------

    def _asked(self, key: str, request: ConfirmationRequest) -> None:
        self.hub.publish(
            {
                "type": "confirm",
                "question": key,
                "step": request.step,
                "call": self._messages.confirmed_call(request.step, request.call_id, request.key),
                "name": request.tool_name,
                "args": request.args,
            }
        )

    def _answered(self, key: str, decision: Decision) -> None:
        self.hub.publish(
            {
                "type": "confirmed",
                "question": key,
                "approved": decision.approved,
                "state": "approved" if decision.approved else "denied",
            }
        )
