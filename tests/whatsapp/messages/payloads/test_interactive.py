"""build_message for interactive kinds: reply buttons, lists, a CTA URL, flows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.whatsapp.messages.payloads.samples import TO, envelope, flow
from whatsapp.messages.payloads import build_message

# --- The exact Graph JSON of every interactive kind ---------------------------------------------

GRAPH_CASES = [
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


def test_build_message_does_not_copy_flow_data() -> None:
    data = {"slots": ["am", "pm"]}

    message = build_message(to=TO, content=flow(data=data))

    assert message["interactive"]["action"]["parameters"]["flow_action_payload"]["data"] is data
