"""Base URLs of model endpoints: checked when given, and shown without credentials."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from agentkit.errors import ConfigurationError


def checked_base_url(url: str) -> str:
    """``url`` with one trailing slash; anything that is not an http(s) address (a typo, a
    missing scheme) is refused now rather than retried for a minute at the first request."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"base URL {shown_url(url)!r} is not an http:// or https:// address (set in "
            "base_url= or GOOGLE_GEMINI_BASE_URL)"
        )
    return url.rstrip("/") + "/"


def shown_url(url: str) -> str:
    """A URL as it may be printed: without the user:password a proxy URL can carry, and
    without a query or fragment (where ``?api_key=...`` travels)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an unreadable URL)"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = "…" if parts.query else ""
    return urlunsplit(parts._replace(netloc=netloc, query=query, fragment=""))
