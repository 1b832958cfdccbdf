"""A Redis pub/sub channel that never blocks or fails the code that publishes on it.

Live updates and API-key changes both cross processes this way: a message goes to a bounded
outbox that one task sends in order (a full outbox or a Redis error is logged and the message
dropped: the senders have their own fallback, the event log or the key cache's TTL); with a
receiver, every message on the channel (this process's included) is handed to it, and a lost
connection is re-subscribed after a pause. A Redis outage is one line when it starts and one
when it ends (`whatsapp.kit.outages.Outage`), not a line per message or per reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from redis.asyncio import Redis

from whatsapp.kit.outages import Outage, is_redis_outage, redis_location

log = logging.getLogger(__name__)

RECONNECT_S = 1.0
FLUSH_S = 2.0


class RedisChannel:
    def __init__(
        self,
        url: str,
        channel: str,
        *,
        outbox: int,
        what: str,
        receive: Callable[[bytes | str], None] | None = None,
    ) -> None:
        """`what` names the traffic in log lines ("live update", "key change")."""
        self.channel = channel
        self.what = what
        self._receive = receive
        self._redis: Redis = Redis.from_url(url)
        self._outbox: asyncio.Queue[str] = asyncio.Queue(maxsize=outbox)
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()
        self._outage = Outage(
            f"Redis ({what}s on {channel})", redis_location(url), log, retry_every_s=RECONNECT_S
        )

    async def start(self, *, subscribed_within: float | None = None) -> None:
        """Start sending; with a receiver, listen and wait until subscribed (at most
        `subscribed_within` seconds when given: Redis may be away, the fallback serves)."""
        self._tasks.append(asyncio.create_task(self._send()))
        if self._receive is None:
            return
        self._tasks.append(asyncio.create_task(self._listen(self._receive)))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(subscribed_within):
                await self._subscribed.wait()

    def publish(self, message: str) -> bool:
        """Queue a message; False (and logged) when the outbox is full."""
        try:
            self._outbox.put_nowait(message)
        except asyncio.QueueFull:
            log.warning(
                "%s outbox full on %s; a message was not published", self.what, self.channel
            )
            return False
        return True

    async def aclose(self) -> None:
        """Send what is queued (for up to FLUSH_S: a CLI command exits right after its write),
        then stop."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FLUSH_S):
                await self._outbox.join()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._redis.aclose()

    async def _send(self) -> None:
        while True:
            message = await self._outbox.get()
            try:
                await self._redis.publish(self.channel, message)
            except Exception as exc:
                if is_redis_outage(exc):
                    self._outage.failed(exc, doing=f"publishing a {self.what}")
                else:
                    log.warning("%s not published on %s (%s)", self.what, self.channel, exc)
            else:
                self._outage.recovered()
            finally:
                self._outbox.task_done()

    async def _listen(self, receive: Callable[[bytes | str], None]) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._subscribed.set()
                    self._outage.recovered()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            receive(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_redis_outage(exc):
                    self._outage.failed(exc, doing="listening")
                else:
                    log.warning("%s subscription to Redis lost (%s); reconnecting", self.what, exc)
                await asyncio.sleep(RECONNECT_S)
