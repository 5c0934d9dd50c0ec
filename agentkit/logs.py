"""agentkit's log lines: structlog events on the stdlib logger named ``agentkit``.

A library must not configure global logging, and structlog's unconfigured default prints
everything to stdout. So events go to ``logging.getLogger("agentkit")``: silent until the
application configures logging (``logging.basicConfig()``, a handler of its own, or
``logging.getLogger("agentkit").setLevel("DEBUG")`` with one).
The level is checked first, so a disabled line costs no formatting. Each record carries a
readable message (``retry attempt=1 delay=0.5 ...``) and the fields as ``record.agentkit``
for structured handlers. Stable event names: ``model.request``, ``model.response``,
``tool.call``, ``tool.result``, ``retry``, ``limit``.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

LOGGER_NAME = "agentkit"


def _to_stdlib(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    event = str(event_dict.pop("event", ""))
    # An exception travels as the record's exc_info (handlers print its traceback), not as
    # a field of the message.
    exc_info = event_dict.pop("exc_info", None)
    fields = " ".join(f"{key}={value!r}" for key, value in event_dict.items())
    message = f"{event} {fields}" if fields else event
    options: dict[str, Any] = {"extra": {"agentkit": {"event": event, **event_dict}}}
    if exc_info is not None:
        options["exc_info"] = exc_info
    return (message,), options


_LOGGER = logging.getLogger(LOGGER_NAME)
# The library's own logger gets a handler that drops records, as Python's logging guide asks
# of libraries: otherwise logging's last-resort handler prints every warning to stderr in a
# program that configured nothing. Configured logging (a handler here or on the root, or
# ``--log-level``) still receives everything.
if not any(isinstance(handler, logging.NullHandler) for handler in _LOGGER.handlers):
    _LOGGER.addHandler(logging.NullHandler())


def debug_enabled() -> bool:
    """Whether ``agentkit`` logs at DEBUG: checked before building a debug line, so the loop
    pays one cached level lookup, not a structlog event, when nobody is listening."""
    return _LOGGER.isEnabledFor(logging.DEBUG)


class Logger:
    """A structlog logger bound to some values (e.g. run_id), writing to stdlib, made the
    first time a line is actually written. Until then nothing of structlog is imported: it
    brings rich with it, and a program whose logging is off never needs either."""

    __slots__ = ("_initial", "_real")

    def __init__(self, initial: dict[str, Any]) -> None:
        self._initial = initial
        self._real: Any = None

    def bind(self, **values: Any) -> Logger:
        return Logger({**self._initial, **values})

    def debug(self, event: str, **fields: Any) -> None:
        self._write(logging.DEBUG, "debug", event, fields)

    def info(self, event: str, **fields: Any) -> None:
        self._write(logging.INFO, "info", event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._write(logging.WARNING, "warning", event, fields)

    def error(self, event: str, **fields: Any) -> None:
        self._write(logging.ERROR, "error", event, fields)

    def _write(self, level: int, method: str, event: str, fields: dict[str, Any]) -> None:
        if not _LOGGER.isEnabledFor(level):
            return  # nobody listens: no structlog, no formatting
        if self._real is None:
            import structlog

            self._real = structlog.wrap_logger(
                _LOGGER,
                processors=[structlog.stdlib.filter_by_level, _to_stdlib],
                wrapper_class=structlog.stdlib.BoundLogger,
                **self._initial,
            )
        getattr(self._real, method)(event, **fields)


def get_logger(**initial: Any) -> Logger:
    """A logger bound to ``initial`` values (e.g. run_id), writing to stdlib."""
    return Logger(initial)
