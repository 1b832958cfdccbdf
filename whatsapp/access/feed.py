"""Key changes across processes through Redis pub/sub: a revoke or scope change made in one
process empties every process's cache entry for that key at once, instead of within the
cache's TTL — which stays the fallback when Redis is slow or away.

Only key ids travel (never a key, nor its digest). Publishing never fails the change: an id
that cannot be published is logged; the TTL still bounds how long it is honoured elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from redis.asyncio import Redis

from whatsapp.access import changes

log = logging.getLogger(__name__)

DEFAULT_CHANNEL = "wagraph:keys"
RECONNECT_S = 1.0
FLUSH_S = 2.0
OUTBOX = 1_000


class KeyChangeFeed:
    """Publishes this process's key changes on `channel`; with `listen`, applies everyone's
    to this process's caches (a server listens; a CLI command only publishes)."""

    def __init__(self, url: str, *, channel: str = DEFAULT_CHANNEL, listen: bool = True) -> None:
        self.channel = channel
        self.listen = listen
        self._redis: Redis = Redis.from_url(url)
        self._outbox: asyncio.Queue[str] = asyncio.Queue(maxsize=OUTBOX)
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._send()))
        if self.listen:
            self._tasks.append(asyncio.create_task(self._receive()))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(FLUSH_S):
                    await self._subscribed.wait()
        changes.publish_to(self.publish)

    def publish(self, key_id: uuid.UUID) -> None:
        try:
            self._outbox.put_nowait(str(key_id))
        except asyncio.QueueFull:
            log.warning("key change outbox full; key %s relies on the cache TTL", key_id)

    async def _send(self) -> None:
        while True:
            key_id = await self._outbox.get()
            try:
                await self._redis.publish(self.channel, key_id)
            except Exception as exc:
                log.warning("key change not published (%s); key %s relies on the TTL", exc, key_id)
            finally:
                self._outbox.task_done()

    async def _receive(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._subscribed.set()
                    async for message in pubsub.listen():
                        _apply(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("key change feed lost Redis (%s); reconnecting", exc)
                await asyncio.sleep(RECONNECT_S)

    async def aclose(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FLUSH_S):
                await self._outbox.join()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._redis.aclose()


def _apply(message: dict[str, Any]) -> None:
    if message.get("type") != "message":
        return
    data = message.get("data")
    try:
        key_id = uuid.UUID(data.decode() if isinstance(data, bytes) else str(data))
    except ValueError:
        log.warning("ignoring a malformed key change on Redis")
        return
    changes.key_changed_elsewhere(key_id)
