"""build_message and content_kind for the plain kinds: text, media, location, contacts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.whatsapp.messages.payloads.samples import (
    INVALID,
    TO,
    WAMID,
    card,
    contacts,
    envelope,
    image,
    location,
    media,
    problems_of,
    send,
    single_problem,
    text,
)
from whatsapp.kit.errors import ErrorCode
from whatsapp.messages.payloads import MESSAGE_KINDS, build_message, content_kind, message_type

# --- Kinds --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "graph_type"),
    [
        ("text", "text"),
        ("image", "image"),
        ("video", "video"),
        ("audio", "audio"),
        ("document", "document"),
        ("sticker", "sticker"),
        ("location", "location"),
        ("contacts", "contacts"),
        ("buttons", "interactive"),
        ("list", "interactive"),
        ("ctaUrl", "interactive"),
        ("flow", "interactive"),
    ],
)
def test_every_kind_has_a_graph_type(kind: str, graph_type: str) -> None:
    assert kind in MESSAGE_KINDS
    assert message_type(kind) == graph_type
    others_unset = dict.fromkeys(MESSAGE_KINDS) | {kind: {}}
    assert content_kind(others_unset) == kind


def test_message_type_of_an_unknown_kind_is_a_bug() -> None:
    with pytest.raises(ValueError, match="unknown message kind"):
        message_type("carousel")


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        ({}, ("content",), "(got none)"),
        ({"text": None, "image": None}, ("content",), "(got none)"),
        ({"text": {"body": "Hi"}, "image": {"mediaId": "1"}}, ("content",), "(got text, image)"),
        ({"carousel": {}}, ("content", "carousel"), "Unknown content field 'carousel'"),
        ("Hi", ("content",), "must be an object"),
    ],
)
def test_content_needs_exactly_one_known_kind(
    content: Any, field: tuple[str, ...], message: str
) -> None:
    got_field, code, got_message = single_problem(lambda: content_kind(content))

    assert (got_field, code) == (field, INVALID)
    assert message in got_message


# --- The exact Graph JSON of every plain kind ---------------------------------------------------

GRAPH_CASES = [
    pytest.param(
        {"text": {"body": "See https://example.com", "previewUrl": True}},
        "text",
        {"body": "See https://example.com", "preview_url": True},
        id="text",
    ),
    pytest.param(
        {"text": {"body": "Hi", "previewUrl": None}},
        "text",
        {"body": "Hi"},
        id="text-null-preview-omitted",
    ),
    pytest.param(
        {"image": {"mediaId": "1013859600285441", "caption": "Our shop", "link": None}},
        "image",
        {"id": "1013859600285441", "caption": "Our shop"},
        id="image",
    ),
    pytest.param(
        {"video": {"link": "https://example.com/v.mp4", "caption": ""}},
        "video",
        {"link": "https://example.com/v.mp4"},
        id="video-empty-caption-omitted",
    ),
    pytest.param(
        {"audio": {"mediaId": "77", "voice": True}},
        "audio",
        {"id": "77", "voice": True},
        id="audio-voice",
    ),
    pytest.param(
        {
            "document": {
                "link": "https://example.com/i.pdf",
                "caption": "March",
                "filename": "invoice.pdf",
            }
        },
        "document",
        {"link": "https://example.com/i.pdf", "caption": "March", "filename": "invoice.pdf"},
        id="document",
    ),
    pytest.param({"sticker": {"mediaId": "88"}}, "sticker", {"id": "88"}, id="sticker"),
    pytest.param(
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
        id="location",
    ),
    pytest.param(
        {"location": {"latitude": -90, "longitude": 180, "address": "No name"}},
        "location",
        {"latitude": -90, "longitude": 180, "address": "No name"},
        id="location-bounds-address-without-name",
    ),
    pytest.param(
        {
            "contacts": [
                {
                    "name": {
                        "formattedName": "Jane Doe",
                        "firstName": "Jane",
                        "lastName": "Doe",
                        "middleName": None,
                        "prefix": "Dr",
                    },
                    "phones": [
                        {"phone": "+1 555 000 1111", "type": "cell", "waId": "+1 555 000 1111"},
                        {"phone": "+1 555 000 2222"},
                    ],
                    "emails": [{"email": "jane@example.com", "type": "WORK"}],
                    "urls": [{"url": "https://acme.example", "type": "WORK"}],
                    "org": {"company": "Acme", "title": "CTO", "department": None},
                    "addresses": [
                        {
                            "street": "1 Main St",
                            "city": "Springfield",
                            "countryCode": "US",
                            "type": "HOME",
                            "zip": "",
                        }
                    ],
                    "birthday": "1990-01-31",
                }
            ]
        },
        "contacts",
        [
            {
                "name": {
                    "formatted_name": "Jane Doe",
                    "first_name": "Jane",
                    "last_name": "Doe",
                    "prefix": "Dr",
                },
                "phones": [
                    {"phone": "+1 555 000 1111", "type": "CELL", "wa_id": "15550001111"},
                    {"phone": "+1 555 000 2222"},
                ],
                "emails": [{"email": "jane@example.com", "type": "WORK"}],
                "urls": [{"url": "https://acme.example", "type": "WORK"}],
                "org": {"company": "Acme", "title": "CTO"},
                "addresses": [
                    {
                        "street": "1 Main St",
                        "city": "Springfield",
                        "country_code": "US",
                        "type": "HOME",
                    }
                ],
                "birthday": "1990-01-31",
            }
        ],
        id="contacts",
    ),
]


@pytest.mark.parametrize(("content", "graph_type", "payload"), GRAPH_CASES)
def test_build_message_emits_the_exact_graph_json(
    content: dict[str, Any], graph_type: str, payload: Any
) -> None:
    assert build_message(to=TO, content=content) == envelope(graph_type, payload)


def test_build_message_normalises_the_recipient_and_adds_reply_and_callback_data() -> None:
    # when
    message = build_message(
        to="+1 (555) 123-4567", content=text(), reply_to_wamid=WAMID, callback_data="order-42"
    )

    # then
    assert message == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": TO,
        "type": "text",
        "context": {"message_id": WAMID},
        "biz_opaque_callback_data": "order-42",
        "text": {"body": "Hi"},
    }


def test_build_message_takes_callback_data_up_to_512_characters() -> None:
    message = build_message(to=TO, content=text(), callback_data="x" * 512)

    assert message["biz_opaque_callback_data"] == "x" * 512


# --- Every limit, with its field path -----------------------------------------------------------

C = ("content",)
LIMIT_CASES = [
    # text
    pytest.param(text(body=""), (*C, "text", "body"), "1-4096 characters (got 0)", id="text-empty"),
    pytest.param(
        text(body="x" * 4097),
        (*C, "text", "body"),
        "1-4096 characters (got 4097)",
        id="text-too-long",
    ),
    pytest.param({"text": {}}, (*C, "text", "body"), "required", id="text-missing"),
    pytest.param(text(body="   "), (*C, "text", "body"), "blank", id="text-blank"),
    pytest.param(
        text(previewUrl="yes"),
        (*C, "text", "previewUrl"),
        "true or false",
        id="text-preview-not-bool",
    ),
    pytest.param({"text": "Hi"}, (*C, "text"), "must be an object", id="text-not-object"),
    # media
    pytest.param(
        image(caption="x" * 1025),
        (*C, "image", "caption"),
        "at most 1024 characters (got 1025)",
        id="caption-too-long",
    ),
    pytest.param(
        media("audio", caption="hi"), (*C, "audio", "caption"), "no caption", id="caption-on-audio"
    ),
    pytest.param(
        media("sticker", caption="hi"),
        (*C, "sticker", "caption"),
        "no caption",
        id="caption-on-sticker",
    ),
    pytest.param(
        image(filename="a.png"), (*C, "image", "filename"), "Only documents", id="filename-on-image"
    ),
    pytest.param(
        media("video", voice=True), (*C, "video", "voice"), "Only audio", id="voice-on-video"
    ),
    pytest.param(
        image(link="https://example.com/a.png"),
        (*C, "image"),
        "exactly one of mediaId, link",
        id="media-id-and-link",
    ),
    pytest.param({"image": {"caption": "hi"}}, (*C, "image"), "(got none)", id="media-neither"),
    pytest.param(
        {"image": {"link": "ftp://example.com/a.png"}},
        (*C, "image", "link"),
        "http:// or https://",
        id="link-ftp",
    ),
    pytest.param(
        {"image": {"link": "/a.png"}}, (*C, "image", "link"), "absolute", id="link-relative"
    ),
    pytest.param(
        {"image": {"link": "https://"}}, (*C, "image", "link"), "absolute", id="link-no-host"
    ),
    pytest.param(
        {"image": {"link": "https://example.com/a b.png"}},
        (*C, "image", "link"),
        "absolute",
        id="link-with-space",
    ),
    # location
    pytest.param(
        location(latitude=90.5), (*C, "location", "latitude"), "-90 and 90", id="latitude-high"
    ),
    pytest.param(
        location(latitude=-91), (*C, "location", "latitude"), "-90 and 90", id="latitude-low"
    ),
    pytest.param(
        location(longitude=180.01),
        (*C, "location", "longitude"),
        "-180 and 180",
        id="longitude-high",
    ),
    pytest.param(
        location(latitude="37.4"), (*C, "location", "latitude"), "number", id="latitude-string"
    ),
    pytest.param(
        location(latitude=float("nan")), (*C, "location", "latitude"), "number", id="latitude-nan"
    ),
    pytest.param(
        {"location": {"longitude": 1}},
        (*C, "location", "latitude"),
        "required",
        id="latitude-missing",
    ),
    # contacts
    pytest.param(
        contacts(), (*C, "contacts"), "at least 1 contact cards (got 0)", id="contacts-empty"
    ),
    pytest.param(
        contacts(card(name={"firstName": "Jane"})),
        (*C, "contacts", "0", "name", "formattedName"),
        "required",
        id="contact-no-formatted-name",
    ),
    pytest.param(
        contacts(card(name={"formattedName": "Jane"})),
        (*C, "contacts", "0", "name"),
        "at least one of firstName",
        id="contact-only-formatted-name",
    ),
    pytest.param(
        contacts(card(), card(phones=[{"phone": "1", "type": "MOBILE"}])),
        (*C, "contacts", "1", "phones", "0", "type"),
        "CELL, HOME, IPHONE, MAIN, WORK",
        id="contact-phone-type",
    ),
    pytest.param(
        contacts(card(phones=[{"type": "CELL"}])),
        (*C, "contacts", "0", "phones", "0", "phone"),
        "required",
        id="contact-phone-missing",
    ),
    pytest.param(
        contacts(card(phones=[{"phone": "1", "waId": "call me"}])),
        (*C, "contacts", "0", "phones", "0", "waId"),
        "7-15 digits",
        id="contact-wa-id",
    ),
    pytest.param(
        contacts(card(emails=[{"type": "WORK"}])),
        (*C, "contacts", "0", "emails", "0", "email"),
        "required",
        id="contact-email-missing",
    ),
    pytest.param(
        contacts(card(birthday="31/01/1990")),
        (*C, "contacts", "0", "birthday"),
        "YYYY-MM-DD",
        id="birthday-format",
    ),
    pytest.param(
        contacts(card(birthday="1990-02-30")),
        (*C, "contacts", "0", "birthday"),
        "YYYY-MM-DD",
        id="birthday-not-a-date",
    ),
    pytest.param(
        contacts(card(birthday="19900131")),
        (*C, "contacts", "0", "birthday"),
        "YYYY-MM-DD",
        id="birthday-basic-format",
    ),
]


@pytest.mark.parametrize(("content", "field", "message"), LIMIT_CASES)
def test_build_message_rejects_what_meta_would(
    content: dict[str, Any], field: tuple[str, ...], message: str
) -> None:
    got_field, code, got_message = single_problem(send(content))

    assert (got_field, code) == (field, INVALID)
    assert message in got_message


@pytest.mark.parametrize(
    ("kwargs", "field", "code", "message"),
    [
        ({"to": "12345"}, ("to",), ErrorCode.INVALID_RECIPIENT, "7-15 digits"),
        ({"to": "not a number"}, ("to",), ErrorCode.INVALID_RECIPIENT, "only digits"),
        ({"reply_to_wamid": " "}, ("replyTo",), INVALID, "Reply-to message id is required"),
        ({"callback_data": "x" * 513}, ("callbackData",), INVALID, "1-512 characters (got 513)"),
    ],
)
def test_build_message_checks_the_envelope(
    kwargs: dict[str, Any], field: tuple[str, ...], code: ErrorCode, message: str
) -> None:
    arguments = {"to": TO, "content": text(), **kwargs}

    got_field, got_code, got_message = single_problem(lambda: build_message(**arguments))

    assert (got_field, got_code) == (field, code)
    assert message in got_message


def test_build_message_reports_a_missing_kind_and_a_bad_recipient_together() -> None:
    assert problems_of(lambda: build_message(to="", content={})) == [
        (("to",), ErrorCode.INVALID_RECIPIENT),
        (("content",), INVALID),
    ]
