"""Interactive messages: reply buttons, lists, CTA URL and flows, with Meta's limits."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import MESSAGES, error_of, message


def _buttons(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"type": "reply", "reply": {"id": i, "title": t}} for i, t in pairs]


BUTTON: dict[str, Any] = {
    "type": "button",
    "header": {"type": "text", "text": "Order #42"},
    "body": {"text": "Confirm delivery slot?"},
    "footer": {"text": "Reply within 1h"},
    "action": {"buttons": _buttons(("slot_am", "Morning"), ("slot_pm", "Afternoon"))},
}
LIST: dict[str, Any] = {
    "type": "list",
    "body": {"text": "Pick a branch"},
    "action": {
        "button": "Branches",
        "sections": [
            {"title": "North", "rows": [{"id": "br_1", "title": "Uptown", "description": "9-18"}]},
            {"title": "South", "rows": [{"id": "br_2", "title": "Harbour"}]},
        ],
    },
}
CTA: dict[str, Any] = {
    "type": "cta_url",
    "body": {"text": "Track your parcel"},
    "action": {
        "name": "cta_url",
        "parameters": {"display_text": "Track", "url": "https://example.com/t/42"},
    },
}
FLOW: dict[str, Any] = {
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
}
BASES = {"button": BUTTON, "list": LIST, "cta_url": CTA, "flow": FLOW}


def variant(base: str, path: str, value: Any) -> dict[str, Any]:
    """A copy of a base payload with `path` (dotted, `[i]` for lists) set, or deleted if ..."""
    payload = copy.deepcopy(BASES[base])
    target: Any = payload
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    key: Any = int(last) if last.isdigit() else last
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return payload


async def send(client: httpx.AsyncClient, interactive: Any) -> httpx.Response:
    return await client.post(MESSAGES, json=message("interactive", interactive=interactive))


@pytest.mark.parametrize("base", list(BASES))
async def test_valid_payloads_are_accepted(client: httpx.AsyncClient, base: str) -> None:
    assert (await send(client, BASES[base])).status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        variant(
            "button", "header", {"type": "image", "image": {"link": "https://a.example/a.jpg"}}
        ),
        variant(
            "button",
            "header",
            {"type": "document", "document": {"id": "1013859600285442", "filename": "a.pdf"}},
        ),
        variant("button", "action.buttons", _buttons(("a", "A"), ("b", "B"), ("c", "C"))),
        variant("button", "action.buttons.0.reply.title", "x" * 20),
        variant("button", "action.buttons.0.reply.id", "i" * 256),
        variant("list", "action.sections", [{"rows": [{"id": "r", "title": "Only"}]}]),
        variant(
            "list",
            "action.sections",
            [{"title": f"S{i}", "rows": [{"id": f"r{i}", "title": "t"}]} for i in range(10)],
        ),
        variant(
            "cta_url", "header", {"type": "video", "video": {"link": "https://a.example/v.mp4"}}
        ),
        variant(
            "flow",
            "action.parameters",
            {
                "flow_message_version": "3",
                "flow_name": "booking",
                "flow_cta": "Book",
                "flow_action": "data_exchange",
                "mode": "draft",
            },
        ),
        {
            "type": "location_request_message",
            "body": {"text": "Where are you?"},
            "action": {"name": "send_location"},
        },
    ],
    ids=[
        "image-header",
        "document-header",
        "three-buttons",
        "title-20",
        "id-256",
        "one-section-untitled",
        "ten-rows",
        "cta-video-header",
        "flow-data-exchange",
        "location-request",
    ],
)
async def test_edge_values_are_accepted(client: httpx.AsyncClient, payload: Any) -> None:
    response = await send(client, payload)

    assert response.status_code == 200, response.text


CASES: list[tuple[str, Any, int, str]] = [
    # common
    ("no-type", variant("button", "type", ...), 131008, "interactive.type"),
    ("bad-type", variant("button", "type", "carousel_x"), 131009, "interactive.type"),
    ("product", variant("button", "type", "product"), 131051, "product"),
    ("no-body", variant("button", "body", ...), 131008, "interactive.body"),
    ("body-1025", variant("button", "body.text", "x" * 1025), 131009, "Max length: 1024"),
    ("footer-61", variant("button", "footer.text", "x" * 61), 131009, "Max length: 60"),
    ("header-61", variant("button", "header.text", "x" * 61), 131009, "Max length: 60"),
    ("header-gif", variant("button", "header", {"type": "gif"}), 131009, "header.type"),
    ("no-action", variant("button", "action", ...), 131008, "interactive.action"),
    ("unknown-key", variant("button", "colour", "red"), 100, '"colour"'),
    # reply buttons
    ("zero-buttons", variant("button", "action.buttons", []), 131009, "Min: 1, Max: 3"),
    (
        "four-buttons",
        variant(
            "button", "action.buttons", _buttons(("a", "A"), ("b", "B"), ("c", "C"), ("d", "D"))
        ),
        131009,
        "Min: 1, Max: 3",
    ),
    (
        "title-empty",
        variant("button", "action.buttons.0.reply.title", ""),
        131009,
        "Button title length invalid. Min length: 1, Max length: 20",
    ),
    (
        "title-blank",
        variant("button", "action.buttons.0.reply.title", "   "),
        131009,
        "Button title length invalid",
    ),
    (
        "title-21",
        variant("button", "action.buttons.0.reply.title", "x" * 21),
        131009,
        "Button title length invalid. Min length: 1, Max length: 20",
    ),
    ("title-dup", variant("button", "action.buttons.1.reply.title", "Morning"), 131009, "unique"),
    ("id-dup", variant("button", "action.buttons.1.reply.id", "slot_am"), 131009, "unique"),
    (
        "id-257",
        variant("button", "action.buttons.0.reply.id", "i" * 257),
        131009,
        "Max length: 256",
    ),
    ("id-spaces", variant("button", "action.buttons.0.reply.id", " a"), 131009, "spaces"),
    ("button-type", variant("button", "action.buttons.0.type", "url"), 131009, "'reply'"),
    # list
    ("list-no-label", variant("list", "action.button", ...), 131008, "action.button"),
    ("list-label-21", variant("list", "action.button", "x" * 21), 131009, "Max length: 20"),
    ("list-no-sections", variant("list", "action.sections", []), 131009, "Min: 1, Max: 10"),
    (
        "list-11-sections",
        variant(
            "list",
            "action.sections",
            [{"title": f"S{i}", "rows": [{"id": f"r{i}", "title": "t"}]} for i in range(11)],
        ),
        131009,
        "Min: 1, Max: 10",
    ),
    (
        "list-11-rows",
        variant(
            "list",
            "action.sections",
            [
                {"title": "A", "rows": [{"id": f"a{i}", "title": "t"} for i in range(6)]},
                {"title": "B", "rows": [{"id": f"b{i}", "title": "t"} for i in range(5)]},
            ],
        ),
        131009,
        "max allowed count: 10",
    ),
    (
        "list-untitled-of-two",
        variant("list", "action.sections.1.title", ...),
        131008,
        "sections[1].title",
    ),
    (
        "list-section-25",
        variant("list", "action.sections.0.title", "x" * 25),
        131009,
        "Section title length invalid",
    ),
    ("list-row-dup", variant("list", "action.sections.1.rows.0.id", "br_1"), 131009, "unique"),
    (
        "list-row-id-201",
        variant("list", "action.sections.0.rows.0.id", "r" * 201),
        131009,
        "Row id length invalid",
    ),
    (
        "list-row-title-25",
        variant("list", "action.sections.0.rows.0.title", "x" * 25),
        131009,
        "Row title length invalid",
    ),
    (
        "list-row-desc-73",
        variant("list", "action.sections.0.rows.0.description", "x" * 73),
        131009,
        "Row description length invalid",
    ),
    ("list-empty-rows", variant("list", "action.sections.0.rows", []), 131009, "at least one"),
    (
        "list-image-header",
        variant("list", "header", {"type": "image", "image": {"link": "https://a.example/a.jpg"}}),
        131009,
        "{text}",
    ),
    # cta_url
    (
        "cta-text-21",
        variant("cta_url", "action.parameters.display_text", "x" * 21),
        131009,
        "Display text length invalid",
    ),
    ("cta-no-url", variant("cta_url", "action.parameters.url", ...), 131008, "url"),
    ("cta-ftp", variant("cta_url", "action.parameters.url", "ftp://a.example"), 131009, "http"),
    ("cta-name", variant("cta_url", "action.name", "open"), 131009, "'cta_url'"),
    # flow
    (
        "flow-version",
        variant("flow", "action.parameters.flow_message_version", "2"),
        131009,
        "flow_message_version",
    ),
    (
        "flow-no-version",
        variant("flow", "action.parameters.flow_message_version", ...),
        131008,
        "flow_message_version",
    ),
    (
        "flow-id-and-name",
        variant("flow", "action.parameters.flow_name", "booking"),
        131009,
        "exactly one of flow_id or flow_name",
    ),
    (
        "flow-neither",
        variant("flow", "action.parameters.flow_id", ...),
        131008,
        "one of flow_id or flow_name",
    ),
    (
        "flow-cta-21",
        variant("flow", "action.parameters.flow_cta", "x" * 21),
        131009,
        "Flow CTA length invalid",
    ),
    ("flow-cta-missing", variant("flow", "action.parameters.flow_cta", ...), 131008, "flow_cta"),
    (
        "flow-navigate-no-payload",
        variant("flow", "action.parameters.flow_action_payload", ...),
        131008,
        "flow_action_payload",
    ),
    (
        "flow-navigate-no-screen",
        variant("flow", "action.parameters.flow_action_payload", {"data": {"a": 1}}),
        131008,
        "screen",
    ),
    (
        "flow-empty-data",
        variant("flow", "action.parameters.flow_action_payload", {"screen": "WELCOME", "data": {}}),
        131009,
        "non-empty",
    ),
    (
        "flow-exchange-with-payload",
        variant("flow", "action.parameters.flow_action", "data_exchange"),
        131009,
        "omitted",
    ),
    (
        "flow-bad-action",
        variant("flow", "action.parameters.flow_action", "jump"),
        131009,
        "flow_action",
    ),
    ("flow-bad-mode", variant("flow", "action.parameters.mode", "test"), 131009, "mode"),
    ("flow-name", variant("flow", "action.name", "form"), 131009, "'flow'"),
]


@pytest.mark.parametrize(
    ("payload", "code", "detail"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_rejections(client: httpx.AsyncClient, payload: Any, code: int, detail: str) -> None:
    response = await send(client, payload)

    error = error_of(response, 400, code)
    assert detail in error["error_data"]["details"]
