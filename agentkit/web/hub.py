"""What the page is told: one ordered log of messages, replayed to every page that connects.

The run task publishes each message once; every open page (a tab, a reloaded tab, a
second window) reads the same log from where it is, so a page that reconnects — the
browser's EventSource does so by itself, sending the last id it saw — misses nothing and
sees nothing twice. Opening another session starts a new log, beginning with that
session's transcript, so a page that comes back finds the conversation as it now is.

Everything here runs in the server's one event loop; nothing is shared with other threads.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import time
from collections.abc import AsyncIterator
from typing import Any


class EventHub:
    """The log of page messages since the current session was opened, and its readers."""

    def __init__(self) -> None:
        self._log: list[tuple[int, dict[str, Any]]] = []
        self._next = 1
        self._changed = asyncio.Event()
        self._closed = False

    @property
    def last_id(self) -> int:
        return self._next - 1

    def publish(self, message: dict[str, Any]) -> int:
        """Append ``message`` (a JSON-able dict with a ``type``); its id. Each message gets
        ``at``, the wall-clock time it was published, which the page's timeline reads."""
        number = self._next
        self._next += 1
        self._log.append((number, {"id": number, "at": time.time(), **message}))
        self._wake()
        return number

    def restart(self, first: dict[str, Any]) -> None:
        """A new log that begins with ``first`` (the transcript of a session just opened)."""
        self._log = []
        self.publish(first)

    def messages(self) -> list[dict[str, Any]]:
        return [message for _, message in self._log]

    def close(self) -> None:
        """End every reader's stream (the server is stopping)."""
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def follow(self, after: int, keep_alive: float = 15.0) -> AsyncIterator[str]:
        """Server-sent events: the messages after id ``after`` (all of the current log when
        it began later), then each new one as it comes, until the hub closes. A comment
        line every ``keep_alive`` seconds keeps idle connections from being dropped."""
        while not self._closed:
            # Taken before the log is read: a message published while this reader is away
            # at a yield has set it, so the wait below returns at once.
            changed = self._changed
            # Ids only grow, across restarts too: a page that saw an older log gets the
            # whole new one, which begins with the session it shows.
            log = self._log
            start = bisect.bisect_right(log, after, key=lambda entry: entry[0])
            for number, message in log[start:]:
                after = number
                yield f"id: {number}\ndata: {json.dumps(message, ensure_ascii=False)}\n\n"
            if self._closed:
                return
            try:
                await asyncio.wait_for(changed.wait(), keep_alive)
            except TimeoutError:
                yield ": keep-alive\n\n"
