"""Enqueueing arq jobs from the server (only when REDIS_URL is set): the jobs of `jobs.table`
that are booked by id rather than run on a schedule, under ids namespaced by the queue."""

from __future__ import annotations

import uuid
from datetime import datetime

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from jobs.table import DELIVER_MESSAGE


def redis_settings(url: str) -> RedisSettings:
    return RedisSettings.from_dsn(url)


def namespaced(queue_name: str, name: str) -> str:
    """A job id or cron name of this deployment: arq keeps job, in-progress and result keys
    by job id alone (`arq:job:{id}`), so deployments sharing a Redis must not share ids."""
    return f"{queue_name}:{name}"


class JobQueue:
    def __init__(self, pool: ArqRedis, queue_name: str) -> None:
        self.pool = pool
        self.queue_name = queue_name

    @classmethod
    async def connect(cls, redis_url: str, queue_name: str) -> JobQueue:
        return cls(await create_pool(redis_settings(redis_url)), queue_name)

    async def schedule_delivery(self, message_id: uuid.UUID, when: datetime) -> None:
        """A deferred job per scheduled message, for punctuality; the job id makes a repeat
        (the same message at the same time) a no-op, while a reschedule books a new one."""
        await self.pool.enqueue_job(
            DELIVER_MESSAGE.name,
            str(message_id),
            _job_id=namespaced(
                self.queue_name, f"{DELIVER_MESSAGE.name}:{message_id}:{int(when.timestamp())}"
            ),
            _defer_until=when,
            _queue_name=self.queue_name,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()
