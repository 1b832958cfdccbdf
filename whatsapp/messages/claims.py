"""Claimed scheduled messages that have not been handed to Meta yet, and giving them back.

A sender claims due rows (`SCHEDULED -> SENDING`, one attempt counted). Only a row whose HTTP
request has started may have reached Meta; those are the only ones that may end as "outcome
unknown" if the sender stops. Everything else — stopped before its turn (SIGTERM), its rate
limiter failed (Redis down), a database error before the call, the task cancelled — goes back
to SCHEDULED with its attempt given back, so nothing is failed that was not attempted.

`Claimed` tracks one batch: `handing_over` is called just before the request goes out and is
the line between the two; `release` gives back whatever is left, once, and afterwards no
message of the batch can be handed over (a sender still running cannot send a row that is
SCHEDULED again and then send it twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Iterable

from tortoise.expressions import F

from models import MessageStatus, WhatsAppMessage
from whatsapp.cloud.ratelimit import RateLimiter
from whatsapp.kit.clock import utcnow

log = logging.getLogger(__name__)

# Giving rows back is retried for a while when the database is away (a short outage should not
# turn claimed rows into "outcome unknown" ones when their lease runs out).
RELEASE_RETRY_S = (0.5, 1.0, 2.0, 4.0, 8.0)


class Claimed:
    """One batch of claimed messages; `stop` (set on shutdown) ends the batch early."""

    def __init__(self, messages: Iterable[WhatsAppMessage], stop: asyncio.Event | None) -> None:
        self._unsent: set[uuid.UUID] = {m.id for m in messages}
        self._closed = False
        self.stop = stop
        self.pacing_error: Exception | None = None

    @property
    def stopping(self) -> bool:
        return self._closed or (self.stop is not None and self.stop.is_set())

    async def paced(self, limiter: RateLimiter, phone_number_id: str) -> bool:
        """Wait for the number's next slot; False when the batch stops first (do not send).

        A limiter that fails (its Redis is away) raises: the caller gives the row back."""
        if self.stopping:
            return False
        if self.stop is None:
            await limiter.acquire(phone_number_id)
        else:
            await until_stopped(limiter.acquire(phone_number_id), self.stop)
        return not self.stopping

    def pacing_failed(self, exc: Exception) -> None:
        """The limiter failed before the message was sent: say so once per batch."""
        if self.pacing_error is None:
            self.pacing_error = exc
            log.warning(
                "rate limiter unavailable (%s): claimed messages go back to SCHEDULED unsent",
                exc,
            )

    def handing_over(self, message_id: uuid.UUID) -> bool:
        """Called right before the message's request goes out: from now on Meta may get it.
        False when the batch was released meanwhile (the row is not ours to send any more)."""
        if self._closed or message_id not in self._unsent:
            return False
        self._unsent.discard(message_id)
        return True

    def settled(self, message_id: uuid.UUID) -> None:
        """The message was settled without a request (failed before sending, say)."""
        self._unsent.discard(message_id)

    async def release(self) -> int:
        """Give back every message not handed over (once); how many went back to SCHEDULED."""
        ids, self._unsent, self._closed = list(self._unsent), set(), True
        if not ids:
            return 0
        return await asyncio.shield(release_unsent(ids))


async def until_stopped(work: Awaitable[None], stop: asyncio.Event) -> None:
    """Await `work` unless `stop` is set first (then `work` is cancelled)."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, stopped):
            if not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending
    if task.done() and not task.cancelled():
        task.result()  # the limiter's own error, if any


async def release_unsent(ids: list[uuid.UUID]) -> int:
    """SENDING -> SCHEDULED for rows never handed to Meta: due as before, error untouched, and
    the attempt their claim counted given back. Retried while the database is away."""
    for delay in (*RELEASE_RETRY_S, None):
        try:
            return await WhatsAppMessage.filter(id__in=ids, status=MessageStatus.SENDING).update(
                status=MessageStatus.SCHEDULED,
                lease_expires_at=None,
                attempts=F("attempts") - 1,
                updated_at=utcnow(),
            )
        except Exception as exc:  # the database is away: try again for a while
            if delay is None:
                log.error(
                    "could not give %d unsent messages back (%s); their lease will expire",
                    len(ids),
                    exc,
                )
                return 0
            await asyncio.sleep(delay)
    return 0
