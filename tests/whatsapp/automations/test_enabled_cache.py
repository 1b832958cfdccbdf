"""The enabled automations are read once a second, not per event, and a change reaches every
process: saved here, at once; saved in another process, within the cache's TTL."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.whatsapp.automations.factories import contact_event, make_automation, runs_of
from whatsapp.automations import definitions
from whatsapp.automations.enabled import ENABLED

ROOT = Path(__file__).resolve().parents[3]

# Another process: opens the same database and disables the automation, as a second server
# answering `setAutomationEnabled` would.
DISABLE = """
import asyncio, sys
from app.db import close_db, init_db
from whatsapp.automations import definitions

async def main(db, automation_id):
    await init_db(db)
    try:
        await definitions.set_automation_enabled(automation_id, enabled=False)
    finally:
        await close_db()

asyncio.run(main(*sys.argv[1:]))
"""


def automation_reads(caplog: pytest.LogCaptureFixture) -> int:
    return sum(
        'FROM "whatsapp_automation"' in r.getMessage()
        for r in caplog.records
        if r.name.startswith("tortoise.db_client")
    )


async def test_events_in_a_burst_read_the_automations_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    automation = await make_automation(trigger="order.paid")
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        for _ in range(10):
            await contact_event("order.paid")
    assert len(await runs_of(automation)) == 10
    assert automation_reads(caplog) == 1


async def test_a_change_saved_here_is_matched_at_once() -> None:
    automation = await make_automation(trigger="order.paid")
    await contact_event("order.paid")  # fills the cache
    await definitions.set_automation_enabled(automation.id, enabled=False)

    await contact_event("order.paid")

    assert len(await runs_of(automation)) == 1


async def test_a_disabled_automation_stops_in_every_process_within_the_ttl(db: str) -> None:
    # given: this process matches the automation (and has it cached)
    automation = await make_automation(trigger="order.paid")
    await contact_event("order.paid")
    assert len(await runs_of(automation)) == 1

    # when: another process disables it
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", DISABLE, db, str(automation.id), cwd=ROOT
    )
    assert await process.wait() == 0
    disabled_at = asyncio.get_running_loop().time()

    # then: within the TTL (and a margin), events here no longer trigger it
    async def stopped() -> bool:
        before = len(await runs_of(automation))
        await contact_event("order.paid")
        return len(await runs_of(automation)) == before

    await wait_for(stopped, timeout=ENABLED.ttl_s + 1.0)
    assert asyncio.get_running_loop().time() - disabled_at <= ENABLED.ttl_s + 1.0
