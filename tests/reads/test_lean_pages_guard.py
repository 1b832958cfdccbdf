"""The guard of lean pages: a page that asks for no field reading a JSON column leaves those
columns unread (`schema.loaders.MESSAGE_JSON_FIELDS` / `SESSION_JSON_FIELDS`). Those lists are
written by hand, so this test asks for every field of Message and Session alone — lean — and
beside `content` / `context` — full — on rows whose JSON columns are all filled, and requires
the same answer: a new field that reads JSON without being listed fails here, instead of
silently answering null."""

from __future__ import annotations

from typing import Any

import pytest

from models import MessageDirection, MessageStatus, MessageType, WhatsAppMessage, WhatsAppSession
from tests.conftest import PHONE_NUMBER_ID, GraphQL
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.kit.clock import utcnow

WA_ID = "15557770001"
INTROSPECT = """
query($name: String!) {
  __type(name: $name) {
    fields { name args { name } type { kind name ofType { kind name ofType { kind name
      ofType { kind name } } } } }
  }
}"""


async def selections(gql: GraphQL, type_name: str) -> dict[str, str]:
    """Each argument-free field of the type, with the smallest selection that reads it."""
    fields = (await gql(INTROSPECT, {"name": type_name}))["data"]["__type"]["fields"]
    chosen: dict[str, str] = {}
    for field in fields:
        if field["args"]:
            continue
        kind, name = _named(field["type"])
        if kind in ("SCALAR", "ENUM"):
            chosen[field["name"]] = field["name"]
        elif kind in ("OBJECT", "INTERFACE", "UNION"):
            chosen[field["name"]] = f"{field['name']} {{ __typename }}"
            if name and kind == "OBJECT":
                chosen[field["name"]] = f"{field['name']} {{ {await _leaf(gql, name)} }}"
    return chosen


async def _leaf(gql: GraphQL, type_name: str) -> str:
    fields = (await gql(INTROSPECT, {"name": type_name}))["data"]["__type"]["fields"]
    scalars = [
        f["name"] for f in fields if not f["args"] and _named(f["type"])[0] in ("SCALAR", "ENUM")
    ]
    return " ".join(scalars) or "__typename"


def _named(type_ref: dict[str, Any]) -> tuple[str, str | None]:
    while type_ref["kind"] in ("NON_NULL", "LIST"):
        type_ref = type_ref["ofType"]
    return type_ref["kind"], type_ref["name"]


@pytest.fixture
async def filled() -> WhatsAppSession:
    """A contact with a session and a message whose every JSON column holds something."""
    contact = await get_or_create_contact(WA_ID)
    session = await WhatsAppSession.create(
        contact=contact,
        phone_number_id=PHONE_NUMBER_ID,
        flow="booking",
        flow_token="wg-lean-guard",
        context={
            "flowState": {"screen": "DATES", "answers": {"DESTINATION": {"d": "x"}}},
            "note": "kept",
        },
    )
    await WhatsAppMessage.create(
        direction=MessageDirection.OUTBOUND,
        type=MessageType.TEXT,
        status=MessageStatus.DELIVERED,
        phone_number_id=PHONE_NUMBER_ID,
        customer_wa_id=WA_ID,
        wamid="wamid.lean-guard",
        contact=contact,
        session=session,
        text="Hello",
        content={"text": {"body": "Hello"}},
        metadata={"order": 42},
        payload={"messaging_product": "whatsapp", "to": WA_ID, "type": "text"},
        conversation={"id": "c1"},
        pricing={"pricing_model": "PMP", "category": "utility", "type": "regular"},
        revisions=[{"text": "Hi", "content": {}, "replacedAt": utcnow().isoformat()}],
        sent_at=utcnow(),
    )
    return session


async def test_every_message_field_reads_the_same_on_a_lean_page(
    gql: GraphQL, filled: WhatsAppSession
) -> None:
    for name, selection in (await selections(gql, "Message")).items():
        lean = await _contact_messages(gql, selection)
        full = await _contact_messages(gql, f"{selection} content")
        assert "errors" not in lean and "errors" not in full, (name, lean, full)
        assert _node(lean)[name] == _node(full)[name], name
        root = await gql(f"{{ messages(first: 5) {{ edges {{ node {{ {selection} }} }} }} }}")
        assert "errors" not in root, (name, root)
        assert root["data"]["messages"]["edges"][0]["node"][name] == _node(full)[name], name


async def test_every_session_field_reads_the_same_on_a_lean_page(
    gql: GraphQL, filled: WhatsAppSession
) -> None:
    for name, selection in (await selections(gql, "Session")).items():
        lean = await _contact_sessions(gql, selection)
        full = await _contact_sessions(gql, f"{selection} context")
        assert "errors" not in lean and "errors" not in full, (name, lean, full)
        assert _node(lean, "sessions")[name] == _node(full, "sessions")[name], name
        root = await gql(f"{{ sessions(first: 5) {{ edges {{ node {{ {selection} }} }} }} }}")
        assert "errors" not in root, (name, root)
        assert root["data"]["sessions"]["edges"][0]["node"][name] == _node(full, "sessions")[name]


async def _contact_messages(gql: GraphQL, selection: str) -> dict[str, Any]:
    page = f"messages(first: 5) {{ edges {{ node {{ {selection} }} }} }}"
    return await gql(f'{{ contact(waId: "{WA_ID}") {{ {page} }} }}')


async def _contact_sessions(gql: GraphQL, selection: str) -> dict[str, Any]:
    page = f"sessions(first: 5) {{ edges {{ node {{ {selection} }} }} }}"
    return await gql(f'{{ contact(waId: "{WA_ID}") {{ {page} }} }}')


def _node(result: dict[str, Any], relation: str = "messages") -> dict[str, Any]:
    node: dict[str, Any] = result["data"]["contact"][relation]["edges"][0]["node"]
    return node
