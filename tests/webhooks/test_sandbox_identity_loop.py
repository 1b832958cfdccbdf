"""Identity and consent with the sandbox as Meta on both sides: its simulated customers write,
press Stop, change number, and its signed webhooks (messages, statuses, user_preferences) come
back to wagraph on a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from app.server import create_app
from models import ConsentState, MessageStatus, WhatsAppContact, WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import GraphQL, make_settings, start_server, stop_server, wait_for
from tests.resolvers.test_messages_send import SEND, graph_requests
from tests.whatsapp.messages.test_marketing_route import at_meta, body_only
from whatsapp.conversations.contacts import find_contact
from whatsapp.kit.clock import utcnow
from whatsapp.messages import scheduling

PABLO = "US.18402957316640219381"  # the sandbox's username-only customer
MARTA = "15550102002"  # pressed Stop on marketing at Meta (the sandbox says 131050 later)
LEO = "15550103003"  # held back by Meta's per-user marketing limit (131049 later)

TEMPLATE = """
mutation T($input: SendTemplateInput!) {
  sendTemplate(input: $input) { message { id status } errors { code cloudApiCode } }
}"""


@dataclass
class Live:
    app: Starlette
    client: httpx.AsyncClient
    sandbox: httpx.AsyncClient


@pytest.fixture
async def live(db: str, sandbox: Sandbox, sandbox_url: str) -> AsyncIterator[Live]:
    """wagraph on a real socket, with the sandbox's webhooks pointed at it."""
    app = create_app(make_settings(db, sandbox_url, background_interval_s=0.05))
    server, task, url = await start_server(app)
    async with (
        httpx.AsyncClient(base_url=url) as client,
        httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox") as control,
    ):
        await control.put("/config", json={"webhook_url": f"{url}/webhooks/whatsapp"})
        await at_meta(sandbox_url, body_only("spring_sale", "MARKETING"))
        try:
            yield Live(app, client, control)
        finally:
            await control.put("/config", json={"webhook_url": None})
            await sandbox.drain(5)
            await stop_server(server, task)


async def act(live: Live, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await live.sandbox.post(path, json=body)
    assert response.status_code < 300, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def stored(wamid: str) -> WhatsAppMessage:
    async def found() -> WhatsAppMessage | None:
        return await WhatsAppMessage.get_or_none(wamid=wamid)

    message: WhatsAppMessage = await wait_for(found, 10)
    return message


async def test_a_username_only_customer_writes_and_is_answered_by_bsuid(
    live: Live, write_key: str, sandbox: Sandbox
) -> None:
    said = await act(live, "/customers/@pablomorales/messages", {"text": {"body": "Hola"}})
    inbound = await stored(said["wamid"])
    assert (inbound.customer_wa_id, inbound.customer_bsuid) == (None, PABLO)

    result = await GraphQL(live.client, write_key)(
        SEND, {"input": {"to": PABLO, "content": {"text": {"body": "¡Hola Pablo!"}}}}
    )

    reply_id = result["data"]["sendMessage"]["message"]["id"]
    assert graph_requests(sandbox)[-1]["recipient"] == PABLO

    async def read() -> bool:
        return (await WhatsAppMessage.get(id=reply_id)).status == MessageStatus.READ

    await wait_for(read, 10)
    assert await WhatsAppContact.filter(bsuid=PABLO).count() == 1


async def test_stop_at_meta_and_a_number_change_reach_the_contact(live: Live) -> None:
    said = await act(live, "/customers/15551234567/messages", {"text": {"body": "Hi"}})
    await stored(said["wamid"])
    contact = await find_contact(wa_id="15551234567")
    assert contact is not None and contact.bsuid is not None

    await act(live, "/customers/15551234567/marketing-preference", {"value": "stop"})
    changed = await act(live, "/customers/15551234567/change-number", {"wa_id": "15559990000"})
    await stored(changed["wamid"])

    # Two deliveries, processed in either order (as Meta's may be): the Stop names the old ids,
    # which still find the contact after the number change.
    async def both_applied() -> WhatsAppContact | None:
        row = await WhatsAppContact.get(id=contact.id)
        done = row.wa_id == "15559990000" and row.marketing_consent == ConsentState.OPTED_OUT
        return row if done else None

    after = await wait_for(both_applied, 10)
    assert after.bsuid == changed["customer"]["user_id"]
    assert await WhatsAppContact.all().count() == 1


async def test_metas_131050_and_131049_arrive_by_webhook(live: Live, write_key: str) -> None:
    gql = GraphQL(live.client, write_key)

    async def send(to: str) -> str:
        variables = {"to": to, "name": "spring_sale", "language": "en_US", "body": [{"text": "A"}]}
        result = await gql(TEMPLATE, {"input": variables})
        assert result["data"]["sendTemplate"]["errors"] == []
        message_id: str = result["data"]["sendTemplate"]["message"]["id"]
        return message_id

    stopped, capped = await send(MARTA), await send(LEO)

    async def failed(message_id: str) -> WhatsAppMessage | None:
        row = await WhatsAppMessage.get(id=message_id)
        return row if row.status == MessageStatus.FAILED else None

    assert (await wait_for(lambda: failed(stopped), 10)).error_code == 131050
    assert (await wait_for(lambda: failed(capped), 10)).error_code == 131049
    marta = await find_contact(wa_id=MARTA)
    assert marta is not None and marta.marketing_consent == ConsentState.OPTED_OUT
    leo = await find_contact(wa_id=LEO)
    assert leo is not None and leo.marketing_consent == ConsentState.UNKNOWN
    # a message Meta held back for its marketing limit is never sent again by itself
    rt = live.app.state.runtime
    later = await scheduling.process_scheduled_messages(rt, now=utcnow())
    assert later.claimed == 0
