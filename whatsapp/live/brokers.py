"""Brokers carry committed event ids to the hubs: within one process, or across processes
through Redis pub/sub (a status applied by a worker reaches a dashboard on another server).

Publishing never blocks or fails the writer: ids go to a bounded outbox that one task sends
in order; if Redis is down or the outbox is full, the ids are logged and dropped (live updates
are a convenience; the event log stays the record).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from functools import partial
from typing import Protocol

from whatsapp.kit.pubsub import FLUSH_S, RedisChannel
from whatsapp.live import publisher
from whatsapp.live.hub import Hub

log = logging.getLogger(__name__)

DEFAULT_CHANNEL = "wagraph:live"
OUTBOX = 10_000


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
        receive = None if hub is None else partial(_receive, hub)
        self._redis = RedisChannel(url, channel, outbox=OUTBOX, what="live update", receive=receive)

    async def start(self) -> None:
        # Redis may be away when the server starts: it serves, and subscribes once it is back.
        await self._redis.start(subscribed_within=FLUSH_S)
        publisher.add_sink(self.publish)

    def publish(self, ids: Sequence[str]) -> None:
        self._redis.publish(json.dumps(list(ids)))

    async def aclose(self) -> None:
        publisher.remove_sink(self.publish)
        await self._redis.aclose()
        if self.hub is not None:
            await self.hub.aclose()


def _receive(hub: Hub, data: bytes | str) -> None:
    try:
        ids = json.loads(data)
    except (TypeError, ValueError):
        log.warning("ignoring a malformed live message on Redis")
        return
    if isinstance(ids, list):
        hub.deliver_soon([str(i) for i in ids])
