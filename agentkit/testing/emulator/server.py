"""Running the emulator: a uvicorn server on loopback, in a background thread or in front."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import uvicorn

from agentkit.signals import signals_to_main_thread
from agentkit.testing.emulator.app import IntentionalAbort, build_app
from agentkit.testing.emulator.state import EmulatorOptions, EmulatorState


class _HideIntentionalAborts(logging.Filter):
    """uvicorn logs an app exception as an error; a deliberate broken connection is not one."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while exc is not None:
            if isinstance(exc, IntentionalAbort):
                return False
            if isinstance(exc, BaseExceptionGroup):
                if any(isinstance(e, IntentionalAbort) for e in exc.exceptions):
                    return False
            exc = exc.__cause__ or exc.__context__
        return True


logging.getLogger("uvicorn.error").addFilter(_HideIntentionalAborts())


class Emulator(EmulatorState):
    """A strict Gemini look-alike on ``127.0.0.1``.

    Use as a context manager (``with Emulator(script=[...]) as emulator:``) or call
    ``start()`` / ``stop()``. ``url`` is the ``base_url`` to hand to ``Gemini(...)`` or to
    google-genai's ``HttpOptions(base_url=...)``. Between tests, ``reset()`` clears the
    recorded requests, the script and the signatures without restarting the server.
    """

    def __init__(
        self,
        script: Iterable[Any] | None = None,
        *,
        options: EmulatorOptions | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        keep_alive: int = 5,
    ) -> None:
        """``keep_alive``: seconds an idle connection stays open (uvicorn's default, 5 s).
        A client reusing a connection just as the server closes it sees a read error."""
        super().__init__(options=options or EmulatorOptions())
        self.keep_alive = keep_alive
        if script is not None:
            self.script(script)
        self.host = host
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this. Without it, a response written in two pieces
        # (headers, body) on a kept-alive connection waits ~40 ms for the client's delayed
        # ACK (Nagle's algorithm): every request after the first would take 44 ms.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # Binding here, before the server runs, gives the port at once: connections made
        # before uvicorn starts accepting simply wait in the listen backlog.
        try:
            self._socket.bind((host, port))
            self._socket.listen(512)
        except BaseException:
            self._socket.close()
            raise
        self.port: int = self._socket.getsockname()[1]
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _config(self) -> uvicorn.Config:
        return uvicorn.Config(
            build_app(self),
            log_config=None,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=1,
            timeout_keep_alive=self.keep_alive,
        )

    def start(self) -> Emulator:
        if self._thread is not None:
            return self
        self._server = uvicorn.Server(self._config())
        server = self._server
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[self._socket])),
            name=f"agentkit-emulator:{self.port}",
            daemon=True,
        )
        with signals_to_main_thread():  # Ctrl-C is the program's, never the server's
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None
        self._socket.close()

    def serve_forever(self) -> None:
        """Run in the foreground until interrupted (``python -m agentkit.testing.emulator``)."""
        server = uvicorn.Server(self._config())
        asyncio.run(server.serve(sockets=[self._socket]))

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
