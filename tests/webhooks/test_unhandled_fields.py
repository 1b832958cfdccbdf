"""A webhook field wagraph does not handle yet is kept, raw, as an event: never dropped."""

from __future__ import annotations

from typing import Any

import httpx

from models import InboxStatus, WebhookDelivery, WhatsAppAnalyticsEvent
from tests.conftest import WABA_ID
from tests.webhooks.test_whatsapp_webhook import post_webhook

FUTURE_VALUE = {"phone_number_id": "106540352242922", "event": "SOMETHING_NEW", "level": 3}


def future_field(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA_ID,
                "time": 1751247548,
                "changes": [{"field": "a_field_from_the_future", "value": value}],
            }
        ],
    }


async def test_an_unknown_field_is_kept_raw_as_an_event_once(client: httpx.AsyncClient) -> None:
    # when: delivered, then delivered again as a different copy of the same content
    first = await post_webhook(client, future_field(FUTURE_VALUE))
    await post_webhook(client, future_field(FUTURE_VALUE), indent=1)

    # then
    assert first.status_code == 200
    [event] = await WhatsAppAnalyticsEvent.filter(name="webhook.unhandled")
    assert event.source == "webhook"
    assert event.properties == {
        "wabaId": WABA_ID,
        "field": "a_field_from_the_future",
        "value": FUTURE_VALUE,
    }
    statuses = await WebhookDelivery.all().values_list("status", flat=True)
    assert statuses == [InboxStatus.PROCESSED, InboxStatus.PROCESSED]


async def test_the_same_field_with_other_content_is_another_event(
    client: httpx.AsyncClient,
) -> None:
    # when
    await post_webhook(client, future_field(FUTURE_VALUE))
    await post_webhook(client, future_field({**FUTURE_VALUE, "level": 4}))

    # then
    events = await WhatsAppAnalyticsEvent.filter(name="webhook.unhandled")
    assert sorted(e.properties["value"]["level"] for e in events) == [3, 4]
