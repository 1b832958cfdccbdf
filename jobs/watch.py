"""Is a `wagraph worker` about? Workers say so in Redis; servers read it and, when none has
been seen for `WAGRAPH_WORKER_TIMEOUT` (or Redis itself is away, so no worker can work),
run the scheduled sweep themselves until one is back.

Every worker writes the time of its latest poll, by Redis' clock, to one key per deployment,
`{queue_name}:workers:seen`, at most every `BEAT_EVERY_S` (kept a day, so "last seen 2 h
ago" can still be told). A server compares that with Redis' clock now: no clock skew between
machines. Scheduled sweeps claim rows, so a server and a worker sweeping together for a
moment (a worker just back) send nothing twice.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from jobs.queue import COMMAND_TIMEOUT_S, CONNECT_TIMEOUT_S, namespaced
from whatsapp.kit.outages import Outage, is_redis_outage, redis_location

log = logging.getLogger("wagraph.workers")

BEAT_EVERY_S = 5.0
SEEN_KEEP_S = 86_400

# KEYS[1] = the key; ARGV[1] = seconds to keep it. Redis' clock, in milliseconds.
_BEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], string.format('%d', now), 'EX', tonumber(ARGV[1]))
return 1
"""
# Milliseconds since the last beat, or -1 when there has been none (in a day).
_AGE = """
local seen = redis.call('GET', KEYS[1])
if not seen then return -1 end
local t = redis.call('TIME')
return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(seen)
"""


def seen_key(queue_name: str) -> str:
    return namespaced(queue_name, "workers:seen")


class Heartbeat:
    """A worker's side: `beat` after each successful poll; it writes at most every few
    seconds (Redis errors are the caller's: its poll loop handles the outage)."""

    def __init__(self, queue_name: str, every_s: float = BEAT_EVERY_S) -> None:
        self.key = seen_key(queue_name)
        self.every_s = every_s
        self._last = 0.0

    async def beat(self, redis: Any) -> None:
        now = time.monotonic()
        if now - self._last < self.every_s:
            return
        await redis.eval(_BEAT, 1, self.key, SEEN_KEEP_S)
        self._last = now


@dataclass(frozen=True, slots=True)
class Sighting:
    """What a server knows about the workers right now (for /readyz and the banner)."""

    redis: str  # "up" or "down"
    seen: bool
    last_seen_s: float | None
    sweeping: bool


class WorkerWatch:
    """A server's side: `check` (from its background loop) decides whether it sweeps; `look`
    only reads. One log line when it takes the sweep over, one when it hands it back."""

    def __init__(self, redis_url: str, queue_name: str, *, timeout_s: float, retry_s: float):
        self.key = seen_key(queue_name)
        self.queue_name = queue_name
        self.timeout_s = timeout_s
        self._redis: Redis = Redis.from_url(
            redis_url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=COMMAND_TIMEOUT_S
        )
        self.outage = Outage("Redis", redis_location(redis_url), log, retry_every_s=retry_s)
        self._started = time.monotonic()
        self.sweeping = False
        self.checks = 0

    async def look(self) -> Sighting:
        """Redis' answer now; None seconds when no worker has beaten in a day (or ever)."""
        try:
            age_ms = int(await self._redis.eval(_AGE, 1, self.key))  # type: ignore[misc]
        except Exception as exc:
            if not is_redis_outage(exc):
                raise
            self.outage.failed(exc, doing="looking for workers")
            return Sighting("down", seen=False, last_seen_s=None, sweeping=self.sweeping)
        self.outage.recovered()
        last = None if age_ms < 0 else max(age_ms, 0) / 1000
        return Sighting("up", seen=last is not None, last_seen_s=last, sweeping=self.sweeping)

    async def check(self) -> Sighting:
        """Look, and take the sweep over (or hand it back) accordingly."""
        sighting = await self.look()
        self.checks += 1
        reason = self._takeover_reason(sighting)
        if reason and not self.sweeping:
            log.warning(
                "%s: this server sends the due scheduled messages itself until a worker is "
                "back (queue %s)",
                reason,
                self.queue_name,
            )
        elif not reason and self.sweeping:
            log.warning(
                "a worker is back (seen %.1fs ago): scheduled messages are left to the workers "
                "again",
                sighting.last_seen_s or 0.0,
            )
        self.sweeping = reason is not None
        return Sighting(sighting.redis, sighting.seen, sighting.last_seen_s, self.sweeping)

    def _takeover_reason(self, sighting: Sighting) -> str | None:
        if sighting.redis == "down":
            return "Redis is unreachable, so no worker can send"
        if sighting.last_seen_s is None:
            # Never seen: give workers starting beside this server their time first.
            waited = time.monotonic() - self._started
            return f"no worker seen for {waited:.0f}s" if waited >= self.timeout_s else None
        if sighting.last_seen_s >= self.timeout_s:
            return f"no worker seen for {sighting.last_seen_s:.0f}s"
        return None

    async def aclose(self) -> None:
        await self._redis.aclose()
