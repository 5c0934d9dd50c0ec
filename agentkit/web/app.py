"""The web view's HTTP surface: the page, its two static files, and a small JSON API.

    GET  /                      the page (the token is written into its links)
    GET  /static/NAME           its scripts (dom, timeline, home, app) and style: plain
                                files, no build step
    GET  /api/info              banner, model, tools, whether there is a home panel
    GET  /api/events            server-sent events: every page message, replayed from
                                ``Last-Event-ID`` (or ``?after=``) on
    POST /api/send              {"text": ...}: start a turn
    POST /api/confirm           {"question": ..., "approved": true|false}
    POST /api/stop              stop the running turn
    GET  /api/sessions          saved sessions and the one shown
    POST /api/sessions/open     {"name": ...}; POST /api/sessions/new {"name"?: ...}

Every request passes ``AccessGuard`` (token, host, origin) first. POST bodies must be JSON
(``Content-Type: application/json``), which a form on another site cannot send without
the browser asking this server first. Every refusal is a status and one line of JSON.
"""

from __future__ import annotations

import contextlib
import html
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from agentkit.agent import Agent
from agentkit.errors import SessionError
from agentkit.models.base import close_model
from agentkit.sessions import SessionStore
from agentkit.web.confirmations import ConfirmationDesk
from agentkit.web.conversation import Conversation, ScriptNotes, TurnRunning, plain_error_line
from agentkit.web.guard import AccessGuard, allowed_hosts
from agentkit.web.home_panel import HomePanel
from agentkit.web.hub import EventHub
from agentkit.web.messages import one_line

STATIC = {
    "dom.js": "text/javascript",
    "timeline.js": "text/javascript",
    "home.js": "text/javascript",
    "app.js": "text/javascript",
    "app.css": "text/css",
}
MAX_MESSAGE_CHARS = 100_000


@dataclass
class WebSetup:
    """What the view shows and drives. ``desk`` must be the confirmation callback the
    agent was built with (``Agent(..., confirm=desk.confirm)``): its questions become the
    page's Approve / Deny buttons. ``banner``: the lines saying which model answers
    (live, another server, or scripted offline), shown at the top of the page."""

    agent: Agent[Any]
    desk: ConfirmationDesk
    store: SessionStore
    banner: tuple[str, ...]
    scripted: bool = False
    script: ScriptNotes | None = None
    session: str | None = None  # the session to show first; None: a new one
    error_line: Callable[[BaseException], str] = plain_error_line
    home: HomePanel | None = None  # None: found in the agent's tools, if it has a home


class WebView:
    """The state behind the page and the ASGI app that serves it."""

    def __init__(self, setup: WebSetup, token: str) -> None:
        self.setup = setup
        self.token = token
        self.hub = EventHub()
        home = setup.home if setup.home is not None else HomePanel.find(setup.agent.toolset)
        self.conversation = Conversation(
            setup.agent,
            setup.store,
            self.hub,
            setup.desk,
            home=home,
            script=setup.script,
            error_line=setup.error_line,
        )

    def stopping(self) -> None:
        """The server is about to stop: end the event streams so their connections close."""
        self.hub.close()

    def asgi(self, port: int) -> ASGIApp:
        routes = [
            Route("/", self._page),
            Route("/static/{name}", self._static),
            Route("/api/info", self._info),
            Route("/api/events", self._events),
            Route("/api/send", self._send, methods=["POST"]),
            Route("/api/confirm", self._confirm, methods=["POST"]),
            Route("/api/stop", self._stop, methods=["POST"]),
            Route("/api/sessions", self._sessions),
            Route("/api/sessions/open", self._open, methods=["POST"]),
            Route("/api/sessions/new", self._new, methods=["POST"]),
        ]
        app = Starlette(routes=routes, lifespan=self._lifespan)
        return AccessGuard(app, self.token, allowed_hosts(port))

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        agent = self.setup.agent
        try:
            async with agent:  # its MCP servers, if any, stay open while the page is served
                await self.conversation.open(self.setup.session)
                yield
                self.hub.close()
                await self.conversation.stop()
        finally:
            await close_model(agent.model)

    # -- the page ------------------------------------------------------------------------

    async def _page(self, request: Request) -> Response:
        page = _static_text("index.html").replace("{{token}}", html.escape(self.token))
        return Response(page, media_type="text/html; charset=utf-8")

    async def _static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return _refusal(404, f"no such file: {name}")
        return Response(_static_text(name), media_type=f"{STATIC[name]}; charset=utf-8")

    async def _info(self, request: Request) -> Response:
        setup = self.setup
        return JSONResponse(
            {
                "banner": list(setup.banner),
                "scripted": setup.scripted,
                "model": setup.agent.model.name,
                "tools": setup.agent.toolset.names,
                "home": self.conversation.home is not None,
            }
        )

    async def _events(self, request: Request) -> Response:
        after = request.headers.get("last-event-id") or request.query_params.get("after") or "0"
        if not after.isdigit():
            return _refusal(400, f"after must be a message id, not {after!r}")
        return StreamingResponse(
            self.hub.follow(int(after)),
            media_type="text/event-stream",
            headers={"x-accel-buffering": "no"},
        )

    # -- what the page asks --------------------------------------------------------------

    async def _send(self, request: Request) -> Response:
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return _refusal(400, "type a message first: text must be a non-empty string")
        if len(text) > MAX_MESSAGE_CHARS:
            return _refusal(413, f"the message is too long (at most {MAX_MESSAGE_CHARS} chars)")
        try:
            notice = self.conversation.send(text.strip())
        except TurnRunning as busy:
            return _refusal(409, str(busy))
        if notice is not None:
            return JSONResponse({"sent": False, "notice": notice})
        return JSONResponse({"sent": True}, status_code=202)

    async def _confirm(self, request: Request) -> Response:
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        question, approved = body.get("question"), body.get("approved")
        if not isinstance(question, str) or not isinstance(approved, bool):
            return _refusal(400, 'give {"question": "q1", "approved": true or false}')
        if not self.setup.desk.answer(question, approved):
            return _refusal(404, f"no question {question} is waiting (answered already?)")
        return JSONResponse({"answered": question, "approved": approved})

    async def _stop(self, request: Request) -> Response:
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        return JSONResponse({"stopped": await self.conversation.stop()})

    async def _sessions(self, request: Request) -> Response:
        conversation = self.conversation
        return JSONResponse({"names": conversation.sessions(), "current": conversation.name})

    async def _open(self, request: Request) -> Response:
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        name = body.get("name")
        if not isinstance(name, str) or not name:
            return _refusal(400, 'give {"name": "the session to open"}')
        if name not in self.conversation.sessions():
            return _refusal(404, f"no session named {name!r}")
        return await self._switch(name)

    async def _new(self, request: Request) -> Response:
        body = await _json_body(request)
        if isinstance(body, Response):
            return body
        name = body.get("name")
        if name is not None and not isinstance(name, str):
            return _refusal(400, "name must be a string")
        if name and name in self.conversation.sessions():
            return _refusal(409, f"a session named {name!r} exists already: open it instead")
        return await self._switch(name or None)

    async def _switch(self, name: str | None) -> Response:
        try:
            await self.conversation.open(name)
        except TurnRunning as busy:
            return _refusal(409, str(busy))
        except SessionError as error:
            return _refusal(400, one_line(str(error)))
        return JSONResponse({"current": self.conversation.name})


def _refusal(status: int, line: str) -> JSONResponse:
    return JSONResponse({"error": line}, status_code=status)


async def _json_body(request: Request) -> dict[str, Any] | Response:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        return _refusal(415, "send JSON (Content-Type: application/json)")
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return _refusal(400, "the body is not valid JSON")
    if not isinstance(body, dict):
        return _refusal(400, "the body must be a JSON object")
    return body


def _static_text(name: str) -> str:
    return (resources.files("agentkit.web") / "static" / name).read_text(encoding="utf-8")
