"""Subscriptions over graphql-transport-ws on a real server: status webhooks, filters, keys,
bounds."""

from __future__ import annotations

from typing import Any

import pytest
import websockets

from models import MessageStatus
from sandbox import Sandbox
from tests.live.server import LiveServer, Socket, connect, serve, subscribed
from tests.live.server import live as live  # a fixture
from tests.webhooks.test_whatsapp_webhook import CUSTOMER, outbound, status
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.events.log import emit_event

MESSAGE_UPDATED = """
subscription ($filter: MessageUpdateFilter) {
  messageUpdated(filter: $filter) {
    change missed
    message { id wamid status deliveredAt }
    event { name source }
  }
}
"""

SESSION_TIMELINE = """
subscription ($id: ID!) { sessionTimeline(sessionId: $id) { event { name session { id } } } }
"""

EVENTS = """
subscription ($filter: LiveEventFilter) { events(filter: $filter) { event { name source } } }
"""

AUTOMATED = """
subscription ($filter: LiveEventFilter) {
  events(filter: $filter) { event { causedByAutomationRunId } }
}
"""


def data(message: dict[str, Any]) -> dict[str, Any]:
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    return message["payload"]["data"]  # type: ignore[no-any-return]


async def test_a_status_webhook_reaches_message_updated(
    live: LiveServer, read_key: str, sandbox: Sandbox
) -> None:
    # given: a dashboard watching one of our sent messages
    message = await outbound(wamid="wamid.LIVE1", status=MessageStatus.SENT)
    socket = await connect(live, read_key)
    op = await socket.subscribe(MESSAGE_UPDATED, {"filter": {"messageId": "wamid.LIVE1"}})
    await subscribed(live)

    # when: Meta reports it delivered
    await live.post_webhook(status("wamid.LIVE1", "delivered", 1700000200))

    # then
    update = data(await socket.next(op))["messageUpdated"]
    assert update["change"] == "DELIVERED"
    assert update["missed"] == 0
    assert update["message"]["id"] == str(message.id)
    assert update["message"]["status"] == "DELIVERED"
    assert update["message"]["deliveredAt"] is not None
    assert update["event"] == {"name": "message.delivered", "source": "webhook"}
    await socket.close()


async def test_message_updated_filters_by_change_and_contact(
    live: LiveServer, read_key: str, sandbox: Sandbox
) -> None:
    # given: one subscription for reads only, one for another customer's messages
    await outbound(wamid="wamid.LIVE2", status=MessageStatus.SENT)
    socket = await connect(live, read_key)
    reads = await socket.subscribe(MESSAGE_UPDATED, {"filter": {"changes": ["READ"]}})
    other = await socket.subscribe(MESSAGE_UPDATED, {"filter": {"contactWaId": "+15559990000"}})
    mine = await socket.subscribe(MESSAGE_UPDATED, {"filter": {"contactWaId": f"+{CUSTOMER}"}})
    await subscribed(live, 3)

    # when: delivered, then read
    await live.post_webhook(status("wamid.LIVE2", "delivered", 1700000200))
    await live.post_webhook(status("wamid.LIVE2", "read", 1700000300))

    # then: the read subscription saw only the read; the customer's saw both, in order;
    # the other customer's nothing (its next message would be the read's if it leaked)
    got = [await socket.receive() for _ in range(3)]
    by_op: dict[str, list[str]] = {}
    for message in got:
        by_op.setdefault(message["id"], []).append(data(message)["messageUpdated"]["change"])
    assert by_op == {reads: ["READ"], mine: ["DELIVERED", "READ"]}
    assert other not in by_op
    await socket.close()


async def test_session_timeline_and_events_filters(
    live: LiveServer, read_key: str, sandbox: Sandbox
) -> None:
    # given: two sessions' worth of events, and subscribers for one session and a pattern
    from models import WhatsAppSession

    contact = await get_or_create_contact(CUSTOMER)
    watched = await WhatsAppSession.create(contact=contact)
    other = await WhatsAppSession.create(contact=contact)
    socket = await connect(live, read_key)
    timeline = await socket.subscribe(SESSION_TIMELINE, {"id": str(watched.id)})
    flows = await socket.subscribe(EVENTS, {"filter": {"name": "flow.*", "source": "api"}})
    await subscribed(live, 2)

    # when
    await emit_event("note.added", source="api", session_id=other.id)
    await emit_event("flow.started", source="webhook", session_id=other.id)
    await emit_event("flow.completed", source="api", session_id=watched.id)

    # then: each saw only what it asked for
    first = await socket.receive()
    second = await socket.receive()
    seen = {m["id"]: data(m) for m in (first, second)}
    assert seen[timeline]["sessionTimeline"]["event"] == {
        "name": "flow.completed",
        "session": {"id": str(watched.id)},
    }
    assert seen[flows]["events"]["event"] == {"name": "flow.completed", "source": "api"}
    await socket.close()


async def test_what_an_automation_did_reaches_subscribers_and_triggers_no_automation(
    live: LiveServer, read_key: str, sandbox: Sandbox
) -> None:
    # given: an automation that answers every template.sent with a template (no cooldown to
    # hide a loop), and a dashboard watching template sends and deliveries
    from models import WhatsAppAutomationRun, WhatsAppMessage
    from tests.whatsapp.automations.factories import make_automation, runs_of
    from whatsapp.automations import runner
    from whatsapp.messages import sending

    automation = await make_automation(
        trigger="template.sent",
        actions=[{"type": "template", "name": "hello_world", "language": "en_US"}],
    )
    rt = live.app.state.runtime
    socket = await connect(live, read_key)
    sends = await socket.subscribe(AUTOMATED, {"filter": {"name": "template.sent"}})
    changes = await socket.subscribe(MESSAGE_UPDATED, {"filter": {"changes": ["DELIVERED"]}})
    await subscribed(live, 2)

    # when: we send a template; the automation answers it once; its message is delivered
    await sending.send_template(rt, to=CUSTOMER, name="hello_world", language="en_US")
    assert await runner.run_pending(rt) == 1
    [run] = await runs_of(automation)
    [sent] = [
        m
        for m in await WhatsAppMessage.all()
        if (m.metadata or {}).get("automationRunId") == str(run.id)
    ]
    await live.post_webhook(status(sent.wamid or "", "delivered", 1700000200))

    # then: the dashboard saw both sends, the automation's included, then its delivery
    by_op: dict[str, list[dict[str, Any]]] = {}
    for _ in range(3):
        message = await socket.receive()
        by_op.setdefault(message["id"], []).append(data(message))
    assert [d["events"]["event"]["causedByAutomationRunId"] for d in by_op[sends]] == [
        None,
        str(run.id),
    ]
    [delivered] = [d["messageUpdated"] for d in by_op[changes]]
    assert delivered["message"]["id"] == str(sent.id)
    assert delivered["change"] == "DELIVERED"
    # and the automation triggered on neither its own send nor its delivery
    assert await runner.run_pending(rt) == 0
    assert await WhatsAppAutomationRun.filter(automation_id=automation.id).count() == 1
    await socket.close()


async def close_code(socket: Socket) -> int | None:
    """The code the server closed with (it must close without a word)."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await socket.receive()
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_a_connection_without_a_valid_key_is_refused(
    live: LiveServer, sandbox: Sandbox
) -> None:
    for payload in ({}, {"Authorization": "Bearer nope"}, {"apiKey": "nope"}):
        socket = await Socket.open(live, payload)
        assert await close_code(socket) == 4403


async def test_subscribing_before_connection_init_is_refused(
    live: LiveServer, sandbox: Sandbox
) -> None:
    ws = await websockets.connect(live.ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    socket = Socket(ws)
    await socket.subscribe(EVENTS)
    assert await close_code(socket) == 4401


async def test_the_key_may_come_as_api_key(
    live: LiveServer, read_key: str, sandbox: Sandbox
) -> None:
    socket = await Socket.open(live, {"apiKey": read_key})
    assert (await socket.receive())["type"] == "connection_ack"
    await socket.close()


async def test_subscriptions_per_connection_are_bounded(
    db: str, sandbox_url: str, read_key: str, sandbox: Sandbox
) -> None:
    from tests.conftest import stop_server

    server, handle = await serve(db, sandbox_url, redis_url=None, live_max_subscriptions=2)
    try:
        socket = await connect(server, read_key)
        await socket.subscribe(EVENTS)
        await socket.subscribe(EVENTS)
        third = await socket.subscribe(EVENTS)
        refused = await socket.next(third)
        assert refused["type"] == "error"
        assert "limit" in refused["payload"][0]["message"]
        await socket.close()
    finally:
        await stop_server(*handle)


async def test_a_bad_filter_is_an_error_not_a_silent_stream(
    live: LiveServer, read_key: str, sandbox: Sandbox
) -> None:
    socket = await connect(live, read_key)

    # when: a malformed session id, then a malformed number
    bad_id = await socket.subscribe(SESSION_TIMELINE, {"id": "not-an-id"})
    refused_id = await socket.next(bad_id)
    bad_number = await socket.subscribe(EVENTS, {"filter": {"contactWaId": "abc"}})
    refused_number = await socket.next(bad_number)
    bad_text = await socket.subscribe(EVENTS, {"filter": {"name": "note.\u0000*"}})
    refused_text = await socket.next(bad_text)

    # then: each subscription is refused as it starts, with a query error's shape
    assert refused_id["type"] == "error", refused_id
    assert refused_id["payload"] == [
        {
            "message": "Not an id",
            "locations": [{"line": 2, "column": 27}],
            "path": ["sessionTimeline"],
            "extensions": {"code": "INVALID_INPUT", "field": ["sessionId"]},
        }
    ]
    assert refused_number["type"] == "error", refused_number
    [error] = refused_number["payload"]
    assert (error["message"], error["path"], error["extensions"]) == (
        "Not a WhatsApp number",
        ["events"],
        {"code": "INVALID_INPUT", "field": ["contactWaId"]},
    )
    assert refused_text["type"] == "error", refused_text
    [error] = refused_text["payload"]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (
        "INVALID_INPUT",
        ["filter", "name"],
    )
    # and nothing was left subscribed; the connection still serves a good subscription
    assert live.app.state.live_hub.subscribers == 0
    good = await socket.subscribe(EVENTS, {"filter": {"name": "note.*"}})
    await subscribed(live)
    await emit_event("note.added", source="api")
    assert data(await socket.next(good))["events"]["event"] == {
        "name": "note.added",
        "source": "api",
    }
    await socket.close()


async def test_a_wagraph_error_in_a_query_has_the_same_shape(client: Any, read_key: str) -> None:
    """The shape the subscription errors above copy: a query's WagraphError."""
    response = await client.post(
        "/graphql",
        json={"query": '{ events(first: 1, after: "nope") { totalCount } }'},
        headers={"Authorization": f"Bearer {read_key}"},
    )
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert set(error) == {"message", "locations", "path", "extensions"}
