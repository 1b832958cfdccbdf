"""The automation engine: matching, cooldown, loop safety, claiming and the run log.

Actions here are `tag` (no network) unless the test is about sending; the actions themselves
are exercised end to end in test_automations_actions.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise.transactions import in_transaction

from models import (
    AutomationRunStatus,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomation,
    WhatsAppAutomationRun,
    WhatsAppContact,
)
from sandbox import Sandbox
from tests.conftest import CUSTOMER, wait_for
from tests.resolvers.test_send_message import graph_requests
from whatsapp.automations import engine as automations
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.events.log import emit_event
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.messages import sending as messaging
from whatsapp.runtime import Runtime

TAG_VIP = {"type": "tag", "add": ["vip"], "target": "contact"}
OTHER_CUSTOMER = "15557654321"


@pytest.fixture
def rt(client: httpx.AsyncClient) -> Runtime:
    return client.app.state.runtime  # type: ignore[attr-defined, no-any-return]


async def make_automation(**overrides: Any) -> WhatsAppAutomation:
    values: dict[str, Any] = {
        "name": "VIP on order",
        "trigger": "order.paid",
        "actions": [TAG_VIP],
        "cooldown_seconds": 0,
        **overrides,
    }
    return await automations.create_automation(**values)


async def contact_event(
    name: str = "order.paid",
    properties: Mapping[str, Any] | None = None,
    *,
    wa_id: str = CUSTOMER,
    **extra: Any,
) -> WhatsAppAnalyticsEvent:
    contact = await get_or_create_contact(wa_id)
    return await emit_event(
        name, source="test", properties=properties, contact_id=contact.id, **extra
    )


async def runs_of(automation: WhatsAppAutomation) -> list[WhatsAppAutomationRun]:
    return await WhatsAppAutomationRun.filter(automation_id=automation.id).order_by("created_at")


# -- matching ----------------------------------------------------------------------------------


async def test_exact_and_pattern_triggers_queue_a_pending_run() -> None:
    # given
    exact = await make_automation(name="exact", trigger="order.paid")
    pattern = await make_automation(name="pattern", trigger="order.*")
    other = await make_automation(name="other", trigger="flow.*")

    # when
    event = await contact_event("order.paid")

    # then
    for automation in (exact, pattern):
        [run] = await runs_of(automation)
        assert run.status == AutomationRunStatus.PENDING
        assert run.event_id == event.id
        assert run.event_name == "order.paid"
        assert run.contact_id == event.contact_id
    assert await runs_of(other) == []


async def test_disabled_automations_do_not_match() -> None:
    automation = await make_automation(enabled=False)

    await contact_event()

    assert await runs_of(automation) == []


async def test_conditions_filter_events() -> None:
    automation = await make_automation(
        conditions=[
            {"path": "metadata.orderId", "op": "exists"},
            {"path": "total", "op": "gte", "value": 100},
        ]
    )

    await contact_event(properties={"metadata": {"orderId": 7}, "total": 99})
    await contact_event(properties={"total": 500})
    matching = await contact_event(properties={"metadata": {"orderId": 8}, "total": 100})

    [run] = await runs_of(automation)
    assert run.event_id == matching.id


async def test_event_and_runs_commit_together_or_not_at_all() -> None:
    automation = await make_automation()
    contact = await get_or_create_contact(CUSTOMER)

    async def emit_then_fail() -> None:
        async with in_transaction() as conn:
            await emit_event("order.paid", source="test", contact_id=contact.id, using_db=conn)
            raise RuntimeError("the state change failed")

    with pytest.raises(RuntimeError):
        await emit_then_fail()

    assert await WhatsAppAnalyticsEvent.filter(name="order.paid").count() == 0
    assert await runs_of(automation) == []


async def test_events_caused_by_a_run_trigger_nothing() -> None:
    automation = await make_automation()
    [run] = await _one_run(automation)

    await contact_event(caused_by_automation_run_id=run.id)

    assert len(await runs_of(automation)) == 1


async def _one_run(automation: WhatsAppAutomation) -> list[WhatsAppAutomationRun]:
    await contact_event(automation.trigger)
    return await runs_of(automation)


# -- cooldown ----------------------------------------------------------------------------------


async def test_cooldown_skips_a_burst_for_one_contact_and_records_why() -> None:
    automation = await make_automation(cooldown_seconds=60)

    for _ in range(3):
        await contact_event()
    await contact_event(wa_id=OTHER_CUSTOMER)

    runs = await runs_of(automation)
    assert [r.status for r in runs] == [
        AutomationRunStatus.PENDING,
        AutomationRunStatus.SKIPPED,
        AutomationRunStatus.SKIPPED,
        AutomationRunStatus.PENDING,  # another contact has its own cooldown
    ]
    skipped = runs[1]
    assert skipped.error is not None
    assert skipped.error.startswith(f"Cooldown: run {runs[0].id} fired for this contact")
    assert skipped.finished_at is not None and skipped.duration_ms == 0


async def test_concurrent_burst_yields_exactly_one_run() -> None:
    # given: the automation row is locked while the cooldown is checked (PostgreSQL)
    automation = await make_automation(cooldown_seconds=60)
    contact = await get_or_create_contact(CUSTOMER)

    # when: a burst of events for one contact, concurrently, each in its own transaction
    await asyncio.gather(
        *(emit_event("order.paid", source="test", contact_id=contact.id) for _ in range(10))
    )

    # then
    statuses = sorted(r.status.value for r in await runs_of(automation))
    assert statuses == ["PENDING"] + ["SKIPPED"] * 9


async def test_cooldown_expires() -> None:
    automation = await make_automation(cooldown_seconds=60)
    [first] = await _one_run(automation)
    await WhatsAppAutomationRun.filter(id=first.id).update(
        created_at=utcnow() - timedelta(seconds=61)
    )

    await contact_event()

    assert [r.status for r in await runs_of(automation)] == [AutomationRunStatus.PENDING] * 2


async def test_failed_runs_count_towards_the_cooldown(rt: Runtime) -> None:
    automation = await make_automation(
        cooldown_seconds=60, actions=[{"type": "tag", "add": ["x"], "target": "session"}]
    )
    await contact_event()
    await automations.run_pending(rt)

    await contact_event()

    assert [r.status for r in await runs_of(automation)] == [
        AutomationRunStatus.FAILED,
        AutomationRunStatus.SKIPPED,
    ]


async def test_events_without_a_contact_have_no_cooldown() -> None:
    automation = await make_automation(cooldown_seconds=60, trigger="template.updated")

    for _ in range(2):
        await emit_event("template.updated", source="webhook")

    assert [r.status for r in await runs_of(automation)] == [AutomationRunStatus.PENDING] * 2


# -- loop safety -------------------------------------------------------------------------------


async def test_an_automation_reacting_to_its_own_sends_runs_once(
    rt: Runtime, sandbox: Sandbox
) -> None:
    # given: on every template.sent, send a template — with no cooldown to hide a loop
    automation = await make_automation(
        trigger="template.sent",
        actions=[{"type": "template", "name": "hello_world", "language": "en_US"}],
        cooldown_seconds=0,
    )
    first = await messaging.send_template(rt, to=CUSTOMER, name="hello_world", language="en_US")

    # when
    executed = await automations.run_pending(rt)
    again = await automations.run_pending(rt)

    # then: one run, whose send's event names it and triggered nothing
    assert (executed, again) == (1, 0)
    [run] = await runs_of(automation)
    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    events = await WhatsAppAnalyticsEvent.filter(name="template.sent").order_by("created_at")
    assert [e.caused_by_automation_run_id for e in events] == [None, run.id]
    assert events[0].message_id == first.message.id
    assert len(graph_requests(sandbox)) == 2


# -- running -----------------------------------------------------------------------------------


async def test_run_records_outcome_results_and_timing(rt: Runtime) -> None:
    automation = await make_automation()
    [run] = await _one_run(automation)

    assert await automations.run_pending(rt) == 1

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
    await _one_run(automation)

    # when
    await automations.run_pending(rt)

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
    counts = await asyncio.gather(*(automations.run_pending(rt) for _ in range(3)))

    # then
    assert sum(counts) == 6
    runs = await runs_of(automation)
    assert {r.status for r in runs} == {AutomationRunStatus.SUCCEEDED}
    assert await automations.run_pending(rt) == 0


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

    assert await automations.run_pending(rt) == 1

    await stale.refresh_from_db()
    await live.refresh_from_db()
    assert stale.status == AutomationRunStatus.SUCCEEDED
    assert live.status == AutomationRunStatus.RUNNING


async def test_runs_of_an_automation_disabled_meanwhile_are_skipped(rt: Runtime) -> None:
    automation = await make_automation()
    await _one_run(automation)
    await automations.set_automation_enabled(automation.id, enabled=False)

    await automations.run_pending(rt)

    [run] = await runs_of(automation)
    assert run.status == AutomationRunStatus.SKIPPED
    assert run.error == "The automation was disabled before this run started"


async def test_the_loop_runs_new_events_until_stopped(rt: Runtime) -> None:
    automation = await make_automation()
    stop = asyncio.Event()
    loop = asyncio.create_task(automations.run_automation_loop(rt, stop, interval_s=0.02))
    try:
        await contact_event()

        async def done() -> bool:
            runs = await runs_of(automation)
            return bool(runs) and runs[0].status == AutomationRunStatus.SUCCEEDED

        await wait_for(done)
    finally:
        stop.set()
        await asyncio.wait_for(loop, timeout=5)
    assert loop.done() and loop.exception() is None


# -- definitions -------------------------------------------------------------------------------


async def test_invalid_definition_writes_nothing_and_reports_every_problem() -> None:
    with pytest.raises(WagraphError) as caught:
        await automations.create_automation(
            name=" ",
            trigger="order paid",
            conditions=[{"path": "x", "op": "eq"}],
            actions=[TAG_VIP, {"type": "webhook", "url": "ftp://example.com"}, {"type": "sms"}],
            cooldown_seconds=-1,
        )

    assert [(p.code, p.field) for p in caught.value.problems] == [
        (ErrorCode.INVALID_INPUT, ("name",)),
        (ErrorCode.INVALID_INPUT, ("trigger",)),
        (ErrorCode.INVALID_INPUT, ("conditions", "0", "value")),
        (ErrorCode.INVALID_INPUT, ("actions", "1", "url")),
        (ErrorCode.INVALID_INPUT, ("actions", "2", "type")),
        (ErrorCode.INVALID_INPUT, ("cooldownSeconds",)),
    ]
    assert await WhatsAppAutomation.all().count() == 0


async def test_secrets_are_masked_and_a_masked_secret_is_kept_on_update() -> None:
    hook = {"type": "webhook", "url": "https://example.com/hook", "secret": "s3cret"}
    automation = await make_automation(actions=[hook])

    assert automations.public_actions(automation)[0]["secret"] == "********"
    shown = automations.public_actions(automation)
    updated = await automations.update_automation(
        automation.id, actions=[{**shown[0], "maxAttempts": 2}]
    )

    assert updated.actions == [{**hook, "maxAttempts": 2}]
    with pytest.raises(WagraphError) as caught:
        await automations.update_automation(automation.id, actions=[TAG_VIP, {**shown[0]}])
    assert caught.value.problems[0].field == ("actions", "1", "secret")
