"""What the core needs from the outside world, passed explicitly to every core function.

Built once per process by the composition root (`app.runtime.build_runtime`), for the server,
the arq worker and the CLI alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from whatsapp.cloud.client import CloudClient
from whatsapp.cloud.ratelimit import InProcessLimiter, RateLimiter

# Called after a scheduled message is committed, to book its punctual delivery (an arq job).
ScheduleHook = Callable[[uuid.UUID, datetime], Awaitable[None]]


@dataclass(slots=True)
class Runtime:
    cloud: CloudClient
    phone_number_id: str
    business_id: str | None = None
    # Refuse free-form sends outside the 24-hour window before calling Meta. Numbers whose
    # conversation history predates wagraph can turn this off (Meta still enforces it).
    enforce_service_window: bool = True
    # Outbound HTTP that is not the Cloud API (automation webhooks), with its signing secret.
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=10.0))
    webhook_signing_secret: str = "wagraph-development-signing-secret"
    limiter: RateLimiter = field(default_factory=lambda: InProcessLimiter(80))
    on_scheduled: ScheduleHook | None = None
    # Scheduled delivery: attempts for retryable failures, and what a crash mid-send means
    # ("fail": at most once, the default; "retry": at least once).
    max_attempts: int = 5
    lease_recovery: str = "fail"
    # MARKETING templates go to `/{PNID}/marketing_messages` (Marketing Messages API) instead
    # of `/messages`; decided per send from the stored template's category.
    marketing_messages_api: bool = False

    def number(self, phone_number_id: str | None) -> str:
        """The business number to act for: the caller's choice or the configured default."""
        return phone_number_id or self.phone_number_id

    async def aclose(self) -> None:
        await self.cloud.aclose()
        await self.http.aclose()
        await self.limiter.aclose()
