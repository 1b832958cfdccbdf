"""Which edge a template send goes to: MARKETING templates to marketing_messages when it is on."""

from __future__ import annotations

import uuid

import httpx
import pytest

from models import MessageDirection, MessageStatus, MessageType, WhatsAppMessage, WhatsAppTemplate
from tests.conftest import CUSTOMER, PHONE_NUMBER_ID, WABA_ID
from tests.resolvers.test_messages_query import count_queries
from whatsapp.cloud.client import MARKETING_MESSAGES, MESSAGES
from whatsapp.runtime import Runtime
from whatsapp.templates.routing import edge_for, marketing_message_ids


@pytest.fixture
def rt(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    monkeypatch.setattr(runtime, "marketing_messages_api", True)
    return runtime


async def template(name: str, category: str | None) -> WhatsAppTemplate:
    return await WhatsAppTemplate.create(
        waba_id=WABA_ID, name=name, language="en_US", status="APPROVED", category=category
    )


def message(
    template: WhatsAppTemplate | None, type_: MessageType = MessageType.TEMPLATE
) -> WhatsAppMessage:
    return WhatsAppMessage(
        id=uuid.uuid4(),
        direction=MessageDirection.OUTBOUND,
        type=type_,
        status=MessageStatus.SENDING,
        phone_number_id=PHONE_NUMBER_ID,
        customer_wa_id=CUSTOMER,
        template_id=template.id if template else None,
    )


async def test_only_marketing_templates_take_the_marketing_edge(rt: Runtime) -> None:
    promo, receipt = await template("promo", "MARKETING"), await template("receipt", "UTILITY")

    assert edge_for(rt, promo) == MARKETING_MESSAGES
    assert edge_for(rt, receipt) == MESSAGES
    assert edge_for(rt, await template("unknown", None)) == MESSAGES
    assert edge_for(rt, None) == MESSAGES  # a template that is not stored here


async def test_with_the_setting_off_everything_takes_messages(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    promo = await template("promo", "MARKETING")
    monkeypatch.setattr(rt, "marketing_messages_api", False)

    with count_queries() as queries:
        marketing = await marketing_message_ids(rt, [message(promo)])

    assert edge_for(rt, promo) == MESSAGES
    assert marketing == set()
    assert queries == []


async def test_a_batch_is_routed_with_one_query(rt: Runtime) -> None:
    promo, receipt = await template("promo", "MARKETING"), await template("receipt", "UTILITY")
    promos = [message(promo) for _ in range(5)]
    batch = [*promos, message(receipt), message(None), message(None, MessageType.TEXT)]

    with count_queries() as queries:
        marketing = await marketing_message_ids(rt, batch)

    assert marketing == {m.id for m in promos}
    assert len(queries) == 1


async def test_a_batch_without_stored_templates_needs_no_query(rt: Runtime) -> None:
    batch = [message(None), message(None, MessageType.TEXT)]

    with count_queries() as queries:
        assert await marketing_message_ids(rt, batch) == set()

    assert queries == []
