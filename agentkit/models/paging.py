"""Walking a paged listing (``pageSize`` / ``pageToken``) as one stream of items."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar
from urllib.parse import urlencode

T = TypeVar("T")

# Fetches one page: (the path with its query) -> (the page's items, the next page's token).
PageFetcher = Callable[[str], Awaitable[tuple[Sequence[T], str | None]]]


async def every_item(path: str, page_size: int, fetch: PageFetcher[T]) -> AsyncIterator[T]:
    """Each item of every page of ``path``, fetched a page at a time as they are read."""
    token: str | None = None
    while True:
        query = {"pageSize": str(page_size), **({"pageToken": token} if token else {})}
        items, token = await fetch(f"{path}?{urlencode(query)}")
        for item in items:
            yield item
        if not token:
            return
