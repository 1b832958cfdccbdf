"""The runner: claiming under a lease, executing actions in order, and the run log."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from models import AutomationRunStatus, WhatsAppAutomationRun, WhatsAppContact
from tests.conftest import CUSTOMER
from tests.whatsapp.automations.factories import (
    OTHER_CUSTOMER,
    contact_event,
    make_automation,
    one_run,
    runs_of,
)
from whatsapp.automations import definitions, runner
from whatsapp.kit.clock import utcnow
from whatsapp.runtime import Runtime

# -- running -----------------------------------------------------------------------------------


async def test_run_records_outcome_results_and_timing(rt: Runtime) -> None:
    automation = await make_automation()
    [run] = await one_run(automation)

    assert await runner.run_pending(rt) == 1

    await run.refresh_from_db()
    assert run.status == AutomationRunStatus.SUCCEEDED
    assert run.error is None
    [entry] = run.results
    assert (entry["type"], entry["ok"], entry["detail"]) == ("tag", True, {"contactTags": ["vip"]})
    assert entry["durationMs"] >= 0
    assert run.started_at is not None and run.finished_at is not None
    assert run.started_at <= run.finished_at
    assert run.duration_ms is not None and run.duration_ms >= 0
    assert run.locked_until is None
    contact = await WhatsAppContact.get(wa_id=CUSTOMER)
    assert contact.tags == ["vip"]


async def test_first_failing_action_stops_the_run(rt: Runtime) -> None:
    # given: the first action needs a session the event does not have
    automation = await make_automation(
        actions=[
            {"type": "tag", "add": ["a"], "target": "session"},
            {"type": "tag", "add": ["b"], "target": "contact"},
        ]
    )
    await one_run(automation)

    # when
    await runner.run_pending(rt)

    # then
    [run] = await runs_of(automation)
    assert run.status == AutomationRunStatus.FAILED
    assert run.error == "Action 1 (tag): Event order.paid has no session to tag"
    assert [(r["type"], r["ok"]) for r in run.results] == [("tag", False), ("tag", False)]
    assert run.results[0]["detail"] == {"error": "Event order.paid has no session to tag"}
    assert run.results[1]["detail"] == {"skipped": "an earlier action failed"}
    assert run.duration_ms is not None and run.finished_at is not None
    assert (await WhatsAppContact.get(wa_id=CUSTOMER)).tags == []


async def test_concurrent_runners_never_execute_a_run_twice(rt: Runtime) -> None:
    # given: six pending runs whose action is not idempotent in its detail (tags accumulate)
    automation = await make_automation(
        actions=[{"type": "tag", "add": ["seen"], "target": "contact"}]
    )
    for index in range(6):
        await contact_event(wa_id=f"1555000000{index}")

    # when
    counts = await asyncio.gather(*(runner.run_pending(rt) for _ in range(3)))

    # then
    assert sum(counts) == 6
    runs = await runs_of(automation)
    assert {r.status for r in runs} == {AutomationRunStatus.SUCCEEDED}
    assert await runner.run_pending(rt) == 0


async def test_a_run_whose_lease_expired_is_taken_over(rt: Runtime) -> None:
    automation = await make_automation()
    await contact_event()
    await contact_event(wa_id=OTHER_CUSTOMER)
    stale, live = await runs_of(automation)
    now = utcnow()
    await WhatsAppAutomationRun.filter(id=stale.id).update(
        status=AutomationRunStatus.RUNNING, locked_until=now - timedelta(seconds=1)
    )
    await WhatsAppAutomationRun.filter(id=live.id).update(
        status=AutomationRunStatus.RUNNING, locked_until=now + timedelta(minutes=1)
    )

    assert await runner.run_pending(rt) == 1

    await stale.refresh_from_db()
    await live.refresh_from_db()
    assert stale.status == AutomationRunStatus.SUCCEEDED
    assert live.status == AutomationRunStatus.RUNNING


async def test_runs_of_an_automation_disabled_meanwhile_are_skipped(rt: Runtime) -> None:
    automation = await make_automation()
    await one_run(automation)
    await definitions.set_automation_enabled(automation.id, enabled=False)

    await runner.run_pending(rt)

    [run] = await runs_of(automation)
    assert run.status == AutomationRunStatus.SKIPPED
    assert run.error == "The automation was disabled before this run started"
