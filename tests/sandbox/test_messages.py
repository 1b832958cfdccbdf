"""`POST /{PNID}/messages`: success shape and every envelope/type validation rule."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from sandbox.ids import wa_id_of
from tests.sandbox.conftest import MESSAGES, OPEN_CUSTOMER, details_of, error_of, message

# -- success --------------------------------------------------------------------------------


async def test_text_send_returns_meta_success_body(client: httpx.AsyncClient) -> None:
    # when
    response = await client.post(MESSAGES, json=message(to="+1 (555) 123-4567"))

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": "+1 (555) 123-4567", "wa_id": OPEN_CUSTOMER}]
    assert len(body["messages"]) == 1
    assert set(body["messages"][0]) == {"id"}  # message_status only for templates
    assert response.headers["facebook-api-version"] == "v23.0"


async def test_wamid_has_meta_shape_and_embeds_the_wa_id(client: httpx.AsyncClient) -> None:
    response = await client.post(MESSAGES, json=message())

    wamid = response.json()["messages"][0]["id"]
    assert wamid.startswith("wamid.HBgL")
    assert 50 <= len(wamid) <= 70
    record = base64.b64decode(wamid.removeprefix("wamid."), validate=True)
    assert record[:3] == b"\x1c\x18\x0b"
    assert record[3:14] == OPEN_CUSTOMER.encode()
    key = record[-19:-1]
    assert key.decode().isalnum()
    assert key.decode() == key.decode().upper()
    assert wa_id_of(wamid) == OPEN_CUSTOMER


async def test_wamids_are_unique(client: httpx.AsyncClient) -> None:
    ids = set()
    for i in range(20):
        response = await client.post(MESSAGES, json=message(to=f"1555000{i:04d}"))
        ids.add(response.json()["messages"][0]["id"])
    assert len(ids) == 20


async def test_template_send_has_accepted_status(client: httpx.AsyncClient) -> None:
    response = await client.post(MESSAGES, json=message("template"))

    assert response.status_code == 200
    assert response.json()["messages"][0]["message_status"] == "accepted"


@pytest.mark.parametrize(
    "msg_type",
    [
        "text",
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "template",
    ],
)
async def test_every_valid_type_is_accepted(client: httpx.AsyncClient, msg_type: str) -> None:
    response = await client.post(MESSAGES, json=message(msg_type))

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "extra",
    [
        {"text": {"body": "x" * 4096}},
        {"text": {"body": "see https://example.com", "preview_url": True}},
        {"context": {"message_id": "wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBI="}},
        {"biz_opaque_callback_data": "c" * 512},
        {"recipient_type": "individual"},
    ],
    ids=["body-4096", "preview-url", "context", "callback-512", "recipient-type"],
)
async def test_valid_text_variants(client: httpx.AsyncClient, extra: dict[str, Any]) -> None:
    response = await client.post(MESSAGES, json=message(**extra))

    assert response.status_code == 200, response.text


async def test_type_defaults_to_text(client: httpx.AsyncClient) -> None:
    body = message()
    del body["type"]

    assert (await client.post(MESSAGES, json=body)).status_code == 200


# -- rejections -----------------------------------------------------------------------------


def _without(key: str, **extra: Any) -> dict[str, Any]:
    body = message(**extra)
    del body[key]
    return body


REJECTIONS: list[tuple[str, Any, int, str]] = [
    # envelope
    ("no-product", _without("messaging_product"), 100, "messaging_product is required"),
    ("bad-product", message(messaging_product="sms"), 100, "messaging_product"),
    ("no-to", _without("to"), 131008, "to is required"),
    ("to-letters", message(to="call me"), 131009, "'to'"),
    ("to-short", message(to="123456"), 131009, "7 to 15 digits"),
    ("to-long", message(to="1234567890123456"), 131009, "7 to 15 digits"),
    ("unknown-key", message(colour="red"), 100, 'Unexpected key "colour"'),
    ("other-type-key", message(image={"link": "https://x.example/a.jpg"}), 100, '"image"'),
    ("unknown-type", message("carousel"), 131051, "carousel"),
    (
        "payload-missing",
        {"messaging_product": "whatsapp", "to": "15551234567", "type": "image"},
        131008,
        "image is required",
    ),
    ("broadcast", message(recipient_type="broadcast"), 131009, "recipient_type"),
    ("group-unknown", message(recipient_type="group"), 131041, "was not found"),
    ("group-no-to", _without("to", recipient_type="group"), 131008, "the group ID"),
    ("callback-513", message(biz_opaque_callback_data="c" * 513), 131009, "Max length: 512"),
    ("callback-not-str", message(biz_opaque_callback_data=5), 100, "must be a string"),
    ("context-empty", message(context={}), 131008, "context.message_id is required"),
    ("context-extra", message(context={"message_id": "wamid.x", "from": "1"}), 100, '"from"'),
    ("body-not-object", [1, 2], 100, "JSON object"),
    # text
    ("text-no-body", message(text={}), 131008, "text.body is required"),
    ("text-empty", message(text={"body": ""}), 131009, "Min length: 1, Max length: 4096"),
    ("text-4097", message(text={"body": "x" * 4097}), 131009, "Max length: 4096"),
    ("text-not-string", message(text={"body": 42}), 100, "must be a string"),
    ("preview-not-bool", message(text={"body": "x", "preview_url": "yes"}), 100, "boolean"),
    ("text-unknown-key", message(text={"body": "x", "bold": True}), 100, '"bold"'),
    # media
    ("media-no-source", message("image", image={"caption": "x"}), 131008, "'id' or 'link'"),
    (
        "media-both",
        message("image", image={"id": "1013859600285441", "link": "https://a.example/a.jpg"}),
        131009,
        "exactly one",
    ),
    (
        "audio-caption",
        message("audio", audio={"id": "1013859600285444", "caption": "x"}),
        100,
        '"caption"',
    ),
    (
        "sticker-caption",
        message("sticker", sticker={"id": "1013859600285445", "caption": "x"}),
        100,
        '"caption"',
    ),
    (
        "image-filename",
        message("image", image={"link": "https://a.example/a.jpg", "filename": "a.jpg"}),
        100,
        '"filename"',
    ),
    (
        "caption-1025",
        message("image", image={"link": "https://a.example/a.jpg", "caption": "x" * 1025}),
        131009,
        "Max length: 1024",
    ),
    ("link-ftp", message("video", video={"link": "ftp://a.example/v.mp4"}), 131009, "http"),
    ("link-relative", message("video", video={"link": "/v.mp4"}), 131009, "http"),
    ("media-unknown-id", message("image", image={"id": "999"}), 131009, "does not exist"),
    ("media-not-object", message("image", image="https://a.example/a.jpg"), 100, "JSON object"),
    # location
    ("loc-no-lat", message("location", location={"longitude": 1.0}), 131008, "latitude"),
    (
        "loc-lat-91",
        message("location", location={"latitude": 91, "longitude": 1}),
        131009,
        "between -90 and 90",
    ),
    (
        "loc-long-181",
        message("location", location={"latitude": 1, "longitude": -181}),
        131009,
        "between -180 and 180",
    ),
    (
        "loc-lat-text",
        message("location", location={"latitude": "1", "longitude": 1}),
        100,
        "must be a number",
    ),
    # contacts
    ("contacts-empty", message("contacts", contacts=[]), 131008, "at least one contact"),
    (
        "contacts-no-name",
        message("contacts", contacts=[{"phones": []}]),
        131008,
        "contacts[0].name is required",
    ),
    (
        "contacts-no-formatted",
        message("contacts", contacts=[{"name": {"first_name": "J"}}]),
        131008,
        "formatted_name",
    ),
    (
        "contacts-one-part",
        message("contacts", contacts=[{"name": {"formatted_name": "J"}}]),
        131008,
        "at least one of",
    ),
    (
        "contacts-phone-type",
        message(
            "contacts",
            contacts=[
                {
                    "name": {"formatted_name": "J D", "first_name": "J"},
                    "phones": [{"phone": "1", "type": "PAGER"}],
                }
            ],
        ),
        131009,
        "phones[0].type",
    ),
    (
        "contacts-birthday",
        message(
            "contacts",
            contacts=[
                {"name": {"formatted_name": "J D", "first_name": "J"}, "birthday": "31/01/1990"}
            ],
        ),
        131009,
        "birthday",
    ),
    ("contacts-not-list", message("contacts", contacts={"name": {}}), 100, "array"),
    # reaction
    (
        "reaction-no-target",
        message("reaction", reaction={"emoji": "\U0001f600"}),
        131008,
        "reaction.message_id",
    ),
    (
        "reaction-no-emoji",
        message("reaction", reaction={"message_id": "wamid.x"}),
        131008,
        "reaction.emoji",
    ),
    (
        "reaction-text",
        message("reaction", reaction={"message_id": "wamid.x", "emoji": "ok"}),
        131009,
        "exactly one emoji",
    ),
    (
        "reaction-two",
        message("reaction", reaction={"message_id": "wamid.x", "emoji": "\U0001f600\U0001f600"}),
        131009,
        "exactly one emoji",
    ),
    (
        "reaction-digit",
        message("reaction", reaction={"message_id": "wamid.x", "emoji": "1"}),
        131009,
        "exactly one emoji",
    ),
]


@pytest.mark.parametrize(
    ("body", "code", "detail"),
    [case[1:] for case in REJECTIONS],
    ids=[case[0] for case in REJECTIONS],
)
async def test_rejections_use_meta_codes(
    client: httpx.AsyncClient, body: Any, code: int, detail: str
) -> None:
    response = await client.post(MESSAGES, json=body)

    error = error_of(response, 400, code)
    assert detail in (error.get("error_data", {}).get("details") or error["message"])


async def test_error_message_is_code_and_title(client: httpx.AsyncClient) -> None:
    response = await client.post(MESSAGES, json=message(text={"body": ""}))

    error = error_of(response, 400, 131009)
    assert error["message"] == "(#131009) Parameter value is not valid"
    assert response.headers["www-authenticate"].startswith('OAuth "Facebook Platform"')
    assert response.headers["facebook-api-version"] == "v23.0"


async def test_invalid_json_is_code_100(client: httpx.AsyncClient) -> None:
    response = await client.post(
        MESSAGES, content=b"{not json", headers={"content-type": "application/json"}
    )

    assert "JSON" in details_of(error_of(response, 400, 100))


@pytest.mark.parametrize(
    "emoji",
    [
        "\U0001f44d",
        "\U0001f44d\U0001f3fd",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",
        "\U0001f1e7\U0001f1f7",
        "1\ufe0f\u20e3",
        "\u2764\ufe0f",
        "",
    ],
    ids=["thumbs", "skin-tone", "zwj-family", "flag", "keycap", "heart-vs16", "remove"],
)
async def test_reaction_accepts_one_emoji_or_empty(client: httpx.AsyncClient, emoji: str) -> None:
    sent = await client.post(MESSAGES, json=message())
    wamid = sent.json()["messages"][0]["id"]

    response = await client.post(
        MESSAGES, json=message("reaction", reaction={"message_id": wamid, "emoji": emoji})
    )

    assert response.status_code == 200, response.text


async def test_rejected_requests_are_not_recorded(client: httpx.AsyncClient, sandbox: Any) -> None:
    await client.post(MESSAGES, json=message(text={}))
    await client.post(MESSAGES, json=message())

    assert [r.status for r in sandbox.requests] == [200]
    assert sandbox.stats()["rejected"] == 1
    assert sandbox.stats()["errors_by_code"] == {"131008": 1}
