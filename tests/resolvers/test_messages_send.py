"""sendMessage end to end: GraphQL -> core -> sandbox (Meta), asserting the exact Graph API JSON
Meta received and the row we stored."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from models import MessageStatus, WhatsAppAnalyticsEvent, WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import PHONE_NUMBER_ID, GraphQL

pytestmark = pytest.mark.usefixtures("customer")

SEND = """
mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) {
    message { id wamid status type direction to from text content metadata payload
              errorCode errorTitle sentAt session { id flowToken tags context } }
    errors { code message field cloudApiCode }
    replayed
  }
}"""

TO = "+1 (555) 123-4567"
WA_ID = "15551234567"


def graph_requests(sandbox: Sandbox, suffix: str = "/messages") -> list[dict[str, Any]]:
    return [r.json for r in sandbox.requests if r.path.endswith(suffix)]


def envelope(message_id: str, type_: str, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": type_,
        "biz_opaque_callback_data": message_id,
        type_: body,
        **extra,
    }


CASES: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    (
        "text",
        {"text": {"body": "Hello https://example.com", "previewUrl": True}},
        "text",
        {"body": "Hello https://example.com", "preview_url": True},
    ),
    (
        "image-link",
        {"image": {"link": "https://cdn.example.com/a.jpg", "caption": "Look"}},
        "image",
        {"link": "https://cdn.example.com/a.jpg", "caption": "Look"},
    ),
    (
        "video",
        {"video": {"link": "https://cdn.example.com/v.mp4", "caption": "Clip"}},
        "video",
        {"link": "https://cdn.example.com/v.mp4", "caption": "Clip"},
    ),
    (
        "audio",
        {"audio": {"link": "https://cdn.example.com/a.ogg"}},
        "audio",
        {"link": "https://cdn.example.com/a.ogg"},
    ),
    (
        "document",
        {
            "document": {
                "link": "https://cdn.example.com/i.pdf",
                "caption": "Invoice",
                "filename": "invoice.pdf",
            }
        },
        "document",
        {"link": "https://cdn.example.com/i.pdf", "caption": "Invoice", "filename": "invoice.pdf"},
    ),
    (
        "sticker",
        {"sticker": {"link": "https://cdn.example.com/s.webp"}},
        "sticker",
        {"link": "https://cdn.example.com/s.webp"},
    ),
    (
        "location",
        {
            "location": {
                "latitude": 37.48,
                "longitude": -122.14,
                "name": "HQ",
                "address": "1 Hacker Way",
            }
        },
        "location",
        {"latitude": 37.48, "longitude": -122.14, "name": "HQ", "address": "1 Hacker Way"},
    ),
    (
        "contacts",
        {
            "contacts": [
                {
                    "name": {"formattedName": "Jane Doe", "firstName": "Jane"},
                    "phones": [{"phone": "+1 555 000 1111", "type": "CELL", "waId": "15550001111"}],
                    "emails": [{"email": "jane@example.com", "type": "WORK"}],
                    "org": {"company": "Acme", "title": "CTO"},
                }
            ]
        },
        "contacts",
        [
            {
                "name": {"formatted_name": "Jane Doe", "first_name": "Jane"},
                "phones": [{"phone": "+1 555 000 1111", "type": "CELL", "wa_id": "15550001111"}],
                "emails": [{"email": "jane@example.com", "type": "WORK"}],
                "org": {"company": "Acme", "title": "CTO"},
            }
        ],
    ),
    (
        "buttons",
        {
            "buttons": {
                "body": "Confirm slot?",
                "header": {"text": "Order #42"},
                "footer": "Reply within 1h",
                "buttons": [{"id": "am", "title": "Morning"}, {"id": "pm", "title": "Afternoon"}],
            }
        },
        "interactive",
        {
            "type": "button",
            "header": {"type": "text", "text": "Order #42"},
            "body": {"text": "Confirm slot?"},
            "footer": {"text": "Reply within 1h"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "am", "title": "Morning"}},
                    {"type": "reply", "reply": {"id": "pm", "title": "Afternoon"}},
                ]
            },
        },
    ),
    (
        "list",
        {
            "list": {
                "body": "Pick a branch",
                "buttonText": "Branches",
                "sections": [
                    {
                        "title": "North",
                        "rows": [{"id": "b1", "title": "Uptown", "description": "Open 9-18"}],
                    },
                    {"title": "South", "rows": [{"id": "b2", "title": "Harbour"}]},
                ],
            }
        },
        "interactive",
        {
            "type": "list",
            "body": {"text": "Pick a branch"},
            "action": {
                "button": "Branches",
                "sections": [
                    {
                        "title": "North",
                        "rows": [{"id": "b1", "title": "Uptown", "description": "Open 9-18"}],
                    },
                    {"title": "South", "rows": [{"id": "b2", "title": "Harbour"}]},
                ],
            },
        },
    ),
    (
        "ctaUrl",
        {
            "ctaUrl": {
                "body": "Track your parcel",
                "displayText": "Track",
                "url": "https://example.com/t/42",
            }
        },
        "interactive",
        {
            "type": "cta_url",
            "body": {"text": "Track your parcel"},
            "action": {
                "name": "cta_url",
                "parameters": {"display_text": "Track", "url": "https://example.com/t/42"},
            },
        },
    ),
    (
        "flow",
        {
            "flow": {
                "body": "Book an appointment",
                "flowId": "1234567890",
                "flowCta": "Open form",
                "flowToken": "sess-9f2c",
                "screen": "WELCOME",
                "data": {"name": "Ana"},
                "mode": "published",
            }
        },
        "interactive",
        {
            "type": "flow",
            "body": {"text": "Book an appointment"},
            "action": {
                "name": "flow",
                "parameters": {
                    "flow_message_version": "3",
                    "flow_id": "1234567890",
                    "flow_token": "sess-9f2c",
                    "flow_cta": "Open form",
                    "flow_action": "navigate",
                    "flow_action_payload": {"screen": "WELCOME", "data": {"name": "Ana"}},
                    "mode": "published",
                },
            },
        },
    ),
]


@pytest.mark.parametrize(
    ("content", "graph_type", "graph_body"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_every_kind_reaches_meta_exactly_and_is_stored(
    gql: GraphQL,
    sandbox: Sandbox,
    content: dict[str, Any],
    graph_type: str,
    graph_body: dict[str, Any],
) -> None:
    # given
    metadata = {"orderId": 42, "campaign": "autumn"}

    # when
    result = await gql(SEND, {"input": {"to": TO, "content": content, "metadata": metadata}})

    # then
    payload = result["data"]["sendMessage"]
    assert payload["errors"] == []
    message = payload["message"]
    expected = envelope(message["id"], graph_type, graph_body)
    assert graph_requests(sandbox) == [expected]
    assert message["status"] == "SENT"
    assert message["wamid"].startswith("wamid.")
    assert message["to"] == WA_ID
    assert message["from"] == PHONE_NUMBER_ID
    assert message["direction"] == "OUTBOUND"
    assert message["metadata"] == metadata
    assert message["payload"] == expected
    assert message["content"] == content

    row = await WhatsAppMessage.get(id=message["id"])
    assert row.status == MessageStatus.SENT
    assert row.wamid == sandbox.requests[-1].response["messages"][0]["id"]
    assert row.payload == expected
    assert row.sent_at is not None
    assert row.metadata == metadata
    event = await WhatsAppAnalyticsEvent.get(message_id=row.id)
    assert event.name == "message.sent"
    assert event.properties["wamid"] == row.wamid
    assert event.properties["metadata"] == metadata


async def test_reply_quotes_the_original(gql: GraphQL, sandbox: Sandbox) -> None:
    first = await gql(SEND, {"input": {"to": TO, "content": {"text": {"body": "one"}}}})
    original = first["data"]["sendMessage"]["message"]

    reply = await gql(
        SEND, {"input": {"to": TO, "replyTo": original["id"], "content": {"text": {"body": "two"}}}}
    )

    assert reply["data"]["sendMessage"]["errors"] == []
    assert graph_requests(sandbox)[-1]["context"] == {"message_id": original["wamid"]}
    row = await WhatsAppMessage.get(id=reply["data"]["sendMessage"]["message"]["id"])
    assert str(row.reply_to_id) == original["id"]


async def test_flow_without_token_gets_one_and_starts_a_session(
    gql: GraphQL, sandbox: Sandbox
) -> None:
    content = {
        "flow": {"body": "Book", "flowName": "booking", "flowCta": "Open", "screen": "WELCOME"}
    }

    result = await gql(
        SEND,
        {
            "input": {
                "to": TO,
                "content": content,
                "session": {"tags": ["vip"], "context": {"step": 1}},
            }
        },
    )

    message = result["data"]["sendMessage"]["message"]
    token = graph_requests(sandbox)[-1]["interactive"]["action"]["parameters"]["flow_token"]
    assert token.startswith("wg-")
    assert message["session"]["flowToken"] == token
    assert message["session"]["tags"] == ["vip"]
    assert message["session"]["context"] == {"step": 1}


UPLOAD = (
    '{"query": "mutation($f: Upload!) { uploadMedia(file: $f) '
    '{ media { id metaId kind mimeType fileSize } errors { code field } } }", '
    '"variables": {"f": null}}'
)


async def upload(client: Any, key: str, name: str, data: bytes, mime: str) -> dict[str, Any]:
    """uploadMedia as a GraphQL multipart request; returns its payload."""
    response = await client.post(
        "/graphql",
        data={"operations": UPLOAD, "map": '{"0": ["variables.f"]}'},
        files={"0": (name, data, mime)},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["uploadMedia"]


async def test_uploaded_media_is_sent_by_our_id(
    gql: GraphQL, client: Any, write_key: str, sandbox: Sandbox
) -> None:
    # given: an image uploaded through GraphQL multipart
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    media = (await upload(client, write_key, "photo.png", png, "image/png"))["media"]
    assert media["kind"] == "image"
    assert media["fileSize"] == len(png)
    upload_requests = [r for r in sandbox.requests if r.path.endswith("/media")]
    assert len(upload_requests) == 1

    # when
    result = await gql(SEND, {"input": {"to": TO, "content": {"image": {"mediaId": media["id"]}}}})

    # then: Meta received its own media id
    assert result["data"]["sendMessage"]["errors"] == []
    assert graph_requests(sandbox)[-1]["image"] == {"id": media["metaId"]}


async def test_an_unsupported_upload_is_an_error_at_its_argument(
    client: Any, write_key: str, sandbox: Sandbox
) -> None:
    # when
    payload = await upload(client, write_key, "notes.txt", b"hello", "text/x-unknown")

    # then
    assert payload == {
        "media": None,
        "errors": [{"code": "UNSUPPORTED_MEDIA_TYPE", "field": ["file"]}],
    }
    assert [r for r in sandbox.requests if r.path.endswith("/media")] == []


async def test_unknown_media_id_is_an_input_error(gql: GraphQL, sandbox: Sandbox) -> None:
    result = await gql(
        SEND, {"input": {"to": TO, "content": {"image": {"mediaId": str(uuid.uuid4())}}}}
    )

    errors = result["data"]["sendMessage"]["errors"]
    assert errors[0]["code"] == "NOT_FOUND"
    assert errors[0]["field"] == ["input", "content", "image", "mediaId"]
    assert graph_requests(sandbox) == []
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 0


# -- validation: clear errors, nothing written, Meta never called -------------------------------

INVALID: list[tuple[str, dict[str, Any], list[str]]] = [
    ("text too long", {"text": {"body": "x" * 4097}}, ["input", "content", "text", "body"]),
    ("empty text", {"text": {"body": ""}}, ["input", "content", "text", "body"]),
    (
        "four reply buttons",
        {
            "buttons": {
                "body": "Pick",
                "buttons": [{"id": str(i), "title": f"B{i}"} for i in range(4)],
            }
        },
        ["input", "content", "buttons", "buttons"],
    ),
    (
        "button title over 20",
        {"buttons": {"body": "Pick", "buttons": [{"id": "a", "title": "x" * 21}]}},
        ["input", "content", "buttons", "buttons", "0", "title"],
    ),
    (
        "duplicate button titles",
        {
            "buttons": {
                "body": "Pick",
                "buttons": [{"id": "a", "title": "Same"}, {"id": "b", "title": "Same"}],
            }
        },
        ["input", "content", "buttons", "buttons", "1", "title"],
    ),
    (
        "eleven list rows",
        {
            "list": {
                "body": "Pick",
                "buttonText": "Open",
                "sections": [
                    {"title": "A", "rows": [{"id": f"a{i}", "title": f"A{i}"} for i in range(6)]},
                    {"title": "B", "rows": [{"id": f"b{i}", "title": f"B{i}"} for i in range(5)]},
                ],
            }
        },
        ["input", "content", "list", "sections"],
    ),
    (
        "caption on audio",
        {"audio": {"link": "https://x.example/a.ogg", "caption": "no"}},
        ["input", "content", "audio", "caption"],
    ),
    ("media without id or link", {"image": {"caption": "?"}}, ["input", "content", "image"]),
    (
        "latitude out of range",
        {"location": {"latitude": 91, "longitude": 0}},
        ["input", "content", "location", "latitude"],
    ),
    (
        "cta display text over 20",
        {"ctaUrl": {"body": "Go", "displayText": "x" * 21, "url": "https://example.com"}},
        ["input", "content", "ctaUrl", "displayText"],
    ),
    (
        "flow with id and name",
        {"flow": {"body": "Go", "flowId": "1", "flowName": "n", "flowCta": "Open", "screen": "S"}},
        ["input", "content", "flow"],
    ),
]


@pytest.mark.parametrize(
    ("content", "field"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
async def test_invalid_content_is_refused_before_meta(
    gql: GraphQL, sandbox: Sandbox, content: dict[str, Any], field: list[str]
) -> None:
    result = await gql(SEND, {"input": {"to": TO, "content": content}})

    payload = result["data"]["sendMessage"]
    assert payload["message"] is None
    assert payload["errors"], payload
    assert {e["code"] for e in payload["errors"]} == {"INVALID_INPUT"}
    assert field in [e["field"] for e in payload["errors"]]
    assert all(e["message"] for e in payload["errors"])
    assert graph_requests(sandbox) == []
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 0


async def test_bad_phone_number_is_invalid_recipient(gql: GraphQL, sandbox: Sandbox) -> None:
    result = await gql(SEND, {"input": {"to": "12ab", "content": {"text": {"body": "hi"}}}})

    assert result["data"]["sendMessage"]["errors"][0]["code"] == "INVALID_RECIPIENT"
    assert result["data"]["sendMessage"]["errors"][0]["field"] == ["input", "to"]
    assert graph_requests(sandbox) == []


async def test_two_kinds_of_content_is_a_graphql_error(gql: GraphQL, sandbox: Sandbox) -> None:
    result = await gql(
        SEND,
        {
            "input": {
                "to": TO,
                "content": {"text": {"body": "a"}, "image": {"link": "https://x.example/a.jpg"}},
            }
        },
    )

    assert result["errors"], result
    assert graph_requests(sandbox) == []


async def test_unknown_reply_target_is_not_found(gql: GraphQL, sandbox: Sandbox) -> None:
    result = await gql(
        SEND,
        {"input": {"to": TO, "replyTo": str(uuid.uuid4()), "content": {"text": {"body": "hi"}}}},
    )

    assert result["data"]["sendMessage"]["errors"][0]["code"] == "NOT_FOUND"
    assert result["data"]["sendMessage"]["errors"][0]["field"] == ["input", "replyTo"]
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 0


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"metadata": ["not", "an", "object"]}, ["input", "metadata"]),
        ({"session": {"context": "not an object"}}, ["input", "session", "context"]),
        ({"session": {"id": "not-an-id"}}, ["input", "session", "id"]),
    ],
)
async def test_json_objects_and_ids_are_checked_at_their_path(
    gql: GraphQL, sandbox: Sandbox, given: dict[str, Any], field: list[str]
) -> None:
    # when
    result = await gql(SEND, {"input": {"to": TO, "content": {"text": {"body": "hi"}}, **given}})

    # then
    payload = result["data"]["sendMessage"]
    assert payload["message"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", field)]
    assert graph_requests(sandbox) == []
