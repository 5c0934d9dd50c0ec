"""Serving the web view with uvicorn on 127.0.0.1 — never another interface.

``WebServer`` binds its socket when it is made (so a taken port is an error before anything
is printed, and port 0 gives a free one at once), then serves in the foreground
(``agentkit web``, until Ctrl-C) or in a background thread (tests, programs). uvicorn's
access log is off: request lines carry the token, which is shown once, in the URL printed
at start, and nowhere else.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from types import TracebackType

import uvicorn

from agentkit.signals import signals_to_main_thread
from agentkit.web.app import WebSetup, WebView
from agentkit.web.guard import new_token

HOST = "127.0.0.1"


class _Server(uvicorn.Server):
    """uvicorn waits for open connections before it stops; the pages' event streams never
    end by themselves, so they are ended first."""

    def __init__(self, config: uvicorn.Config, view: WebView) -> None:
        super().__init__(config)
        self.view = view

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.view.stopping()
        await super().shutdown(sockets)


class WebServer:
    """The web view on ``http://127.0.0.1:PORT``; ``url`` carries the token."""

    def __init__(self, setup: WebSetup, *, port: int = 0, token: str | None = None) -> None:
        self.view = WebView(setup, token or new_token())
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: without it a response written in pieces waits
        # for the browser's delayed ACK (~40 ms a request on a kept-alive connection).
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self._socket.bind((HOST, port))
            self._socket.listen(128)
        except BaseException:
            self._socket.close()
            raise
        self.port: int = self._socket.getsockname()[1]
        self._server = _Server(
            uvicorn.Config(
                self.view.asgi(self.port),
                log_config=None,
                log_level="warning",
                access_log=False,
                lifespan="on",
                timeout_graceful_shutdown=5,
            ),
            self.view,
        )
        self._thread: threading.Thread | None = None

    @property
    def token(self) -> str:
        return self.view.token

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.origin}/?token={self.token}"

    def serve_forever(self) -> None:
        """Serve in the foreground until Ctrl-C (or SIGTERM); the streams end first."""
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self._socket.close()

    def start(self) -> WebServer:
        """Serve in a background thread; returns once the server is ready."""
        if self._thread is not None:
            return self
        server = self._server
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[self._socket])),
            name=f"agentkit-web:{self.port}",
            daemon=True,
        )
        with signals_to_main_thread():
            self._thread.start()
        while not server.started and self._thread.is_alive():
            self._thread.join(0.01)
        if not server.started:
            raise RuntimeError("the web view did not start (see the lines above)")
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=15)
            self._thread = None
        self._socket.close()

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
