"""Signed webhook delivery with Meta's retry behaviour, as tracked background tasks.

Bodies are `json.dumps(payload)` (ASCII-escaped, like Meta's) and the signature covers exactly
those bytes. Non-200 answers and connection errors are retried with exponential backoff until
`webhook_retry_horizon_s` (Meta: 7 days). Every delivery runs in a task the dispatcher tracks, so
tests can `drain()` and shutdown can cancel.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx

from sandbox.config import SandboxConfig

SIGNATURE_HEADER = "X-Hub-Signature-256"
USER_AGENT = "facebookexternalua"
LOG_SIZE = 1000
# In-flight POSTs at once. httpcore's pool degrades badly with thousands of queued requests,
# so deliveries queue on a semaphore instead (kept below the pool size).
MAX_IN_FLIGHT = 16


def sign(body: bytes, secret: str) -> str:
    """`sha256=<hex>` HMAC of the raw body with the app secret, as Meta sends it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


@dataclass(slots=True)
class Job:
    """Deliveries a background task promised and has not finished yet (for `pending`)."""

    remaining: int


JobRunner = Callable[[Job], Coroutine[Any, Any, None]]


class WebhookDispatcher:
    """Posts webhooks to `config.webhook_url` with one shared client; tracks every task."""

    def __init__(self, config: SandboxConfig) -> None:
        self._config = config
        self._client: httpx.AsyncClient | None = None
        self._jobs: dict[asyncio.Task[None], Job] = {}
        self._slots: asyncio.Semaphore | None = None
        self.log: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
        self.reset_counters()

    def reset_counters(self) -> None:
        self.delivered = 0
        self.failed = 0
        self.attempts = 0
        self.log.clear()

    @property
    def pending(self) -> int:
        """Deliveries scheduled (or being retried) that have not finished."""
        return sum(job.remaining for job in self._jobs.values())

    def stats(self) -> dict[str, int]:
        return {
            "delivered": self.delivered,
            "failed": self.failed,
            "pending": self.pending,
            "attempts": self.attempts,
        }

    @property
    def is_closed(self) -> bool:
        """No open HTTP client (never used, or closed by `aclose`)."""
        return self._client is None or self._client.is_closed

    @property
    def client(self) -> httpx.AsyncClient:
        """Created on first use (inside the running loop) and after a close, never per request."""
        if self._client is None or self._client.is_closed:
            timeout = httpx.Timeout(self._config.webhook_timeout_s, pool=None)
            limits = httpx.Limits(
                max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT
            )
            self._client = httpx.AsyncClient(timeout=timeout, limits=limits, trust_env=False)
        return self._client

    def spawn(self, run: JobRunner, posts: int = 0) -> asyncio.Task[None]:
        """Run `run(job)` in a tracked task that promises `posts` deliveries."""
        job = Job(posts)
        task = asyncio.get_running_loop().create_task(run(job))
        self._jobs[task] = job
        task.add_done_callback(self._forget)
        return task

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._jobs.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            self.failed += 1  # a bug in a payload builder must not vanish silently
            self.log.append({"error": repr(task.exception()), "time": time.time()})

    def send(self, payload: dict[str, Any]) -> asyncio.Task[None]:
        """Deliver one webhook in the background (with retries)."""

        async def run(job: Job) -> None:
            await self.deliver(payload, job)

        return self.spawn(run, posts=1)

    async def deliver(self, payload: dict[str, Any], job: Job | None = None) -> bool:
        """POST one webhook until it is acknowledged with 200 or the retry horizon passes."""
        try:
            url = self._config.webhook_url
            if url is None:
                return False
            return await self._post_with_retries(url, payload)
        finally:
            if job is not None:
                job.remaining = max(0, job.remaining - 1)

    async def _post_with_retries(self, url: str, payload: dict[str, Any]) -> bool:
        body = encode(payload)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, self._config.app_secret),
            "User-Agent": USER_AGENT,
        }
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._config.webhook_retry_horizon_s
        delay = max(self._config.webhook_retry_base_s, 0.001)
        attempts = 0
        while True:
            attempts += 1
            self.attempts += 1
            status: int | None = None
            if self._slots is None:
                self._slots = asyncio.Semaphore(MAX_IN_FLIGHT)
            try:
                async with self._slots:
                    response = await self.client.post(url, content=body, headers=headers)
                status = response.status_code
            except httpx.HTTPError:
                status = None
            if status == 200:
                self.delivered += 1
                self._log(url, payload, attempts, status, delivered=True)
                return True
            if loop.time() + delay > deadline:
                self.failed += 1
                self._log(url, payload, attempts, status, delivered=False)
                return False
            await asyncio.sleep(delay)
            delay *= 2

    def _log(
        self,
        url: str,
        payload: dict[str, Any],
        attempts: int,
        status: int | None,
        *,
        delivered: bool,
    ) -> None:
        self.log.append(
            {
                "url": url,
                "payload": payload,
                "attempts": attempts,
                "last_status": status,
                "delivered": delivered,
                "time": time.time(),
            }
        )

    async def drain(self, timeout: float) -> bool:  # noqa: ASYNC109 - a deadline, not I/O
        """Wait until every scheduled delivery has finished; False if `timeout` ran out first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._jobs:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await asyncio.wait(set(self._jobs), timeout=remaining)
        return True

    def cancel_all(self) -> None:
        """Cancel every pending delivery (reset): they belong to a state that no longer exists."""
        for task, job in list(self._jobs.items()):
            job.remaining = 0
            task.cancel()

    async def aclose(self) -> None:
        tasks = list(self._jobs)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self._slots = None  # bound to this loop; a restarted server may run on another
