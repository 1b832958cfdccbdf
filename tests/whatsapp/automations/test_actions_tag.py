"""The `tag` action firing from a real event: the contact's and the session's tags."""

from __future__ import annotations

import asyncio

from models import AutomationRunStatus, WhatsAppContact, WhatsAppSession
from tests.conftest import CUSTOMER
from tests.whatsapp.automations.factories import make_automation, run_once
from whatsapp.conversations import tags
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.events.log import emit_event
from whatsapp.runtime import Runtime


async def test_tag_action_tags_contact_and_session(rt: Runtime) -> None:
    # given
    contact = await get_or_create_contact(CUSTOMER)
    contact.tags = ["lead", "new"]
    await contact.save()
    session = await WhatsAppSession.create(contact=contact, tags=["new"])
    await make_automation(
        trigger="flow.completed", actions=[{"type": "tag", "add": ["customer"], "remove": ["new"]}]
    )
    await emit_event("flow.completed", source="flows", contact_id=contact.id, session_id=session.id)

    # when
    run = await run_once(rt)

    # then
    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    assert run.results[0]["detail"] == {
        "contactTags": ["customer", "lead"],
        "sessionTags": ["customer"],
    }
    await contact.refresh_from_db()
    await session.refresh_from_db()
    assert contact.tags == ["customer", "lead"]
    assert session.tags == ["customer"]


async def test_tag_action_can_target_the_session_only(rt: Runtime) -> None:
    contact = await get_or_create_contact(CUSTOMER)
    session = await WhatsAppSession.create(contact=contact)
    await make_automation(
        trigger="flow.completed",
        actions=[{"type": "tag", "add": ["done"], "target": "session"}],
    )
    await emit_event("flow.completed", source="flows", contact_id=contact.id, session_id=session.id)

    run = await run_once(rt)

    assert run.results[0]["detail"] == {"sessionTags": ["done"]}
    await contact.refresh_from_db()
    assert contact.tags == []


async def test_concurrent_tag_changes_lose_nothing() -> None:
    contact = await get_or_create_contact(CUSTOMER)

    await asyncio.gather(*(tags.tag_contact(contact.id, add=[f"t{i}"]) for i in range(8)))

    contact = await WhatsAppContact.get(wa_id=CUSTOMER)
    assert contact.tags == [f"t{i}" for i in range(8)]
