"""Enqueueing arq jobs from the server (only when REDIS_URL is set): the jobs of `jobs.table`
that are booked by id rather than run on a schedule, under ids namespaced by the queue.

Booking is a punctuality aid, never the record: the message row is stored first, and the
scheduled sweep delivers whatever has no job (a worker's cron sweep, or the server's own when
no worker is seen). So while Redis is away a booking is skipped, not an error: the GraphQL
mutation that scheduled the message succeeds, and the outage is logged once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from arq.connections import ArqRedis, RedisSettings

from jobs.table import DELIVER_MESSAGE
from whatsapp.kit.outages import Outage, is_redis_outage, redis_location

log = logging.getLogger("wagraph.queue")

# How long one command may wait for Redis before it counts as away (connect, then answer).
CONNECT_TIMEOUT_S = 1
COMMAND_TIMEOUT_S = 2.0


def redis_settings(url: str) -> RedisSettings:
    """arq's settings for `url`, without arq's own connection retries: callers retry with
    `whatsapp.kit.outages.Backoff` and log an outage once rather than per attempt."""
    settings = RedisSettings.from_dsn(url)
    settings.conn_retries = 0
    settings.conn_timeout = CONNECT_TIMEOUT_S
    return settings


def namespaced(queue_name: str, name: str) -> str:
    """A job id or cron name of this deployment: arq keeps job, in-progress and result keys
    by job id alone (`arq:job:{id}`), so deployments sharing a Redis must not share ids."""
    return f"{queue_name}:{name}"


class JobQueue:
    def __init__(self, pool: ArqRedis, queue_name: str, *, where: str = "Redis") -> None:
        self.pool = pool
        self.queue_name = queue_name
        self.outage = Outage("Redis", where, log, retry_every_s=None)

    @classmethod
    async def connect(cls, redis_url: str, queue_name: str) -> JobQueue:
        """A queue on `redis_url`, even while Redis is away (its client connects per command)."""
        pool = ArqRedis.from_url(
            redis_url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=COMMAND_TIMEOUT_S
        )
        pool.default_queue_name = queue_name
        return cls(pool, queue_name, where=redis_location(redis_url))

    async def schedule_delivery(self, message_id: uuid.UUID, when: datetime) -> None:
        """A deferred job per scheduled message, for punctuality; the job id makes a repeat
        (the same message at the same time) a no-op, while a reschedule books a new one.
        Redis away: skipped (the sweep delivers the stored row), logged once per outage."""
        try:
            await self.pool.enqueue_job(
                DELIVER_MESSAGE.name,
                str(message_id),
                _job_id=namespaced(
                    self.queue_name, f"{DELIVER_MESSAGE.name}:{message_id}:{int(when.timestamp())}"
                ),
                _defer_until=when,
                _queue_name=self.queue_name,
            )
        except Exception as exc:
            if not is_redis_outage(exc):
                raise
            self.outage.failed(exc, doing="booking scheduled messages (the sweep sends them)")
            return
        self.outage.recovered()

    async def aclose(self) -> None:
        await self.pool.aclose()
