"""Brokers carry committed event ids to the hubs: within one process, or across processes
through Redis pub/sub (a status applied by a worker reaches a dashboard on another server).

Publishing never blocks or fails the writer: ids go to a bounded outbox that one task sends
in order; if Redis is down or the outbox is full, the ids are logged and dropped (live updates
are a convenience; the event log stays the record).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from redis.asyncio import Redis

from whatsapp.live import publisher
from whatsapp.live.hub import Hub

log = logging.getLogger(__name__)

DEFAULT_CHANNEL = "wagraph:live"
OUTBOX = 10_000
RECONNECT_S = 1.0
FLUSH_S = 2.0


class Broker(Protocol):
    async def start(self) -> None: ...

    async def aclose(self) -> None: ...


class InProcessBroker:
    """One process: committed ids go straight to this process's hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def start(self) -> None:
        publisher.add_sink(self.hub.deliver_soon)

    async def aclose(self) -> None:
        publisher.remove_sink(self.hub.deliver_soon)
        await self.hub.aclose()


class RedisBroker:
    """Many processes: this process's committed ids are published on `channel`; with a hub,
    every id published there (its own included) is delivered to it. Without a hub (a worker,
    a CLI command) it only publishes."""

    def __init__(self, url: str, *, hub: Hub | None = None, channel: str = DEFAULT_CHANNEL):
        self.hub = hub
        self.channel = channel
        self._redis: Redis = Redis.from_url(url)
        self._outbox: asyncio.Queue[list[str]] = asyncio.Queue(maxsize=OUTBOX)
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._send_outbox()))
        if self.hub is not None:
            self._tasks.append(asyncio.create_task(self._listen(self.hub)))
            await self._subscribed.wait()
        publisher.add_sink(self.publish)

    def publish(self, ids: Sequence[str]) -> None:
        try:
            self._outbox.put_nowait(list(ids))
        except asyncio.QueueFull:
            log.warning("live outbox full; %d event ids not published", len(ids))

    async def _send_outbox(self) -> None:
        while True:
            ids = await self._outbox.get()
            try:
                await self._redis.publish(self.channel, json.dumps(ids))
            except Exception as exc:
                log.warning("live publish failed (%s); %d event ids dropped", exc, len(ids))
            finally:
                self._outbox.task_done()

    async def _listen(self, hub: Hub) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._subscribed.set()
                    async for message in pubsub.listen():
                        _receive(hub, message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("live subscription to Redis lost (%s); reconnecting", exc)
                await asyncio.sleep(RECONNECT_S)

    async def aclose(self) -> None:
        publisher.remove_sink(self.publish)
        await self._flush()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.hub is not None:
            await self.hub.aclose()
        await self._redis.aclose()

    async def _flush(self) -> None:
        """Send what is queued before closing (a CLI command exits right after its write)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FLUSH_S):
                await self._outbox.join()


def _receive(hub: Hub, message: dict[str, Any]) -> None:
    if message.get("type") != "message":
        return
    try:
        ids = json.loads(message["data"])
    except (TypeError, ValueError):
        log.warning("ignoring a malformed live message on Redis")
        return
    if isinstance(ids, list):
        hub.deliver_soon([str(i) for i in ids])
