"""`template_category_update`, both of Meta's shapes, posted as Meta posts them.

Completed (`previous_category`, `new_category`): the stored category changes, once. Impending
(`correct_category`, `new_category` = the current one, `category_update_timestamp`): nothing
changes yet; one `template.category_impending` event records it, however often it arrives.
"""

from __future__ import annotations

from typing import Any

import httpx

from models import WhatsAppAnalyticsEvent, WhatsAppTemplate
from tests.conftest import WABA_ID
from tests.webhooks.test_whatsapp_webhook import post_webhook

META_ID = 1689556908129835


def category_update(**value: Any) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA_ID,
                "time": 1751247548,
                "changes": [
                    {
                        "field": "template_category_update",
                        "value": {
                            "message_template_id": META_ID,
                            "message_template_name": "welcome_offer",
                            "message_template_language": "en_US",
                            **value,
                        },
                    }
                ],
            }
        ],
    }


COMPLETED = category_update(previous_category="UTILITY", new_category="MARKETING")
IMPENDING = category_update(
    correct_category="MARKETING", new_category="UTILITY", category_update_timestamp=1767225600
)


async def stored_template() -> WhatsAppTemplate:
    return await WhatsAppTemplate.create(
        waba_id=WABA_ID,
        meta_id=str(META_ID),
        name="welcome_offer",
        language="en_US",
        status="APPROVED",
        category="UTILITY",
    )


async def events(name: str) -> list[WhatsAppAnalyticsEvent]:
    return await WhatsAppAnalyticsEvent.filter(name=name).order_by("created_at")


async def test_a_completed_category_change_updates_the_stored_template_once(
    client: httpx.AsyncClient,
) -> None:
    # given
    template = await stored_template()

    # when: delivered, then delivered again as a different copy
    await post_webhook(client, COMPLETED)
    await post_webhook(client, COMPLETED, indent=1)

    # then
    await template.refresh_from_db()
    assert template.category == "MARKETING"
    [event] = await events("template.updated")
    assert event.properties == {
        "wabaId": WABA_ID,
        "name": "welcome_offer",
        "language": "en_US",
        "templateId": str(META_ID),
        "category": "MARKETING",
        "previousCategory": "UTILITY",
    }
    assert await events("template.category_impending") == []


async def test_an_impending_category_change_is_recorded_once_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    # given
    template = await stored_template()

    # when
    await post_webhook(client, IMPENDING)
    await post_webhook(client, IMPENDING, indent=1)

    # then
    await template.refresh_from_db()
    assert template.category == "UTILITY"
    [event] = await events("template.category_impending")
    assert (event.source, event.properties) == (
        "webhook",
        {
            "wabaId": WABA_ID,
            "name": "welcome_offer",
            "language": "en_US",
            "templateId": str(META_ID),
            "category": "UTILITY",
            "correctCategory": "MARKETING",
            "categoryUpdateAt": "2026-01-01T00:00:00+00:00",
        },
    )
    assert await events("template.updated") == []


async def test_a_later_impending_notice_is_a_new_event(client: httpx.AsyncClient) -> None:
    await stored_template()
    later = category_update(
        correct_category="MARKETING", new_category="UTILITY", category_update_timestamp=1769904000
    )

    await post_webhook(client, IMPENDING)
    await post_webhook(client, later)

    assert len(await events("template.category_impending")) == 2
