"""The hub: one per server process. It turns committed event ids (from a broker) into rows,
read once per batch whatever the number of subscribers, and fans them out.

Every subscription has a bounded queue. A slow consumer loses the oldest updates, never the
newest, and the next update it does get says how many it missed (`Update.missed`): a
dashboard knows to refetch, and one slow socket never holds memory or the other subscribers
back.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from models import WhatsAppAnalyticsEvent, WhatsAppMessage
from whatsapp.live.filters import LiveItem

log = logging.getLogger(__name__)

Match = Callable[[LiveItem], bool]


@dataclass(frozen=True, slots=True)
class Update:
    item: LiveItem
    missed: int
    """Updates dropped for this subscriber just before this one (its queue was full)."""


class Subscription:
    """A bounded queue of the updates one subscriber asked for."""

    def __init__(self, match: Match, max_queue: int) -> None:
        self.match = match
        self._queue: deque[LiveItem] = deque()
        self._max = max_queue
        self._missed = 0
        self._ready = asyncio.Event()

    def offer(self, item: LiveItem) -> None:
        if len(self._queue) >= self._max:
            self._queue.popleft()
            self._missed += 1
        self._queue.append(item)
        self._ready.set()

    async def __aiter__(self) -> AsyncIterator[Update]:
        while True:
            await self._ready.wait()
            while self._queue:
                missed, self._missed = self._missed, 0
                yield Update(self._queue.popleft(), missed)
            self._ready.clear()


class Hub:
    """Reads committed events by id and offers each to the subscriptions that match it.

    Deliveries run one batch at a time, in arrival order, so a subscriber sees a message go
    sent → delivered → read in the order the process heard of it.
    """

    def __init__(self, *, max_queue: int = 100) -> None:
        self.max_queue = max_queue
        self._subscriptions: set[Subscription] = set()
        self._inbox: asyncio.Queue[Sequence[str]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    def subscribe(self, match: Match) -> Subscription:
        subscription = Subscription(match, self.max_queue)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    @property
    def subscribers(self) -> int:
        return len(self._subscriptions)

    def deliver_soon(self, ids: Sequence[str]) -> None:
        """A sink (`publisher.add_sink`, or a broker's listener): never blocks, never raises."""
        if not self._subscriptions:
            return
        self._inbox.put_nowait(list(ids))
        if self._worker is None or self._worker.done():
            # A fresh context: the caller may be a writer's commit, whose context still names
            # its transaction's connection; the hub reads through the global one.
            self._worker = asyncio.get_running_loop().create_task(
                self._drain(), context=contextvars.Context()
            )

    async def _drain(self) -> None:
        while not self._inbox.empty():
            ids = self._inbox.get_nowait()
            try:
                await self.deliver(ids)
            except Exception:
                log.warning("live delivery of %d events failed", len(ids), exc_info=True)

    async def deliver(self, ids: Sequence[str]) -> None:
        """One read of the committed rows (ids of a rolled-back write find none), then fan-out."""
        if not self._subscriptions or not ids:
            return
        events = await WhatsAppAnalyticsEvent.filter(id__in=list(ids)).order_by("created_at")
        message_ids = {e.message_id for e in events if e.message_id is not None}
        messages = (
            {m.id: m for m in await WhatsAppMessage.filter(id__in=list(message_ids))}
            if message_ids
            else {}
        )
        for event in events:
            item = LiveItem(event, messages.get(event.message_id) if event.message_id else None)
            for subscription in tuple(self._subscriptions):
                if subscription.match(item):
                    subscription.offer(item)

    async def aclose(self) -> None:
        self._subscriptions.clear()
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
