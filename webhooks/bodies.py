"""Bodies that arrive before anyone is known: read within bounds, refused cheaply.

A webhook or Flows request is authenticated by a signature over its body, so the body must be
read before we know who sent it — and anyone can send one. Each body is bounded (413), its
reading is bounded in time (408: a sender trickling bytes cannot hold memory for ever), and
all the bodies being read at once share one byte budget (`UnverifiedBudget`): past it a
request is answered 503 with Retry-After at once, so a flood of large unsigned bodies costs a
fixed amount of memory whatever its size. The bytes are given back as soon as the signature is
checked, before anything is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

RETRY_AFTER_S = 5


class BodyRefused(Exception):
    """A body refused at the door; `response()` is the answer."""

    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers or {}

    def response(self) -> Response:
        return PlainTextResponse(self.reason, status_code=self.status, headers=self.headers)


@dataclass(slots=True)
class UnverifiedBudget:
    """Bytes of not-yet-verified bodies the process holds at once, across all requests.

    One event loop serves a process and taking or giving back never awaits, so no lock is
    needed. Taking never waits either: a full budget is answered at once, not queued."""

    capacity: int
    in_use: int = field(default=0)

    def take(self, size: int) -> bool:
        if self.in_use + size > self.capacity:
            return False
        self.in_use += size
        return True

    def give_back(self, size: int) -> None:
        self.in_use = max(0, self.in_use - size)


@dataclass(frozen=True, slots=True)
class Door:
    """How bodies that are not yet verified are read: their largest size, their shared
    budget, the time a whole body may take to arrive."""

    max_bytes: int
    budget: UnverifiedBudget
    read_timeout_s: float

    @asynccontextmanager
    async def read(self, request: Request) -> AsyncIterator[bytes]:
        """The whole body, held against the budget until the block ends (end it once the
        signature is checked). Raises BodyRefused: 413 too large, 503 budget exhausted,
        408 too slow."""
        held = _Holding(self.budget)
        try:
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise _too_large(self.max_bytes)
            held.grow_to(int(declared) if declared.isdigit() else 0)
            try:
                async with asyncio.timeout(self.read_timeout_s):
                    body = await self._collect(request, held)
            except TimeoutError:
                raise BodyRefused(408, "Request body too slow") from None
            yield body
        finally:
            held.release()

    async def _collect(self, request: Request, held: _Holding) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_bytes:
                raise _too_large(self.max_bytes)
            held.grow_to(size)
            chunks.append(chunk)
        return b"".join(chunks)


class _Holding:
    """One request's share of the budget, grown as its bytes arrive."""

    def __init__(self, budget: UnverifiedBudget) -> None:
        self.budget = budget
        self.size = 0

    def grow_to(self, size: int) -> None:
        if size <= self.size:
            return
        if not self.budget.take(size - self.size):
            raise BodyRefused(
                503,
                "Too many request bodies in flight; retry later",
                {"Retry-After": str(RETRY_AFTER_S)},
            )
        self.size = size

    def release(self) -> None:
        self.budget.give_back(self.size)
        self.size = 0


def _too_large(limit: int) -> BodyRefused:
    return BodyRefused(413, f"Payload too large (over {limit} bytes)")
