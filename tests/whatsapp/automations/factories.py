"""Automations and events for tests: definitions with sensible defaults, events for a contact.

Actions here default to `tag` (no network); tests about sending say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models import WhatsAppAnalyticsEvent, WhatsAppAutomation, WhatsAppAutomationRun
from tests.conftest import CUSTOMER
from whatsapp.automations import definitions, runner
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.events.log import emit_event
from whatsapp.runtime import Runtime

TAG_VIP = {"type": "tag", "add": ["vip"], "target": "contact"}
OTHER_CUSTOMER = "15557654321"


async def make_automation(**overrides: Any) -> WhatsAppAutomation:
    values: dict[str, Any] = {
        "name": "VIP on order",
        "trigger": "order.paid",
        "actions": [TAG_VIP],
        "cooldown_seconds": 0,
        **overrides,
    }
    return await definitions.create_automation(**values)


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


async def shipped_event(properties: dict[str, Any] | None = None) -> WhatsAppAnalyticsEvent:
    """`order.shipped` from a shop, for a contact with a profile name (placeholders to fill)."""
    contact = await get_or_create_contact(CUSTOMER, profile_name="Ana")
    return await emit_event(
        "order.shipped",
        source="shop",
        properties=properties
        if properties is not None
        else {"order": {"id": 42, "number": "#42"}, "eta": "March 3"},
        contact_id=contact.id,
    )


async def runs_of(automation: WhatsAppAutomation) -> list[WhatsAppAutomationRun]:
    return await WhatsAppAutomationRun.filter(automation_id=automation.id).order_by("created_at")


async def one_run(automation: WhatsAppAutomation) -> list[WhatsAppAutomationRun]:
    """The automation's trigger fired once for the customer: its one run."""
    await contact_event(automation.trigger)
    return await runs_of(automation)


async def run_once(rt: Runtime) -> WhatsAppAutomationRun:
    """Execute the one pending run there is, and return it as recorded."""
    assert await runner.run_pending(rt) == 1
    [run] = await WhatsAppAutomationRun.all()
    return run
