"""Paging as small strategies driven by one loop (`paginate`).

HubSpot pages three ways: list endpoints hand back `paging.next.after`; search is paged by
an id cursor (every page a fresh query for `hs_object_id > last`, so no query ever reaches
the 10,000-results cap); associations v4 batch reads page per input (each result carries
its own `paging.next.after`, asked again in a later call). Each strategy knows what the
next request needs and how a response moves it; `paginate` is the only loop.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar


def next_after(body: Mapping[str, Any]) -> str | None:
    """The `paging.next.after` cursor of a page or result (None on the last one)."""
    paging = body.get("paging") or {}
    following = paging.get("next") or {}
    after = following.get("after")
    return str(after) if after else None


class Paginator(Protocol):
    """A paging strategy: whether more pages remain, and how a response moves it."""

    @property
    def has_next(self) -> bool:
        """Whether another request is needed."""
        ...

    def update(self, body: Mapping[str, Any]) -> None:
        """Move past the response `body`."""
        ...


P = TypeVar("P", bound=Paginator)


def paginate(fetch: Callable[[P], Mapping[str, Any]], paginator: P) -> Iterator[Mapping[str, Any]]:
    """Request pages with `fetch(paginator)` until the strategy says there are no more."""
    while paginator.has_next:
        body = fetch(paginator)
        paginator.update(body)
        yield body


class AfterCursor:
    """List endpoints: the next page is asked with the previous page's `after` token."""

    def __init__(self, after: str | None = None) -> None:
        self.after = after
        self._more = True

    @property
    def has_next(self) -> bool:
        """Until a page comes back without a next cursor."""
        return self._more

    def update(self, body: Mapping[str, Any]) -> None:
        """Take the page's `paging.next.after`."""
        self.after = next_after(body)
        self._more = self.after is not None


class IdCursor:
    """Search: every page is a fresh query continuing after the last id seen (ascending)."""

    def __init__(self, after_id: str | None = None) -> None:
        self.after_id = after_id
        self._more = True

    @property
    def has_next(self) -> bool:
        """Until a page is empty or holds the rest of the query's matches."""
        return self._more

    def update(self, body: Mapping[str, Any]) -> None:
        """Continue after the page's last id; stop when `total` says nothing remains."""
        results = body.get("results") or []
        total = int(body.get("total") or 0)
        if results:
            self.after_id = str(results[-1]["id"])
        self._more = bool(results) and total > len(results)


@dataclass(frozen=True)
class PendingInput:
    """One input of a per-input paged batch read, with its page cursor."""

    id: str
    after: str | None = None


class PerInputCursor:
    """Associations v4 batch reads: inputs whose links span pages are asked again.

    Inputs are sent `batch_size` at a time; each result with `paging.next.after` goes back
    into the queue with that cursor, so one loop covers first pages and follow-ups alike.
    """

    def __init__(self, ids: Sequence[str], batch_size: int) -> None:
        self._queue: deque[PendingInput] = deque(PendingInput(i) for i in ids)
        self._batch_size = batch_size

    @property
    def has_next(self) -> bool:
        """While any input still has links to read."""
        return bool(self._queue)

    def take(self) -> list[PendingInput]:
        """The inputs of the next request (at most the batch size)."""
        count = min(self._batch_size, len(self._queue))
        return [self._queue.popleft() for _ in range(count)]

    def update(self, body: Mapping[str, Any]) -> None:
        """Queue the inputs whose results say more links remain."""
        for result in body.get("results") or []:
            after = next_after(result)
            if after:
                self._queue.append(PendingInput(str(result["from"]["id"]), after))
