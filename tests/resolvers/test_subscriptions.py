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
    op = await socket.subscribe(SESSION_TIMELINE, {"id": "not-an-id"})
    message = await socket.next(op)
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["message"] == "Not an id", errors
    await socket.close()
