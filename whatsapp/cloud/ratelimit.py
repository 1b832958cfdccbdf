"""Per-phone-number send pacing: Meta allows 80 messages/second by default, up to 1,000.

Both limiters use GCRA (a "theoretical arrival time" per number): each caller reserves the next
slot, one emission interval after the previous one, and sleeps until it. Sends are therefore
spaced evenly rather than allowed in bursts, which keeps any one-second window at or under the
limit — the way Meta counts. With Redis the slots are reserved atomically in one Lua script
against Redis' clock, so every server and worker shares one budget per number; without Redis
the budget is the process's own.

`penalize` pushes a number's next slot out when Meta answers `codes.THROUGHPUT` anyway (another
system sending on the same number, say), so the whole fleet slows down instead of failing
messages.

Redis away, the shared limiter degrades instead of failing the send: each process paces
itself in-process at its share of the rate, `rate / n`, where n is the number of processes
sharing the budget as last read from Redis (every `RedisLimiter` registers itself in the
sorted set `{prefix}processes`, by Redis' clock, every `REGISTER_EVERY_S`; a process gone
for `REGISTERED_FOR_S` drops out). n processes at rate/n each cannot together pass the limit.
The share starts after the last slot this process reserved in Redis, and while degraded Redis
is probed at most every `PROBE_EVERY_S` (not per send); when it answers, the shared budget is
used again, paced for `BOTH_FOR_S` by both (the slower wins) while the other processes notice
too. One log line when the outage starts, one when it ends. The registry is kept beside the
budgets it divides, not per queue: deployments sending on one number share its budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol

from whatsapp.kit.outages import Outage, is_redis_outage, redis_location

log = logging.getLogger(__name__)

MAX_MPS = 1000
# Pacing happens where we send; Meta counts where the requests arrive, after network jitter
# has bunched some of them. Aiming a little under the limit keeps every one-second window at
# Meta under it (measured against the sandbox: 2 of 60 refused at 100 %, none at 95 %).
HEADROOM = 0.95

# A send whose slot has passed by more than this when its task runs again (the event loop was
# busy, or the process was not scheduled) takes a new slot instead: sent now, it would land
# with every other late one at once, and such a bunch is what Meta counts and refuses.
LATE_S = 0.02
RETAKES = 2

PROBE_EVERY_S = 1.0
REGISTER_EVERY_S = 5.0
REGISTERED_FOR_S = 15.0
BOTH_FOR_S = 2 * PROBE_EVERY_S
CONNECT_TIMEOUT_S = 1.0
COMMAND_TIMEOUT_S = 2.0


class RateLimiter(Protocol):
    rate: float

    async def acquire(self, phone_number_id: str) -> None: ...

    async def penalize(self, phone_number_id: str, seconds: float) -> None: ...

    async def aclose(self) -> None: ...


def check_rate(rate: float) -> float:
    if not 0 < rate <= MAX_MPS:
        raise ValueError(f"the send rate must be between 1 and {MAX_MPS} messages per second")
    return rate


async def on_time(reserve: Callable[[], float | Awaitable[float]]) -> None:
    """Wait for a reserved slot; if this task ran again more than `LATE_S` after it, take a
    fresh one (at most `RETAKES` times, then send anyway: a loop that is always late must
    still send)."""
    for _ in range(RETAKES + 1):
        wait_s = reserve()
        if not isinstance(wait_s, float | int):
            wait_s = await wait_s
        due = time.monotonic() + wait_s
        if wait_s > 0:
            await asyncio.sleep(wait_s)
        if time.monotonic() - due <= LATE_S:
            return


class InProcessLimiter:
    """GCRA per number within one process."""

    def __init__(self, rate: float) -> None:
        self.rate = check_rate(rate)
        self._interval = 1.0 / (rate * HEADROOM)
        self._next: dict[str, float] = {}

    async def acquire(self, phone_number_id: str) -> None:
        await on_time(lambda: self.reserve(phone_number_id))

    def reserve(self, phone_number_id: str) -> float:
        """Take the number's next slot; seconds to wait for it."""
        now = time.monotonic()
        slot = max(self._next.get(phone_number_id, now), now)
        self._next[phone_number_id] = slot + self._interval
        return slot - now

    def not_before(self, phone_number_id: str, at: float) -> None:
        """No slot for the number before `at` (monotonic): slots already taken elsewhere."""
        self._next[phone_number_id] = max(self._next.get(phone_number_id, at), at)

    async def penalize(self, phone_number_id: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        self._next[phone_number_id] = max(self._next.get(phone_number_id, until), until)

    async def aclose(self) -> None:
        return None


# KEYS[1] = the number's slot key; ARGV[1] = interval in microseconds, ARGV[2] = penalty in µs
# (0 for a normal reservation). Returns microseconds to wait before sending.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local slot = tonumber(redis.call('GET', KEYS[1]) or now)
if slot < now then slot = now end
local penalty = tonumber(ARGV[2])
if penalty > 0 then
  local until_ = now + penalty
  if until_ > slot then slot = until_ end
  redis.call('SET', KEYS[1], slot, 'PX', math.floor((slot - now) / 1000) + 2000)
  return 0
end
local following = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], following, 'PX', math.floor((following - now) / 1000) + 2000)
return slot - now
"""


# KEYS[1] = the registry; ARGV[1] = this process, ARGV[2] = how long it stays registered (ms).
# Returns how many processes are registered, this one included.
_REGISTER = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return redis.call('ZCARD', KEYS[1])
"""


class RedisLimiter:
    """GCRA per number shared through Redis by every process; in-process at this process's
    share of the rate while Redis is away (see the module's docstring)."""

    def __init__(self, redis_url: str, rate: float, *, prefix: str = "wagraph:rate:") -> None:
        from redis.asyncio import Redis

        self.rate = check_rate(rate)
        self._interval_us = int(1_000_000 / (rate * HEADROOM))
        self._redis = Redis.from_url(
            redis_url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=COMMAND_TIMEOUT_S
        )
        self._script = self._redis.register_script(_GCRA)
        self._register = self._redis.register_script(_REGISTER)
        self._prefix = prefix
        self._process = uuid.uuid4().hex
        self.known_processes = 1
        """Processes sharing the budget, this one included, as last read from Redis."""
        self.outage = Outage("Redis", redis_location(redis_url), log, PROBE_EVERY_S)
        self.degraded: InProcessLimiter | None = None
        """This process's share, while Redis is away."""
        self._share: InProcessLimiter | None = None  # the share, kept a moment after recovery
        self._probe_at = 0.0
        self._both_until = 0.0
        self._last_slot: dict[str, float] = {}
        self._registration: asyncio.Task[None] | None = None
        self._start_registration()

    async def acquire(self, phone_number_id: str) -> None:
        self._start_registration()
        await on_time(lambda: self._reserve(phone_number_id))

    async def _reserve(self, phone_number_id: str) -> float:
        now = time.monotonic()
        if self.degraded is not None:
            if now < self._probe_at:
                return self.degraded.reserve(phone_number_id)
            self._probe_at = now + PROBE_EVERY_S  # this caller probes; the others do not
        try:
            wait_us = int(
                await self._script(
                    keys=[self._prefix + phone_number_id], args=[self._interval_us, 0]
                )
            )
        except Exception as exc:
            if not is_redis_outage(exc):
                raise
            return self._degrade(exc).reserve(phone_number_id)
        self._recovered()
        wait_s = wait_us / 1_000_000
        self._last_slot[phone_number_id] = max(
            self._last_slot.get(phone_number_id, 0.0), now + wait_s
        )
        if self._share is not None and now < self._both_until:
            wait_s = max(wait_s, self._share.reserve(phone_number_id))
        return wait_s

    async def penalize(self, phone_number_id: str, seconds: float) -> None:
        if self.degraded is not None:
            await self.degraded.penalize(phone_number_id, seconds)
            return
        try:
            await self._script(
                keys=[self._prefix + phone_number_id],
                args=[self._interval_us, int(seconds * 1_000_000)],
            )
        except Exception as exc:
            if not is_redis_outage(exc):
                raise
            await self._degrade(exc).penalize(phone_number_id, seconds)

    def _degrade(self, exc: Exception) -> InProcessLimiter:
        """Pace in-process at this process's share, after the slots it already holds."""
        if self.degraded is None:
            known = max(self.known_processes, 1)
            share = InProcessLimiter(self.rate / known)
            for phone_number_id, slot in self._last_slot.items():
                share.not_before(phone_number_id, slot)
            self.degraded = self._share = share
            self._probe_at = time.monotonic() + PROBE_EVERY_S
            self.outage.failed(
                exc,
                doing=f"pacing sends (this process now paces at 1/{known} of the limit, "
                f"{self.rate / known:g} msg/s per number)",
            )
        return self.degraded

    def _recovered(self) -> None:
        if self.degraded is not None:
            self.degraded = None
            self._both_until = time.monotonic() + BOTH_FOR_S
        self.outage.recovered()

    def _start_registration(self) -> None:
        if self._registration is None:
            with contextlib.suppress(RuntimeError):  # no loop yet: the first acquire starts it
                self._registration = asyncio.get_running_loop().create_task(self._keep_registered())

    async def _keep_registered(self) -> None:
        """Say this process shares the budget, and read how many do, every few seconds."""
        while True:
            try:
                self.known_processes = int(
                    await self._register(
                        keys=[self._registry],
                        args=[self._process, int(REGISTERED_FOR_S * 1000)],
                    )
                )
            except Exception as exc:
                if not is_redis_outage(exc):
                    log.exception("the rate limiter could not register this process")
                elif self.degraded is None:
                    self._degrade(exc)
            else:
                if self.degraded is not None:
                    self._recovered()
            await asyncio.sleep(REGISTER_EVERY_S)

    @property
    def _registry(self) -> str:
        return self._prefix + "processes"

    async def aclose(self) -> None:
        if self._registration is not None:
            self._registration.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._registration
            with contextlib.suppress(Exception):  # away: the entry expires on its own
                await self._redis.zrem(self._registry, self._process)
        await self._redis.aclose()


def build_limiter(rate: float, redis_url: str | None) -> RateLimiter:
    return RedisLimiter(redis_url, rate) if redis_url else InProcessLimiter(rate)
