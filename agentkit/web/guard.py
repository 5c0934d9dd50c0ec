"""Who may drive the web view: this machine's browser, holding the token it was given.

The page can run tools that change a home, so every request — the page itself, its
scripts, the event stream, every POST — must carry the random token printed once when the
server starts (``?token=`` in the URL, or the ``X-Agentkit-Token`` header the page's
script sends). Other local users can reach 127.0.0.1 too; without the token they get 403.

The token is not enough against DNS rebinding: a site on the web can point its own name at
127.0.0.1, and the browser would then treat this server as that site. So the ``Host``
header must name this server as the person opened it (``127.0.0.1:PORT`` or
``localhost:PORT``), and an ``Origin``, when a browser sends one, must be this server's.
Tokens are compared in constant time, so timing does not tell how much of a guess was right.

Every response also carries headers that keep the page to itself: no scripts, styles or
connections from anywhere else, no framing, no referrer (the URL holds the token).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_HEADER = "x-agentkit-token"
TOKEN_PARAMETER = "token"

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        b"img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
)


def new_token() -> str:
    """A fresh secret for one server: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def allowed_hosts(port: int) -> frozenset[str]:
    """The ``Host`` values a browser sends for this server (it listens on 127.0.0.1)."""
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})


class AccessGuard:
    """ASGI middleware: a request without the token, or for another host or origin, gets
    403 and one line saying why; nothing of the app runs for it."""

    def __init__(self, app: ASGIApp, token: str, hosts: Iterable[str]) -> None:
        self.app = app
        self._token = token.encode()
        self._hosts = frozenset(hosts)
        self._origins = frozenset(f"http://{host}" for host in self._hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)  # lifespan
            return
        problem = self.refusal(scope)
        if problem is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await PlainTextResponse(problem + "\n", status_code=403)(
                scope, receive, _with_security_headers(send)
            )
            return
        await self.app(scope, receive, _with_security_headers(send))

    def refusal(self, scope: Scope) -> str | None:
        """Why the request is refused, or None when it may go on."""
        headers = Headers(scope=scope)
        host = headers.get("host", "").lower()
        if host not in self._hosts:
            return "forbidden: this server answers only to 127.0.0.1 and localhost on its port"
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self._origins:
            return "forbidden: requests from other sites are refused"
        if not self.token_matches(_given_token(scope, headers)):
            return "forbidden: open the URL that agentkit web printed (it holds the token)"
        return None

    def token_matches(self, given: str | None) -> bool:
        if given is None:
            return False
        return hmac.compare_digest(given.encode(), self._token)


def _given_token(scope: Scope, headers: Headers) -> str | None:
    header: str | None = headers.get(TOKEN_HEADER)
    if header is not None:
        return header
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == TOKEN_PARAMETER:
            return value
    return None


def _with_security_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
        await send(message)

    return sending
