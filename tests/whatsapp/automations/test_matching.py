"""Matching: which automations an event triggers, the per-contact cooldown, loop safety, and
that runs commit with their event."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from models import AutomationRunStatus, WhatsAppAnalyticsEvent, WhatsAppAutomationRun
from sandbox import Sandbox
from tests.conftest import CUSTOMER
from tests.resolvers.test_messages_send import graph_requests
from tests.whatsapp.automations.factories import (
    OTHER_CUSTOMER,
    contact_event,
    make_automation,
    one_run,
    runs_of,
)
from whatsapp.automations import runner
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.events.log import emit_event, emit_events
from whatsapp.kit.clock import utcnow
from whatsapp.messages import sending as messaging
from whatsapp.runtime import Runtime

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
    [run] = await one_run(automation)

    await contact_event(caused_by_automation_run_id=run.id)

    assert len(await runs_of(automation)) == 1


async def test_the_loop_guard_holds_for_any_caller_of_enqueue_matching() -> None:
    # given: the event log hands automation-caused events to every subscriber (the live
    # publisher needs them), so the guard lives with the automations
    from whatsapp.automations.matching import enqueue_matching

    automation = await make_automation()
    [run] = await one_run(automation)
    caused = await contact_event(caused_by_automation_run_id=run.id)

    # when: matched directly, as a caller other than the log's hook would
    async with in_transaction() as conn:
        queued = await enqueue_matching(caused, using_db=conn)

    # then
    assert queued == []
    assert len(await runs_of(automation)) == 1


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
    [first] = await one_run(automation)
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
    await runner.run_pending(rt)

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
    executed = await runner.run_pending(rt)
    again = await runner.run_pending(rt)

    # then: one run, whose send's event names it and triggered nothing
    assert (executed, again) == (1, 0)
    [run] = await runs_of(automation)
    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    events = await WhatsAppAnalyticsEvent.filter(name="template.sent").order_by("created_at")
    assert [e.caused_by_automation_run_id for e in events] == [None, run.id]
    assert events[0].message_id == first.message.id
    assert len(graph_requests(sandbox)) == 2


# -- batches -----------------------------------------------------------------------------------


async def test_a_batch_of_events_queues_runs_for_those_that_match() -> None:
    # given: a batch as the scheduler records it, one event of which an automation caused
    automation = await make_automation(trigger="message.sent")
    [caused_by] = await one_run(await make_automation(name="other", trigger="order.paid"))
    contact = await get_or_create_contact(CUSTOMER)
    batch = [
        WhatsAppAnalyticsEvent(name=name, source="test", contact_id=contact.id, **extra)
        for name, extra in [
            ("message.sent", {}),
            ("message.failed", {}),
            ("message.sent", {"caused_by_automation_run_id": caused_by.id}),
        ]
    ]

    # when
    async with in_transaction() as conn:
        await emit_events(batch, using_db=conn)

    # then
    [run] = await runs_of(automation)
    assert run.event_id == batch[0].id
