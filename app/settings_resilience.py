"""The settings that say how wagraph rides out a Redis or database outage and notices a
missing worker: one group of `Settings`, kept apart so each module stays small."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class Resilience(BaseSettings):
    worker_timeout_s: float = Field(
        30.0,
        validation_alias="WAGRAPH_WORKER_TIMEOUT",
        gt=0,
        description="With REDIS_URL: when no `wagraph worker` has been seen for this many "
        "seconds (each writes a heartbeat every few seconds), or Redis is down, the server "
        "sends the due scheduled messages itself until a worker is back; /readyz and the "
        "banner warn.",
    )
    redis_retry_max_s: float = Field(
        5.0,
        validation_alias="WAGRAPH_REDIS_RETRY_MAX",
        gt=0,
        description="While Redis is unreachable, workers and servers retry with a doubling "
        "delay of at most this many seconds (one log line when it goes, one when it is back).",
    )
    retry_after_s: int = Field(
        5,
        validation_alias="WAGRAPH_RETRY_AFTER",
        ge=1,
        description="The Retry-After (seconds) of the 503 answered to GraphQL, /readyz and "
        "webhooks while the database is unreachable.",
    )
