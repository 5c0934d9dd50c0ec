"""The web view under test: the real server (uvicorn on 127.0.0.1) set up exactly as
``agentkit web`` sets it up, and a client that reads its event stream as the page does."""

from __future__ import annotations

import contextlib
import io
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from agentkit.cli import _parser
from agentkit.cli.web import web_server
from agentkit.web import WebServer

from ..cli.conftest import wait_until

HOME_TOOLS = 'tools = ["tools.home"]\n'

# Two calls at once, the answer; an unlock that needs approval, the answer.
PARALLEL_THEN_UNLOCK = """
[[offline.turns]]
calls = [
    { name = "set_light", args = { room = "living room", brightness = 40 } },
    { name = "set_blinds", args = { room = "living room", position = 20 } },
]
[[offline.turns]]
text = "The living room light is at 40% and its blinds are at 20%."
[[offline.turns]]
calls = [{ name = "unlock_door", args = { door = "front" } }]
[[offline.turns]]
text = "I asked to unlock the front door; the result is above."
"""


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_GEMINI_BASE_URL", raising=False)
    monkeypatch.setenv("AGENTKIT_HOME_DB", str(tmp_path / "home.db"))
    monkeypatch.setenv("AGENTKIT_SESSIONS", str(tmp_path / "sessions"))


def write_run_file(tmp_path: Path, turns: str = PARALLEL_THEN_UNLOCK, name: str = "home") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        'model = "gemini-2.5-flash"\n'
        'instructions = "You control a smart home."\n' + HOME_TOOLS + turns,
        encoding="utf-8",
    )
    return path


@contextlib.contextmanager
def served(*arguments: str) -> Iterator[WebServer]:
    """``agentkit web ARGUMENTS --port 0``, serving in a background thread."""
    args = _parser().parse_args(["web", *arguments, "--port", "0"])
    err = Console(file=io.StringIO(), width=200)
    with web_server(args, err) as server:
        server.start()
        yield server


class EventReader:
    """Reads ``/api/events`` in a thread, as the page's EventSource does, into ``messages``."""

    def __init__(self, server: WebServer, after: int = 0) -> None:
        self.messages: list[dict[str, Any]] = []
        self.comments = 0
        self._client = httpx.Client(base_url=server.origin, timeout=httpx.Timeout(30, read=None))
        headers = {"x-agentkit-token": server.token}
        if after:
            headers["last-event-id"] = str(after)
        self._headers = headers
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._opened = threading.Event()
        self._thread.start()
        if not self._opened.wait(10):
            raise AssertionError("the event stream did not open")

    def _read(self) -> None:
        with self._client.stream("GET", "/api/events", headers=self._headers) as response:
            self.status = response.status_code
            self._opened.set()
            for line in response.iter_lines():
                if line.startswith("data: "):
                    self.messages.append(json.loads(line.removeprefix("data: ")))
                elif line.startswith(":"):
                    self.comments += 1

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in list(self.messages) if message["type"] == kind]

    def wait_for(self, condition: Callable[[list[dict[str, Any]]], bool]) -> None:
        wait_until(lambda: condition(list(self.messages)), seconds=30)

    def wait_turn_end(self, turn: int = 1) -> dict[str, Any]:
        self.wait_for(
            lambda messages: any(
                m["type"] == "turn" and m["turn"] == turn and m["state"] != "running"
                for m in messages
            )
        )
        return next(
            m
            for m in self.messages
            if m["type"] == "turn" and m["turn"] == turn and m["state"] != "running"
        )

    def close(self) -> None:
        """The stream ends when the server stops; this waits for that."""
        self._thread.join(timeout=20)
        self._client.close()


class PageClient:
    """What the page's script sends: JSON with the token header."""

    def __init__(self, server: WebServer) -> None:
        self.server = server
        self.http = httpx.Client(
            base_url=server.origin, headers={"x-agentkit-token": server.token}, timeout=30
        )

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.post(path, json=body or {})

    def send(self, text: str) -> httpx.Response:
        return self.post("/api/send", {"text": text})

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[WebServer, PageClient, EventReader]]:
    """The home run file served, a client, and the page's event stream."""
    with served(str(write_run_file(tmp_path))) as server:
        client = PageClient(server)
        reader = EventReader(server)
        try:
            yield server, client, reader
        finally:
            client.close()
            server.stop()
            reader.close()
