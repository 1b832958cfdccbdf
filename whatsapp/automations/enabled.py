"""The enabled automations, as matching reads them for every recorded event: cached per process.

Every event a send, a status or an inbound message records is matched against the enabled
automations; reading them from the table each time was a statement per event (two per send:
its `message.sent` event and its audit event). The cache holds them for `ttl_s` (1 s by
default, `WAGRAPH_AUTOMATION_CACHE_TTL`), so a change made in another process — disabling an
automation in the dashboard served by another server — reaches this one within that time;
a change saved in this process (through `whatsapp.automations.definitions` or any ORM save or
delete of an automation, which fire Tortoise's signals) is seen at once. A `0` TTL reads the
table for every event, as before.

The rows are configuration, read outside the event's transaction: the per-contact cooldown
still locks the automation's row inside it (`matching`), and re-checks that it is enabled.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.signals import post_delete, post_save

from models import WhatsAppAutomation

DEFAULT_TTL_S = 1.0


class EnabledAutomations:
    def __init__(self, ttl_s: float = DEFAULT_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._rows: list[WhatsAppAutomation] = []
        self._read_at = float("-inf")
        self._generation = 0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """Forget what was read: the next event reads the table (a change was saved here)."""
        self._generation += 1
        self._read_at = float("-inf")

    async def rows(self, conn: BaseDBAsyncClient) -> list[WhatsAppAutomation]:
        """The enabled automations, at most `ttl_s` old (read on `conn` when stale)."""
        if time.monotonic() - self._read_at < self.ttl_s:
            return self._rows
        async with self._lock:  # a burst of events after expiry reads the table once
            if time.monotonic() - self._read_at < self.ttl_s:
                return self._rows
            generation = self._generation
            rows = await WhatsAppAutomation.filter(enabled=True).using_db(conn)
            if generation == self._generation:  # not changed here while we read
                self._rows, self._read_at = rows, time.monotonic()
            return rows


ENABLED = EnabledAutomations()
"""The process's cache; `app.runtime` sets its TTL from the settings."""


@post_save(WhatsAppAutomation)
async def _saved(sender: Any, instance: WhatsAppAutomation, *args: Any) -> None:
    ENABLED.invalidate()


@post_delete(WhatsAppAutomation)
async def _deleted(sender: Any, instance: WhatsAppAutomation, *args: Any) -> None:
    ENABLED.invalidate()
