from collections.abc import Callable
from typing import Any

import pytest

from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.messages.payloads import (
    MESSAGE_KINDS,
    build_mark_as_read,
    build_message,
    build_reaction,
    build_template,
    check_template_parameters,
    content_kind,
    describe,
    message_type,
    template_placeholder_counts,
)

TO = "15551234567"
WAMID = "wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBIzRjJBOUMxQjdENEU1QTZCOEMA"
INVALID = ErrorCode.INVALID_INPUT
MISMATCH = ErrorCode.TEMPLATE_PARAMETER_MISMATCH


def envelope(graph_type: str, payload: Any, **extra: Any) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": TO,
        "type": graph_type,
        **extra,
        graph_type: payload,
    }


def problems_of(call: Callable[[], Any]) -> list[tuple[tuple[str, ...] | None, ErrorCode]]:
    with pytest.raises(WagraphError) as info:
        call()
    return [(problem.field, problem.code) for problem in info.value.problems]


def single_problem(call: Callable[[], Any]) -> tuple[tuple[str, ...] | None, ErrorCode, str]:
    with pytest.raises(WagraphError) as info:
        call()
    assert len(info.value.problems) == 1, info.value.problems
    [problem] = info.value.problems
    return problem.field, problem.code, problem.message


# --- Valid content, one builder per kind, so each limit case changes just one thing -------------


def text(**changes: Any) -> dict[str, Any]:
    return {"text": {"body": "Hi", **changes}}


def image(**changes: Any) -> dict[str, Any]:
    return {"image": {"mediaId": "1013859600285441", **changes}}


def media(kind: str, **changes: Any) -> dict[str, Any]:
    return {kind: {"mediaId": "1013859600285441", **changes}}


def location(**changes: Any) -> dict[str, Any]:
    return {"location": {"latitude": 37.48, "longitude": -122.14, **changes}}


def card(**changes: Any) -> dict[str, Any]:
    return {"name": {"formattedName": "Jane Doe", "firstName": "Jane"}, **changes}


def contacts(*cards: dict[str, Any]) -> dict[str, Any]:
    return {"contacts": list(cards)}


def buttons(**changes: Any) -> dict[str, Any]:
    return {"buttons": {"body": "Confirm?", "buttons": [{"id": "yes", "title": "Yes"}], **changes}}


def reply(n: int) -> list[dict[str, str]]:
    return [{"id": f"b{i}", "title": f"Button {i}"} for i in range(n)]


def list_(**changes: Any) -> dict[str, Any]:
    return {
        "list": {
            "body": "Pick a branch",
            "buttonText": "Branches",
            "sections": [{"rows": [{"id": "br_1", "title": "Uptown"}]}],
            **changes,
        }
    }


def rows(n: int, prefix: str = "r") -> list[dict[str, str]]:
    return [{"id": f"{prefix}{i}", "title": f"Row {i}"} for i in range(n)]


def cta(**changes: Any) -> dict[str, Any]:
    return {
        "ctaUrl": {
            "body": "Track",
            "displayText": "Track",
            "url": "https://example.com/t",
            **changes,
        }
    }


def flow(**changes: Any) -> dict[str, Any]:
    return {
        "flow": {
            "body": "Book",
            "flowId": "1234567890",
            "flowCta": "Open form",
            "flowToken": "sess-9f2c",
            "screen": "WELCOME",
            **changes,
        }
    }


def send(content: dict[str, Any], **kwargs: Any) -> Callable[[], dict[str, Any]]:
    return lambda: build_message(to=TO, content=content, **kwargs)


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


# --- The exact Graph JSON of every kind ---------------------------------------------------------

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
    pytest.param(
        {
            "buttons": {
                "body": "Confirm delivery slot?",
                "header": {"text": "Order #42"},
                "footer": "Reply within 1h",
                "buttons": [
                    {"id": "slot_am", "title": "Morning"},
                    {"id": "slot_pm", "title": "Afternoon"},
                ],
            }
        },
        "interactive",
        {
            "type": "button",
            "header": {"type": "text", "text": "Order #42"},
            "body": {"text": "Confirm delivery slot?"},
            "footer": {"text": "Reply within 1h"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "slot_am", "title": "Morning"}},
                    {"type": "reply", "reply": {"id": "slot_pm", "title": "Afternoon"}},
                ]
            },
        },
        id="buttons",
    ),
    pytest.param(
        {
            "buttons": {
                "body": "Look",
                "header": {"video": {"link": "https://example.com/v.mp4"}, "text": None},
                "buttons": [{"id": "ok", "title": "OK"}],
            }
        },
        "interactive",
        {
            "type": "button",
            "header": {"type": "video", "video": {"link": "https://example.com/v.mp4"}},
            "body": {"text": "Look"},
            "action": {"buttons": [{"type": "reply", "reply": {"id": "ok", "title": "OK"}}]},
        },
        id="buttons-video-header",
    ),
    pytest.param(
        {
            "list": {
                "body": "Pick a branch",
                "header": "Branches",
                "buttonText": "Branches",
                "sections": [
                    {
                        "title": "North",
                        "rows": [{"id": "br_1", "title": "Uptown", "description": "Open 9-18"}],
                    },
                    {"title": "South", "rows": [{"id": "br_2", "title": "Harbour"}]},
                ],
            }
        },
        "interactive",
        {
            "type": "list",
            "header": {"type": "text", "text": "Branches"},
            "body": {"text": "Pick a branch"},
            "action": {
                "button": "Branches",
                "sections": [
                    {
                        "title": "North",
                        "rows": [{"id": "br_1", "title": "Uptown", "description": "Open 9-18"}],
                    },
                    {"title": "South", "rows": [{"id": "br_2", "title": "Harbour"}]},
                ],
            },
        },
        id="list",
    ),
    pytest.param(
        {
            "list": {
                "body": "Pick",
                "header": {"text": "Menu"},
                "buttonText": "Open",
                "sections": [{"rows": [{"id": "a", "title": "A"}]}],
            }
        },
        "interactive",
        {
            "type": "list",
            "header": {"type": "text", "text": "Menu"},
            "body": {"text": "Pick"},
            "action": {"button": "Open", "sections": [{"rows": [{"id": "a", "title": "A"}]}]},
        },
        id="list-one-untitled-section-object-header",
    ),
    pytest.param(
        {
            "ctaUrl": {
                "body": "Your invoice",
                "displayText": "Pay now",
                "url": "https://example.com/pay/42",
                "header": {"document": {"mediaId": "55", "filename": "invoice.pdf"}},
                "footer": "Thanks",
            }
        },
        "interactive",
        {
            "type": "cta_url",
            "header": {"type": "document", "document": {"id": "55", "filename": "invoice.pdf"}},
            "body": {"text": "Your invoice"},
            "footer": {"text": "Thanks"},
            "action": {
                "name": "cta_url",
                "parameters": {"display_text": "Pay now", "url": "https://example.com/pay/42"},
            },
        },
        id="cta_url",
    ),
    pytest.param(
        {
            "flow": {
                "body": "Book an appointment",
                "header": {"text": "Book"},
                "flowId": "1234567890",
                "flowCta": "Open form",
                "flowToken": "sess-9f2c",
                "screen": "WELCOME",
                "data": {"name": "Ana"},
                "mode": "PUBLISHED",
                "action": "NAVIGATE",
                "flowName": None,
            }
        },
        "interactive",
        {
            "type": "flow",
            "header": {"type": "text", "text": "Book"},
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
        id="flow-navigate",
    ),
    pytest.param(
        {
            "flow": {
                "body": "Sign up",
                "flowName": "signup",
                "flowCta": "Start",
                "flowToken": "t1",
                "action": "data_exchange",
                "mode": "draft",
                "footer": "Takes 1 minute",
            }
        },
        "interactive",
        {
            "type": "flow",
            "body": {"text": "Sign up"},
            "footer": {"text": "Takes 1 minute"},
            "action": {
                "name": "flow",
                "parameters": {
                    "flow_message_version": "3",
                    "flow_name": "signup",
                    "flow_token": "t1",
                    "flow_cta": "Start",
                    "flow_action": "data_exchange",
                    "mode": "draft",
                },
            },
        },
        id="flow-data-exchange",
    ),
    pytest.param(
        {
            "flow": {
                "body": "Book",
                "flowId": "1",
                "flowCta": "Open",
                "flowToken": "t",
                "screen": "WELCOME",
            }
        },
        "interactive",
        {
            "type": "flow",
            "body": {"text": "Book"},
            "action": {
                "name": "flow",
                "parameters": {
                    "flow_message_version": "3",
                    "flow_id": "1",
                    "flow_token": "t",
                    "flow_cta": "Open",
                    "flow_action": "navigate",
                    "flow_action_payload": {"screen": "WELCOME"},
                },
            },
        },
        id="flow-default-action-no-data",
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


def test_build_message_does_not_copy_flow_data() -> None:
    data = {"slots": ["am", "pm"]}

    message = build_message(to=TO, content=flow(data=data))

    assert message["interactive"]["action"]["parameters"]["flow_action_payload"]["data"] is data


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
    # interactive, common parts
    pytest.param(
        buttons(body="x" * 1025),
        (*C, "buttons", "body"),
        "1-1024 characters (got 1025)",
        id="interactive-body-too-long",
    ),
    pytest.param(
        cta(body=""),
        (*C, "ctaUrl", "body"),
        "1-1024 characters (got 0)",
        id="interactive-body-empty",
    ),
    pytest.param(
        buttons(footer="x" * 61),
        (*C, "buttons", "footer"),
        "at most 60 characters (got 61)",
        id="footer-too-long",
    ),
    pytest.param(
        buttons(header={"text": "x" * 61}),
        (*C, "buttons", "header", "text"),
        "1-60 characters (got 61)",
        id="header-text-too-long",
    ),
    pytest.param(
        buttons(header={"text": "Hi", "image": {"mediaId": "1"}}),
        (*C, "buttons", "header"),
        "exactly one of text, image, video, document",
        id="header-two-kinds",
    ),
    pytest.param(buttons(header={}), (*C, "buttons", "header"), "(got none)", id="header-no-kind"),
    pytest.param(
        cta(header={"image": {"mediaId": "1", "filename": "a.png"}}),
        (*C, "ctaUrl", "header", "image", "filename"),
        "Only documents",
        id="header-image-filename",
    ),
    pytest.param(
        flow(header={"video": {"link": "video.mp4"}}),
        (*C, "flow", "header", "video", "link"),
        "absolute",
        id="header-relative-link",
    ),
    # reply buttons
    pytest.param(
        buttons(buttons=[]), (*C, "buttons", "buttons"), "1-3 buttons (got 0)", id="buttons-none"
    ),
    pytest.param(
        buttons(buttons=reply(4)),
        (*C, "buttons", "buttons"),
        "1-3 buttons (got 4)",
        id="buttons-four",
    ),
    pytest.param(
        buttons(buttons=[{"id": "a", "title": "x" * 21}]),
        (*C, "buttons", "buttons", "0", "title"),
        "Button title must be 1-20 characters (got 21)",
        id="button-title-too-long",
    ),
    pytest.param(
        buttons(buttons=[{"id": "a", "title": ""}]),
        (*C, "buttons", "buttons", "0", "title"),
        "1-20 characters (got 0)",
        id="button-title-empty",
    ),
    pytest.param(
        buttons(buttons=[{"id": "a", "title": "  "}]),
        (*C, "buttons", "buttons", "0", "title"),
        "blank",
        id="button-title-blank",
    ),
    pytest.param(
        buttons(buttons=[{"id": "a", "title": "Yes"}, {"id": "b", "title": "Yes"}]),
        (*C, "buttons", "buttons", "1", "title"),
        "'Yes' is used more than once",
        id="button-title-duplicate",
    ),
    pytest.param(
        buttons(buttons=[{"id": "x" * 257, "title": "A"}]),
        (*C, "buttons", "buttons", "0", "id"),
        "1-256 characters (got 257)",
        id="button-id-too-long",
    ),
    pytest.param(
        buttons(buttons=[{"id": " a", "title": "A"}]),
        (*C, "buttons", "buttons", "0", "id"),
        "start or end with spaces",
        id="button-id-spaces",
    ),
    pytest.param(
        buttons(buttons=[*reply(2), {"id": "b0", "title": "Other"}]),
        (*C, "buttons", "buttons", "2", "id"),
        "'b0' is used more than once",
        id="button-id-duplicate",
    ),
    pytest.param(
        buttons(buttons=[{"title": "A"}]),
        (*C, "buttons", "buttons", "0", "id"),
        "required",
        id="button-id-missing",
    ),
    # list
    pytest.param(
        list_(buttonText="x" * 21),
        (*C, "list", "buttonText"),
        "1-20 characters (got 21)",
        id="list-button-text",
    ),
    pytest.param(
        list_(buttonText=None),
        (*C, "list", "buttonText"),
        "required",
        id="list-button-text-missing",
    ),
    pytest.param(
        list_(sections=[]),
        (*C, "list", "sections"),
        "1-10 list sections (got 0)",
        id="list-no-sections",
    ),
    pytest.param(
        list_(
            sections=[{"title": "A", "rows": rows(6, "a")}, {"title": "B", "rows": rows(5, "b")}]
        ),
        (*C, "list", "sections"),
        "1-10 list rows in total (got 11)",
        id="list-11-rows",
    ),
    pytest.param(
        list_(sections=[{"title": "A", "rows": []}]),
        (*C, "list", "sections", "0", "rows"),
        "at least 1 rows in each section",
        id="list-empty-section",
    ),
    pytest.param(
        list_(sections=[{"title": "x" * 25, "rows": rows(1)}]),
        (*C, "list", "sections", "0", "title"),
        "at most 24 characters (got 25)",
        id="section-title-too-long",
    ),
    pytest.param(
        list_(sections=[{"title": "A", "rows": rows(1, "a")}, {"rows": rows(1, "b")}]),
        (*C, "list", "sections", "1", "title"),
        "more than one section",
        id="section-title-missing",
    ),
    pytest.param(
        list_(sections=[{"rows": [{"id": "x" * 201, "title": "A"}]}]),
        (*C, "list", "sections", "0", "rows", "0", "id"),
        "1-200 characters (got 201)",
        id="row-id-too-long",
    ),
    pytest.param(
        list_(
            sections=[
                {"title": "A", "rows": rows(2)},
                {"title": "B", "rows": [{"id": "r1", "title": "Again"}]},
            ]
        ),
        (*C, "list", "sections", "1", "rows", "0", "id"),
        "'r1' is used more than once",
        id="row-id-duplicate-across-sections",
    ),
    pytest.param(
        list_(sections=[{"rows": [{"id": "a", "title": "x" * 25}]}]),
        (*C, "list", "sections", "0", "rows", "0", "title"),
        "1-24 characters (got 25)",
        id="row-title-too-long",
    ),
    pytest.param(
        list_(sections=[{"rows": [{"id": "a", "title": "A", "description": "x" * 73}]}]),
        (*C, "list", "sections", "0", "rows", "0", "description"),
        "at most 72 characters (got 73)",
        id="row-description-too-long",
    ),
    pytest.param(
        list_(header={"image": {"mediaId": "1"}}),
        (*C, "list", "header", "image"),
        "text header only (got image)",
        id="list-media-header",
    ),
    pytest.param(
        list_(header="x" * 61),
        (*C, "list", "header"),
        "1-60 characters (got 61)",
        id="list-header-too-long",
    ),
    # cta url
    pytest.param(
        cta(displayText="x" * 21),
        (*C, "ctaUrl", "displayText"),
        "1-20 characters (got 21)",
        id="cta-display-text",
    ),
    pytest.param(
        cta(url="www.example.com"),
        (*C, "ctaUrl", "url"),
        "http:// or https://",
        id="cta-url-no-scheme",
    ),
    pytest.param(cta(url=None), (*C, "ctaUrl", "url"), "required", id="cta-url-missing"),
    # flow
    pytest.param(
        flow(flowName="signup"), (*C, "flow"), "(got flowId, flowName)", id="flow-id-and-name"
    ),
    pytest.param(flow(flowId=None), (*C, "flow"), "(got none)", id="flow-neither"),
    pytest.param(
        flow(flowCta="x" * 21),
        (*C, "flow", "flowCta"),
        "1-20 characters (got 21)",
        id="flow-cta-too-long",
    ),
    pytest.param(
        flow(flowCta="Book \N{SPIRAL CALENDAR PAD}"),
        (*C, "flow", "flowCta"),
        "emoji",
        id="flow-cta-emoji",
    ),
    pytest.param(
        flow(flowToken="x" * 201),
        (*C, "flow", "flowToken"),
        "1-200 characters (got 201)",
        id="flow-token-too-long",
    ),
    pytest.param(
        flow(flowToken=None), (*C, "flow", "flowToken"), "required", id="flow-token-missing"
    ),
    pytest.param(
        flow(screen=None), (*C, "flow", "screen"), "navigate", id="flow-navigate-without-screen"
    ),
    pytest.param(flow(data={}), (*C, "flow", "data"), "non-empty object", id="flow-empty-data"),
    pytest.param(
        flow(data=["a"]), (*C, "flow", "data"), "non-empty object", id="flow-data-not-object"
    ),
    pytest.param(
        flow(action="data_exchange"),
        (*C, "flow", "screen"),
        "takes no screen",
        id="flow-data-exchange-with-screen",
    ),
    pytest.param(
        flow(action="data_exchange", screen=None, data={"a": 1}),
        (*C, "flow", "data"),
        "takes no data",
        id="flow-data-exchange-with-data",
    ),
    pytest.param(
        flow(mode="live"), (*C, "flow", "mode"), "draft, published (got 'live')", id="flow-mode"
    ),
    pytest.param(
        flow(action="jump"), (*C, "flow", "action"), "data_exchange, navigate", id="flow-action"
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


def test_build_message_rejects_eleven_list_sections_and_so_eleven_rows() -> None:
    sections = [{"title": f"S{i}", "rows": rows(1, f"s{i}")} for i in range(11)]

    with pytest.raises(WagraphError) as info:
        build_message(to=TO, content=list_(sections=sections))

    assert [(p.field, p.message) for p in info.value.problems] == [
        (("content", "list", "sections"), "Give 1-10 list sections (got 11)"),
        (("content", "list", "sections"), "Give 1-10 list rows in total (got 11)"),
    ]


def test_build_message_reports_every_problem_at_once() -> None:
    # given: a bad number, and a buttons message wrong in four places
    content = {
        "buttons": {
            "body": "x" * 1100,
            "footer": "x" * 61,
            "buttons": [
                {"id": "a", "title": "One"},
                {"id": "a", "title": "x" * 21},
                {"id": "c", "title": "Three"},
                {"id": "d", "title": "Four"},
            ],
        }
    }

    # when
    problems = problems_of(lambda: build_message(to="123", content=content))

    # then
    path = ("content", "buttons")
    assert sorted(problems) == sorted(
        [
            (("to",), ErrorCode.INVALID_RECIPIENT),
            ((*path, "body"), INVALID),
            ((*path, "footer"), INVALID),
            ((*path, "buttons"), INVALID),
            ((*path, "buttons", "1", "id"), INVALID),
            ((*path, "buttons", "1", "title"), INVALID),
        ]
    )


def test_build_message_reports_a_missing_kind_and_a_bad_recipient_together() -> None:
    assert problems_of(lambda: build_message(to="", content={})) == [
        (("to",), ErrorCode.INVALID_RECIPIENT),
        (("content",), INVALID),
    ]


def test_problem_messages_name_the_limit() -> None:
    content = buttons(buttons=[{"id": "a", "title": "Afternoon delivery slot"}])

    assert single_problem(send(content))[2] == "Button title must be 1-20 characters (got 23)"


def test_limits_accept_their_maximum() -> None:
    content = {
        "list": {
            "body": "x" * 1024,
            "footer": "x" * 60,
            "header": "x" * 60,
            "buttonText": "x" * 20,
            "sections": [
                {
                    "title": "x" * 24,
                    "rows": [
                        {"id": "x" * 200, "title": "x" * 24, "description": "x" * 72},
                        *rows(4),
                    ],
                },
                *({"title": f"S{i}", "rows": rows(1, f"s{i}")} for i in range(5)),
            ],
        }
    }

    assert build_message(to=TO, content=content)["interactive"]["type"] == "list"
    assert build_message(to=TO, content=buttons(buttons=reply(3)))
    assert build_message(to=TO, content=text(body="x" * 4096))
    assert build_message(to=TO, content=image(caption="x" * 1024))
    assert build_message(to=TO, content=flow(flowToken="x" * 200, flowCta="x" * 20))


# --- Templates ----------------------------------------------------------------------------------


def template(**changes: Any) -> Callable[[], dict[str, Any]]:
    arguments = {
        "to": TO,
        "name": "order_update",
        "language": "en_US",
        "header": None,
        "body": [],
        "buttons": [],
        **changes,
    }
    return lambda: build_template(**arguments)


def test_build_template_with_every_parameter_type_and_button_sub_type() -> None:
    # given
    header = {"image": {"link": "https://example.com/p.jpg"}}
    body: list[dict[str, Any]] = [
        {"text": "Ana"},
        {"currency": {"fallbackValue": "$10.99", "code": "USD", "amount1000": 10990}},
        {"dateTime": {"fallbackValue": "March 3, 2026"}},
    ]
    buttons_ = [
        {"index": 0, "subType": "QUICK_REPLY", "parameter": "STOP_PROMO"},
        {"index": 1, "subType": "url", "parameter": "track/42"},
        {"index": 2, "subType": "COPY_CODE", "parameter": "SAVE20"},
        {"index": 3, "subType": "FLOW", "parameter": "sess-9f2c"},
    ]

    # when
    message = build_template(
        to="+1 555 123 4567",
        name="order_update",
        language="en_US",
        header=header,
        body=body,
        buttons=buttons_,
        reply_to_wamid=WAMID,
        callback_data="order-42",
    )

    # then
    assert message == envelope(
        "template",
        {
            "name": "order_update",
            "language": {"code": "en_US", "policy": "deterministic"},
            "components": [
                {
                    "type": "header",
                    "parameters": [
                        {"type": "image", "image": {"link": "https://example.com/p.jpg"}}
                    ],
                },
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Ana"},
                        {
                            "type": "currency",
                            "currency": {
                                "fallback_value": "$10.99",
                                "code": "USD",
                                "amount_1000": 10990,
                            },
                        },
                        {"type": "date_time", "date_time": {"fallback_value": "March 3, 2026"}},
                    ],
                },
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": "0",
                    "parameters": [{"type": "payload", "payload": "STOP_PROMO"}],
                },
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "1",
                    "parameters": [{"type": "text", "text": "track/42"}],
                },
                {
                    "type": "button",
                    "sub_type": "copy_code",
                    "index": "2",
                    "parameters": [{"type": "coupon_code", "coupon_code": "SAVE20"}],
                },
                {
                    "type": "button",
                    "sub_type": "flow",
                    "index": "3",
                    "parameters": [{"type": "action", "action": {"flow_token": "sess-9f2c"}}],
                },
            ],
        },
        context={"message_id": WAMID},
        biz_opaque_callback_data="order-42",
    )


@pytest.mark.parametrize(
    ("header", "parameter"),
    [
        ({"text": "Order #42"}, {"type": "text", "text": "Order #42"}),
        ({"video": {"mediaId": "9"}}, {"type": "video", "video": {"id": "9"}}),
        (
            {"document": {"mediaId": "9", "filename": "a.pdf"}},
            {"type": "document", "document": {"id": "9", "filename": "a.pdf"}},
        ),
        (
            {"location": {"latitude": 1.5, "longitude": 2, "name": "HQ", "address": "1 Way"}},
            {
                "type": "location",
                "location": {"latitude": 1.5, "longitude": 2, "name": "HQ", "address": "1 Way"},
            },
        ),
        (
            {"dateTime": {"fallbackValue": "Today"}},
            {"type": "date_time", "date_time": {"fallback_value": "Today"}},
        ),
    ],
)
def test_build_template_header_parameters(
    header: dict[str, Any], parameter: dict[str, Any]
) -> None:
    message = template(header=header)()

    assert message["template"]["components"] == [{"type": "header", "parameters": [parameter]}]


def test_build_template_without_parameters_has_no_components() -> None:
    assert template()() == envelope(
        "template",
        {"name": "order_update", "language": {"code": "en_US", "policy": "deterministic"}},
    )


def test_build_template_passes_named_parameters_through() -> None:
    message = template(body=[{"text": "Ana", "parameterName": "first_name"}])()

    assert message["template"]["components"] == [
        {
            "type": "body",
            "parameters": [{"type": "text", "text": "Ana", "parameter_name": "first_name"}],
        }
    ]


def test_build_template_allows_long_body_text_only_when_body_is_alone() -> None:
    long_text = "x" * 32768

    assert template(body=[{"text": long_text}])()
    field, code, message = single_problem(
        template(body=[{"text": long_text}], header={"text": "Hi"})
    )
    assert (field, code) == (("body", "0", "text"), INVALID)
    assert "1-1024 characters (got 32768)" in message


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "Order-Update"}, ("name",), "lower-case letters"),
        ({"name": ""}, ("name",), "lower-case letters"),
        ({"name": "x" * 513}, ("name",), "1-512"),
        ({"language": "english"}, ("language",), "like en or en_US"),
        ({"language": "en-US"}, ("language",), "like en or en_US"),
        ({"to": "12"}, ("to",), "7-15 digits"),
        ({"header": {"text": "x" * 61}}, ("header", "text"), "1-60 characters (got 61)"),
        ({"header": {}}, ("header",), "(got none)"),
        ({"header": {"text": "a", "image": {"mediaId": "1"}}}, ("header",), "(got text, image)"),
        (
            {"header": {"image": {"mediaId": "1", "link": "https://example.com/a.png"}}},
            ("header", "image"),
            "exactly one of mediaId, link",
        ),
        (
            {"header": {"image": {"mediaId": "1", "filename": "a.png"}}},
            ("header", "image", "filename"),
            "Only documents",
        ),
        (
            {"header": {"location": {"latitude": 1, "longitude": 2, "name": "HQ"}}},
            ("header", "location", "address"),
            "required",
        ),
        (
            {
                "header": {
                    "location": {"latitude": 100, "longitude": 2, "name": "HQ", "address": "1 Way"}
                }
            },
            ("header", "location", "latitude"),
            "-90 and 90",
        ),
        (
            {
                "body": [{"text": "a"}, {"text": "x" * 1025}],
                "buttons": [{"index": 0, "subType": "QUICK_REPLY", "parameter": "p"}],
            },
            ("body", "1", "text"),
            "1-1024 characters (got 1025)",
        ),
        ({"body": [{"text": ""}]}, ("body", "0", "text"), "(got 0)"),
        ({"body": [{"text": "line one\nline two"}]}, ("body", "0", "text"), "new lines"),
        ({"body": [{"text": "tab\there"}]}, ("body", "0", "text"), "tabs"),
        ({"body": [{"text": "five     spaces"}]}, ("body", "0", "text"), "4 consecutive spaces"),
        (
            {"body": [{"image": {"mediaId": "1"}}]},
            ("body", "0", "image"),
            "text, currency or dateTime (got image)",
        ),
        (
            {"body": [{"currency": {"fallbackValue": "$1", "code": "usd", "amount1000": 1000}}]},
            ("body", "0", "currency", "code"),
            "ISO 4217",
        ),
        (
            {"body": [{"currency": {"fallbackValue": "$1", "code": "USD", "amount1000": 1.5}}]},
            ("body", "0", "currency", "amount1000"),
            "integer",
        ),
        (
            {"body": [{"currency": {"code": "USD", "amount1000": 1000}}]},
            ("body", "0", "currency", "fallbackValue"),
            "required",
        ),
        ({"body": [{"dateTime": {}}]}, ("body", "0", "dateTime", "fallbackValue"), "required"),
        ({"body": [{"emoji": "x"}]}, ("body", "0", "emoji"), "Unknown template parameter"),
        (
            {"buttons": [{"index": 10, "subType": "URL", "parameter": "a"}]},
            ("buttons", "0", "index"),
            "0-9 (got 10)",
        ),
        (
            {"buttons": [{"index": "1", "subType": "URL", "parameter": "a"}]},
            ("buttons", "0", "index"),
            "whole number",
        ),
        (
            {
                "buttons": [
                    {"index": 0, "subType": "URL", "parameter": "a"},
                    {"index": 0, "subType": "URL", "parameter": "b"},
                ]
            },
            ("buttons", "1", "index"),
            "index 0 is given more than once",
        ),
        (
            {"buttons": [{"index": 0, "subType": "CALL", "parameter": "a"}]},
            ("buttons", "0", "subType"),
            "COPY_CODE, FLOW, QUICK_REPLY, URL",
        ),
        ({"buttons": [{"index": 0, "parameter": "a"}]}, ("buttons", "0", "subType"), "required"),
        (
            {"buttons": [{"index": 0, "subType": "QUICK_REPLY"}]},
            ("buttons", "0", "parameter"),
            "required",
        ),
        (
            {"buttons": [{"index": 0, "subType": "COPY_CODE", "parameter": "x" * 21}]},
            ("buttons", "0", "parameter"),
            "Coupon code must be 1-20 characters",
        ),
        (
            {"buttons": [{"index": 0, "subType": "FLOW", "parameter": "x" * 201}]},
            ("buttons", "0", "parameter"),
            "Flow token must be 1-200 characters",
        ),
        ({"callback_data": "x" * 513}, ("callbackData",), "1-512"),
    ],
)
def test_build_template_rejects_bad_parameters(
    changes: dict[str, Any], field: tuple[str, ...], message: str
) -> None:
    got_field, code, got_message = single_problem(template(**changes))

    expected_code = ErrorCode.INVALID_RECIPIENT if field == ("to",) else INVALID
    assert (got_field, code) == (field, expected_code)
    assert message in got_message


def test_build_template_reports_every_problem_at_once() -> None:
    problems = problems_of(
        template(
            name="Bad Name",
            language="xx-YY",
            header={"video": {}},
            body=[
                {"text": "ok"},
                {"location": {"latitude": 0, "longitude": 0, "name": "a", "address": "b"}},
            ],
            buttons=[{"index": 0, "subType": "URL", "parameter": ""}],
        )
    )

    assert problems == [
        (("name",), INVALID),
        (("language",), INVALID),
        (("header", "video"), INVALID),
        (("body", "1", "location"), INVALID),
        (("buttons", "0", "parameter"), INVALID),
    ]


# --- Template definitions -----------------------------------------------------------------------

ORDER_UPDATE: list[dict[str, Any]] = [  # reference §6.1
    {
        "type": "HEADER",
        "format": "TEXT",
        "text": "Order {{1}}",
        "example": {"header_text": ["#42"]},
    },
    {
        "type": "BODY",
        "text": "Hi {{1}}, your order ships {{2}}.",
        "example": {"body_text": [["Ana", "today"]]},
    },
    {"type": "FOOTER", "text": "Reply STOP to opt out"},
    {
        "type": "BUTTONS",
        "buttons": [
            {"type": "QUICK_REPLY", "text": "Stop promotions"},
            {"type": "URL", "text": "Track", "url": "https://example.com/{{1}}"},
            {"type": "URL", "text": "Shop", "url": "https://example.com/shop"},
            {"type": "PHONE_NUMBER", "text": "Call", "phone_number": "+15550001111"},
            {"type": "COPY_CODE", "example": "SAVE20"},
        ],
    },
]
MEDIA_HEADER: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aW..."]}},
    {"type": "BODY", "text": "Your receipt."},
]
NAMED: list[dict[str, Any]] = [
    {"type": "BODY", "text": "Hi {{first_name}}, {{ first_name }} again: order {{order_id}}."},
    {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]},
]


@pytest.mark.parametrize(
    ("components", "counts"),
    [
        (
            ORDER_UPDATE,
            {
                "header": 1,
                "header_format": "TEXT",
                "body": 2,
                "buttons": [
                    {"index": 0, "type": "QUICK_REPLY", "dynamic": False},
                    {"index": 1, "type": "URL", "dynamic": True},
                    {"index": 2, "type": "URL", "dynamic": False},
                    {"index": 3, "type": "PHONE_NUMBER", "dynamic": False},
                    {"index": 4, "type": "COPY_CODE", "dynamic": True},
                ],
            },
        ),
        (MEDIA_HEADER, {"header": 1, "header_format": "IMAGE", "body": 0, "buttons": []}),
        (
            NAMED,
            {
                "header": 0,
                "header_format": None,
                "body": 2,
                "buttons": [{"index": 0, "type": "OTP", "dynamic": True}],
            },
        ),
        (
            [
                {"type": "HEADER", "format": "TEXT", "text": "Welcome"},
                {"type": "BODY", "text": "{{1}} {{2}} {{1}}"},
            ],
            {"header": 0, "header_format": "TEXT", "body": 2, "buttons": []},
        ),
        ([], {"header": 0, "header_format": None, "body": 0, "buttons": []}),
    ],
)
def test_template_placeholder_counts(
    components: list[dict[str, Any]], counts: dict[str, Any]
) -> None:
    assert template_placeholder_counts(components) == counts


MATCHING_ORDER_UPDATE = {
    "header": {"text": "#42"},
    "body": [{"text": "Ana"}, {"dateTime": {"fallbackValue": "today"}}],
    "buttons": [
        {"index": 1, "subType": "URL", "parameter": "track/42"},
        {"index": 4, "subType": "COPY_CODE", "parameter": "SAVE20"},
        {"index": 0, "subType": "QUICK_REPLY", "parameter": "STOP"},
    ],
}


@pytest.mark.parametrize(
    ("definition", "parameters"),
    [
        (ORDER_UPDATE, MATCHING_ORDER_UPDATE),
        (MEDIA_HEADER, {"header": {"image": {"mediaId": "1"}}, "body": [], "buttons": []}),
        (
            NAMED,
            {
                "header": None,
                "body": [
                    {"text": "Ana", "parameterName": "first_name"},
                    {"text": "42", "parameterName": "order_id"},
                ],
                "buttons": [{"index": 0, "subType": "URL", "parameter": "123456"}],
            },
        ),
        ([{"type": "BODY", "text": "Hello"}], {"header": None, "body": [], "buttons": []}),
    ],
)
def test_check_template_parameters_accepts_matching_parameters(
    definition: list[dict[str, Any]], parameters: dict[str, Any]
) -> None:
    check_template_parameters(definition, **parameters)  # raises on a mismatch


def order_update(**changes: Any) -> Callable[[], None]:
    parameters = {**MATCHING_ORDER_UPDATE, **changes}
    return lambda: check_template_parameters(ORDER_UPDATE, **parameters)


@pytest.mark.parametrize(
    ("check", "field", "message"),
    [
        pytest.param(
            order_update(header=None),
            ("header",),
            "header is TEXT; give a text header parameter",
            id="header-missing",
        ),
        pytest.param(
            order_update(header={"image": {"mediaId": "1"}}),
            ("header",),
            "(got image)",
            id="text-header-given-media",
        ),
        pytest.param(
            lambda: check_template_parameters(
                MEDIA_HEADER, header={"video": {"mediaId": "1"}}, body=[], buttons=[]
            ),
            ("header",),
            "header is IMAGE; give an image header parameter (got video)",
            id="media-kind",
        ),
        pytest.param(
            lambda: check_template_parameters(MEDIA_HEADER, header=None, body=[], buttons=[]),
            ("header",),
            "give an image header parameter",
            id="media-header-missing",
        ),
        pytest.param(
            lambda: check_template_parameters(
                [{"type": "BODY", "text": "Hi"}], header={"text": "x"}, body=[], buttons=[]
            ),
            ("header",),
            "template has no header",
            id="no-header-defined",
        ),
        pytest.param(
            lambda: check_template_parameters(
                [{"type": "HEADER", "format": "TEXT", "text": "Hi"}],
                header={"text": "x"},
                body=[],
                buttons=[],
            ),
            ("header",),
            "header has no placeholder",
            id="static-text-header",
        ),
        pytest.param(
            order_update(body=[{"text": "Ana"}]),
            ("body",),
            "body has 2 parameters (got 1)",
            id="body-too-few",
        ),
        pytest.param(
            order_update(body=[{"text": "a"}] * 3),
            ("body",),
            "body has 2 parameters (got 3)",
            id="body-too-many",
        ),
        pytest.param(
            order_update(
                buttons=[
                    *MATCHING_ORDER_UPDATE["buttons"],
                    {"index": 7, "subType": "URL", "parameter": "x"},
                ]
            ),
            ("buttons", "3", "index"),
            "no button at index 7 (it has 5 buttons)",
            id="button-index-missing",
        ),
        pytest.param(
            order_update(
                buttons=[
                    {"index": 1, "subType": "QUICK_REPLY", "parameter": "x"},
                    {"index": 4, "subType": "COPY_CODE", "parameter": "SAVE20"},
                ]
            ),
            ("buttons", "0", "subType"),
            "URL button; use subType URL (got QUICK_REPLY)",
            id="sub-type-mismatch",
        ),
        pytest.param(
            order_update(
                buttons=[
                    *MATCHING_ORDER_UPDATE["buttons"],
                    {"index": 2, "subType": "URL", "parameter": "x"},
                ]
            ),
            ("buttons", "3", "parameter"),
            "fixed URL and takes no parameter",
            id="static-url-given-parameter",
        ),
        pytest.param(
            order_update(
                buttons=[
                    *MATCHING_ORDER_UPDATE["buttons"],
                    {"index": 3, "subType": "QUICK_REPLY", "parameter": "x"},
                ]
            ),
            ("buttons", "3"),
            "PHONE_NUMBER button and takes no parameter",
            id="phone-button-given-parameter",
        ),
        pytest.param(
            order_update(buttons=[{"index": 4, "subType": "COPY_CODE", "parameter": "SAVE20"}]),
            ("buttons",),
            "Button 1 (URL) needs a parameter",
            id="dynamic-url-without-parameter",
        ),
        pytest.param(
            order_update(buttons=[{"index": 1, "subType": "URL", "parameter": "track/42"}]),
            ("buttons",),
            "Button 4 (COPY_CODE) needs a parameter",
            id="coupon-missing",
        ),
        pytest.param(
            lambda: check_template_parameters(
                NAMED,
                header=None,
                body=[{"text": "Ana", "parameterName": "first_name"}, {"text": "42"}],
                buttons=[{"index": 0, "subType": "URL", "parameter": "123456"}],
            ),
            ("body", "1", "parameterName"),
            "first_name, order_id (got None)",
            id="named-parameter-missing-name",
        ),
    ],
)
def test_check_template_parameters_reports_each_mismatch(
    check: Callable[[], None], field: tuple[str, ...], message: str
) -> None:
    got_field, code, got_message = single_problem(check)

    assert (got_field, code) == (field, MISMATCH)
    assert message in got_message


def test_check_template_parameters_reports_every_mismatch_at_once() -> None:
    problems = problems_of(
        lambda: check_template_parameters(
            ORDER_UPDATE,
            header=None,
            body=[],
            buttons=[{"index": 9, "subType": "URL", "parameter": "x"}],
        )
    )

    assert problems == [
        (("header",), MISMATCH),
        (("body",), MISMATCH),
        (("buttons", "0", "index"), MISMATCH),
        (("buttons",), MISMATCH),
        (("buttons",), MISMATCH),
    ]


# --- Reactions and read receipts ----------------------------------------------------------------


@pytest.mark.parametrize(
    "emoji",
    [
        "\N{THUMBS UP SIGN}",
        "\N{THUMBS UP SIGN}\N{EMOJI MODIFIER FITZPATRICK TYPE-4}",  # skin tone
        "\N{HEAVY BLACK HEART}\ufe0f",  # with presentation selector
        "\N{REGIONAL INDICATOR SYMBOL LETTER F}\N{REGIONAL INDICATOR SYMBOL LETTER R}",  # flag
        "\N{WOMAN}\u200d\N{HEAVY BLACK HEART}\ufe0f\u200d\N{KISS MARK}\u200d\N{MAN}",  # ZWJ
        "\N{WAVING WHITE FLAG}\ufe0f\u200d\N{RAINBOW}",  # rainbow flag
        "\N{ADULT}\N{EMOJI MODIFIER FITZPATRICK TYPE-5}\u200d\N{PERSONAL COMPUTER}",
        "1\ufe0f\u20e3",  # keycap
        "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland
        "\N{FACE WITH TEARS OF JOY}",
        "",  # removes the reaction
    ],
)
def test_build_reaction_takes_one_emoji_or_nothing(emoji: str) -> None:
    reaction = build_reaction(to="+15551234567", message_wamid=WAMID, emoji=emoji)

    assert reaction == envelope("reaction", {"message_id": WAMID, "emoji": emoji})


@pytest.mark.parametrize(
    "emoji",
    [
        "ok",
        "\N{THUMBS UP SIGN}\N{THUMBS UP SIGN}",
        "\N{THUMBS UP SIGN} ",
        "a\N{THUMBS UP SIGN}",
        "1",
        "#",
        "\N{EMOJI MODIFIER FITZPATRICK TYPE-4}",
        "\N{REGIONAL INDICATOR SYMBOL LETTER F}",
        "\N{THUMBS UP SIGN}\u200d",
    ],
)
def test_build_reaction_rejects_anything_but_one_emoji(emoji: str) -> None:
    field, code, message = single_problem(
        lambda: build_reaction(to=TO, message_wamid=WAMID, emoji=emoji)
    )

    assert (field, code) == (("emoji",), INVALID)
    assert "exactly one emoji" in message


def test_build_reaction_needs_a_message_and_a_recipient() -> None:
    assert problems_of(lambda: build_reaction(to="x", message_wamid="", emoji="ok")) == [
        (("to",), ErrorCode.INVALID_RECIPIENT),
        (("messageId",), INVALID),
        (("emoji",), INVALID),
    ]


def test_build_mark_as_read() -> None:
    assert build_mark_as_read(wamid=WAMID) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": WAMID,
    }
    assert build_mark_as_read(wamid=WAMID, typing_indicator=True) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": WAMID,
        "typing_indicator": {"type": "text"},
    }
    assert problems_of(lambda: build_mark_as_read(wamid="")) == [(("messageId",), INVALID)]


# --- describe() ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "preview"),
    [
        (text(body="Hi there"), "text: Hi there"),
        (text(body="Line one\n\n  line   two"), "text: Line one line two"),
        (image(caption="Our shop"), "image: Our shop"),
        (image(), "image"),
        ({"document": {"mediaId": "1", "filename": "invoice.pdf"}}, "document: invoice.pdf"),
        ({"audio": {"mediaId": "1"}}, "audio"),
        (location(name="HQ", address="1 Hacker Way"), "location: HQ"),
        (location(address="1 Hacker Way"), "location: 1 Hacker Way"),
        (location(), "location: 37.48, -122.14"),
        (contacts(card(), {"name": {"formattedName": "John Roe"}}), "contacts: Jane Doe, John Roe"),
        (
            {
                "buttons": {
                    "body": "Confirm?",
                    "buttons": [
                        {"id": "am", "title": "Morning"},
                        {"id": "pm", "title": "Afternoon"},
                    ],
                }
            },
            "buttons: Confirm? [Morning|Afternoon]",
        ),
        (list_(sections=[{"title": "N", "rows": rows(2)}]), "list: Pick a branch [Row 0|Row 1]"),
        (cta(), "ctaUrl: Track [Track]"),
        (flow(), "flow: Book [Open form]"),
        ({"text": None, "flow": {"body": "Book"}}, "flow: Book"),
        ({}, ""),
        ({"buttons": {"buttons": "not a list"}}, "buttons"),
        ({"location": "somewhere"}, "location"),
        ({"contacts": [None, {"name": "Jane"}]}, "contacts"),
    ],
)
def test_describe(content: dict[str, Any], preview: str) -> None:
    assert describe(content) == preview


def test_describe_truncates_to_200_characters() -> None:
    preview = describe(text(body="x" * 500))

    assert len(preview) == 200
    assert preview.startswith("text: xxx")
    assert preview.endswith("x\N{HORIZONTAL ELLIPSIS}")
