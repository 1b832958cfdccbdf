"""The Marketing Messages API route (reference §11.4), end to end with the sandbox as Meta.

MARKETING templates go to `POST /{PNID}/marketing_messages` when the setting is on, everything
else to `/messages`; the route follows the stored template's category at send time, for
immediate and scheduled sends, so a completed `template_category_update` reroutes and an
impending one does not.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.server import create_app
from models import MessageStatus, WhatsAppAnalyticsEvent, WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import (
    CUSTOMER,
    GraphQL,
    make_settings,
    open_service_window,
    start_server,
    stop_server,
    wait_for,
)
from tests.resolvers.test_messages_query import count_queries
from tests.resolvers.test_messages_send import SEND
from tests.resolvers.test_messages_template_reaction_read import TEMPLATE
from tests.webhooks.test_template_category_updates import category_update
from tests.webhooks.test_whatsapp_webhook import post_webhook
from whatsapp.kit.clock import utcnow
from whatsapp.messages import scheduling
from whatsapp.runtime import Runtime

pytestmark = pytest.mark.usefixtures("customer")


def body_only(name: str, category: str) -> dict[str, Any]:
    return {
        "name": name,
        "language": "en_US",
        "category": category,
        "components": [
            {"type": "BODY", "text": "Hi {{1}}, see you soon.", "example": {"body_text": [["Ana"]]}}
        ],
    }


SPRING_SALE = body_only("spring_sale", "MARKETING")
WELCOME_OFFER = body_only("welcome_offer", "UTILITY")


def send_input(name: str, **extra: Any) -> dict[str, Any]:
    return {"to": CUSTOMER, "name": name, "language": "en_US", "body": [{"text": "Ana"}], **extra}


async def at_meta(sandbox_url: str, *definitions: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox") as http:
        for definition in definitions:
            (await http.post("/templates", json=definition)).raise_for_status()


def edges(sandbox: Sandbox) -> list[str]:
    """Where each send went, in order: `messages` or `marketing_messages`."""
    sends = [r.path.rsplit("/", 1)[1] for r in sandbox.requests if r.method == "POST"]
    return [edge for edge in sends if edge in ("messages", "marketing_messages")]


@pytest.fixture
def rt(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """The app's runtime with the Marketing Messages API on (a test may turn it off)."""
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    monkeypatch.setattr(runtime, "marketing_messages_api", True)
    return runtime


@pytest.fixture
async def templates(sandbox: Sandbox, sandbox_url: str) -> None:
    await at_meta(sandbox_url, SPRING_SALE, WELCOME_OFFER)


async def send(gql: GraphQL, name: str, **extra: Any) -> dict[str, Any]:
    result = await gql(TEMPLATE, {"input": send_input(name, **extra)})
    payload: dict[str, Any] = result["data"]["sendTemplate"]
    return payload


async def endpoint_of(message_id: str) -> Any:
    event = await WhatsAppAnalyticsEvent.get(message_id=message_id, name="template.sent")
    return event.properties.get("endpoint")


@pytest.mark.usefixtures("templates")
async def test_marketing_goes_to_marketing_messages_and_utility_to_messages(
    gql: GraphQL, sandbox: Sandbox, rt: Runtime
) -> None:
    # when
    promo = await send(gql, "spring_sale")
    receipt = await send(gql, "welcome_offer")

    # then
    assert (promo["errors"], receipt["errors"]) == ([], [])
    assert edges(sandbox) == ["marketing_messages", "messages"]
    marketing = next(r for r in sandbox.requests if r.path.endswith("/marketing_messages"))
    assert marketing.json["template"]["name"] == "spring_sale"  # the same body as /messages
    assert marketing.json["biz_opaque_callback_data"] == promo["message"]["id"]
    assert await endpoint_of(promo["message"]["id"]) == "marketing_messages"
    assert await endpoint_of(receipt["message"]["id"]) == "messages"


@pytest.mark.usefixtures("templates")
async def test_with_the_setting_off_marketing_goes_to_messages(
    gql: GraphQL, sandbox: Sandbox, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rt, "marketing_messages_api", False)

    promo = await send(gql, "spring_sale")

    assert promo["errors"] == []
    assert edges(sandbox) == ["messages"]
    assert await endpoint_of(promo["message"]["id"]) == "messages"


@pytest.mark.usefixtures("templates")
async def test_a_completed_category_update_reroutes_and_an_impending_one_does_not(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox, sandbox_url: str, rt: Runtime
) -> None:
    # given: welcome_offer is UTILITY, sent once (and so stored here)
    await send(gql, "welcome_offer")
    meta_id = sandbox.templates.get("welcome_offer", "en_US").data["id"]  # type: ignore[union-attr]

    # when: Meta announces it will become MARKETING
    impending = category_update(
        correct_category="MARKETING", new_category="UTILITY", category_update_timestamp=1
    )
    await post_webhook(client, with_template(impending, meta_id))
    await send(gql, "welcome_offer")

    # then: still /messages
    assert edges(sandbox) == ["messages", "messages"]

    # when: the change is completed at Meta
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox") as http:
        await http.patch("/templates/welcome_offer", json={"category": "MARKETING"})
    completed = category_update(previous_category="UTILITY", new_category="MARKETING")
    await post_webhook(client, with_template(completed, meta_id))
    rerouted = await send(gql, "welcome_offer")

    # then
    assert rerouted["errors"] == []
    assert edges(sandbox) == ["messages", "messages", "marketing_messages"]


def with_template(update: dict[str, Any], meta_id: str) -> dict[str, Any]:
    value = update["entry"][0]["changes"][0]["value"]
    value.update(message_template_id=int(meta_id), message_template_name="welcome_offer")
    return update


@pytest.mark.usefixtures("templates")
async def test_scheduled_sends_are_routed_when_sent_with_one_query_per_batch(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox, sandbox_url: str, rt: Runtime
) -> None:
    # given: scheduled while welcome_offer was UTILITY, then recategorised before they are due
    due = utcnow() + timedelta(minutes=5)
    for name in ("spring_sale", "welcome_offer", "spring_sale", "welcome_offer"):
        scheduled = await send(gql, name, scheduleFor=due.isoformat())
        assert scheduled["errors"] == []
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox") as http:
        await http.patch("/templates/welcome_offer", json={"category": "MARKETING"})
    meta_id = sandbox.templates.get("welcome_offer", "en_US").data["id"]  # type: ignore[union-attr]
    completed = category_update(previous_category="UTILITY", new_category="MARKETING")
    await post_webhook(client, with_template(completed, meta_id))

    # when
    with count_queries() as queries:
        flushed = await scheduling.process_scheduled_messages(rt, now=due)

    # then: all four through the Marketing Messages API, routed with one look-up
    assert flushed.sent == 4
    assert edges(sandbox) == ["marketing_messages"] * 4
    assert len([q for q in queries if "whatsapp_template" in q]) == 1
    sent = await WhatsAppAnalyticsEvent.filter(name="template.sent").values_list(
        "properties", flat=True
    )
    assert {p["endpoint"] for p in sent} == {"marketing_messages"}  # type: ignore[index]


async def test_free_form_sends_take_no_extra_query(
    gql: GraphQL, sandbox: Sandbox, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = {"input": {"to": CUSTOMER, "content": {"text": {"body": "hi"}}}}
    await gql(SEND, text)  # warm: the key's last use, the contact

    with count_queries() as on:
        await gql(SEND, text)
    monkeypatch.setattr(rt, "marketing_messages_api", False)
    with count_queries() as off:
        await gql(SEND, text)

    assert len(on) == len(off)
    assert edges(sandbox) == ["messages"] * 3


@pytest.mark.usefixtures("templates")
async def test_131063_explains_what_it_means_and_what_to_do(
    gql: GraphQL, sandbox: Sandbox, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: Meta disabled marketing templates on /messages, and the setting is off
    monkeypatch.setattr(rt, "marketing_messages_api", False)
    sandbox.config.update({"cloud_api_marketing_disabled": True})
    try:
        # when
        refused = await send(gql, "spring_sale")
    finally:
        sandbox.config.update({"cloud_api_marketing_disabled": False})

    # then
    [error] = refused["errors"]
    assert (error["code"], error["cloudApiCode"]) == ("CLOUD_API_ERROR", 131063)
    assert "Marketing Messages API" in error["message"]
    assert "WAGRAPH_MARKETING_MESSAGES_API=true" in error["message"]
    assert refused["message"]["status"] == "FAILED"
    failed = await WhatsAppAnalyticsEvent.get(name="template.failed")
    assert failed.properties["endpoint"] == "messages"


# -- pricing, reported by Meta's status webhooks -----------------------------------------------


@pytest.fixture
async def live(db: str, sandbox: Sandbox, sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """wagraph on a real socket with the Marketing Messages API on, the sandbox's webhooks
    pointed at it."""
    settings = make_settings(
        db, sandbox_url, background_interval_s=0.1, marketing_messages_api=True
    )
    server, task, url = await start_server(create_app(settings))
    async with httpx.AsyncClient(base_url=url) as client:
        await client.put(
            f"{sandbox_url}/_sandbox/config", json={"webhook_url": f"{url}/webhooks/whatsapp"}
        )
        try:
            yield client
        finally:
            await client.put(f"{sandbox_url}/_sandbox/config", json={"webhook_url": None})
            await sandbox.drain(5)
            await stop_server(server, task)


@pytest.mark.usefixtures("templates")
async def test_marketing_lite_pricing_arrives_on_the_status(
    live: httpx.AsyncClient, write_key: str, sandbox: Sandbox
) -> None:
    await open_service_window(CUSTOMER)

    result = await GraphQL(live, write_key)(TEMPLATE, {"input": send_input("spring_sale")})
    message_id = result["data"]["sendTemplate"]["message"]["id"]

    async def priced() -> WhatsAppMessage | None:
        row = await WhatsAppMessage.get(id=message_id)
        return row if row.pricing and row.status != MessageStatus.SENDING else None

    row = await wait_for(priced, timeout=10)
    assert edges(sandbox) == ["marketing_messages"]
    assert row.pricing is not None and row.pricing["category"] == "marketing_lite"
