"""Keeps a test process on loopback: every socket connection elsewhere is refused.

The test session installs this in its own process and puts this folder on ``PYTHONPATH``, so
every Python subprocess a test starts (the CLI, a batch killed with SIGKILL, an example)
imports it at start-up as ``sitecustomize`` and is guarded the same way. A refused attempt
raises ``NetworkBlocked`` and is remembered, so a test that swallowed the error (a retry loop
turning it into ``APIConnectionError``) still fails in the session's check.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
blocked: list[str] = []


class NetworkBlocked(OSError):
    """A test tried to reach beyond loopback."""


def _host(host: Any) -> str:
    text = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
    return text.strip("[]").split("%", 1)[0]


def _is_loopback(host: Any) -> bool:
    name = _host(host)
    if name.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _is_address(host: Any) -> bool:
    try:
        ipaddress.ip_address(_host(host))
    except ValueError:
        return False
    return True


def _refuse(what: str) -> None:
    blocked.append(what)
    raise NetworkBlocked(f"tests may only connect to loopback; refused {what}")


def _check_address(family: int, address: Any) -> None:
    if family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
        if not _is_loopback(address[0]):
            _refuse(f"a connection to {address[0]}:{address[1]}")


def install() -> None:
    if getattr(socket.socket, "_agentkit_guarded", False):
        return
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_sendto = socket.socket.sendto
    original_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        _check_address(self.family, address)
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check_address(self.family, address)
        return original_connect_ex(self, address)

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        _check_address(self.family, args[-1])
        return original_sendto(self, data, *args)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        # A name lookup is itself traffic (a DNS query): only loopback names are resolved.
        # An address needs no lookup; connecting to it is checked on connect.
        if host is not None and not _is_loopback(host) and not _is_address(host):
            _refuse(f"a name lookup of {_host(host)!r}")
        return original_getaddrinfo(host, *args, **kwargs)

    def refuse_lookup(original: Any) -> Any:
        def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
            if not _is_loopback(host) and not _is_address(host):
                _refuse(f"a name lookup of {_host(host)!r}")
            return original(host, *args, **kwargs)

        return lookup

    # The older lookup functions are traffic too.
    socket.gethostbyname = refuse_lookup(socket.gethostbyname)
    socket.gethostbyname_ex = refuse_lookup(socket.gethostbyname_ex)
    socket.gethostbyaddr = refuse_lookup(socket.gethostbyaddr)
    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = sendto  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo
    socket.socket._agentkit_guarded = True  # type: ignore[attr-defined]


install()
