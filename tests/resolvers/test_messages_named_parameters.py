"""sendTemplate with named parameters (parameter_format NAMED), end to end with the sandbox.

A NAMED template's placeholders read `{{first_name}}`: the send gives `namedHeader` /
`namedBody` entries `{name, parameter}` beside the positional `header` / `body`, and Meta gets
each parameter with its `parameter_name`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from models import MessageStatus, WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import CUSTOMER, GraphQL
from tests.resolvers.test_messages_send import graph_requests
from tests.resolvers.test_messages_template_reaction_read import TEMPLATE
from whatsapp.kit.clock import utcnow
from whatsapp.messages import scheduling
from whatsapp.runtime import Runtime

pytestmark = pytest.mark.usefixtures("customer")

ORDER_READY = {  # created at Meta with parameter_format NAMED
    "name": "order_ready",
    "language": "en_US",
    "category": "UTILITY",
    "parameter_format": "NAMED",
    "components": [
        {
            "type": "HEADER",
            "format": "TEXT",
            "text": "Order {{order_id}}",
            "example": {"header_text_named_params": [{"param_name": "order_id", "example": "#42"}]},
        },
        {
            "type": "BODY",
            "text": "Hi {{first_name}}, your order arrives {{eta}}.",
            "example": {
                "body_text_named_params": [
                    {"param_name": "first_name", "example": "Ana"},
                    {"param_name": "eta", "example": "March 3"},
                ]
            },
        },
        {
            "type": "BUTTONS",
            "buttons": [
                {
                    "type": "URL",
                    "text": "Track",
                    "url": "https://shop.example.com/track/{{1}}",
                    "example": ["https://shop.example.com/track/42"],
                }
            ],
        },
    ],
}
NAMED_INPUT: dict[str, Any] = {
    "to": CUSTOMER,
    "name": "order_ready",
    "language": "en_US",
    "namedHeader": {"name": "order_id", "parameter": {"text": "#42"}},
    "namedBody": [
        {"name": "eta", "parameter": {"dateTime": {"fallbackValue": "March 3"}}},
        {"name": "first_name", "parameter": {"text": "Ana"}},
    ],
    "buttons": [{"index": 0, "subType": "URL", "parameter": "42"}],
}
NAMED_COMPONENTS = [
    {
        "type": "header",
        "parameters": [{"type": "text", "text": "#42", "parameter_name": "order_id"}],
    },
    {
        "type": "body",
        "parameters": [
            {
                "type": "date_time",
                "date_time": {"fallback_value": "March 3"},
                "parameter_name": "eta",
            },
            {"type": "text", "text": "Ana", "parameter_name": "first_name"},
        ],
    },
    {
        "type": "button",
        "sub_type": "url",
        "index": "0",
        "parameters": [{"type": "text", "text": "42"}],
    },
]
MISMATCH = "TEMPLATE_PARAMETER_MISMATCH"


@pytest.fixture
async def order_ready(sandbox: Sandbox, sandbox_url: str) -> None:
    """Meta has the NAMED template; wagraph has not synced it (the send fetches it once)."""
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox") as http:
        (await http.post("/templates", json=ORDER_READY)).raise_for_status()


@pytest.fixture
def rt(client: httpx.AsyncClient) -> Runtime:
    return client.app.state.runtime  # type: ignore[attr-defined, no-any-return]


def template_sends(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [body for body in graph_requests(sandbox) if body.get("type") == "template"]


@pytest.mark.usefixtures("order_ready")
async def test_named_parameters_reach_meta_with_their_names(gql: GraphQL, sandbox: Sandbox) -> None:
    # when
    result = await gql(TEMPLATE, {"input": NAMED_INPUT})

    # then: Meta got every parameter with its name, in the order given
    payload = result["data"]["sendTemplate"]
    assert payload["errors"] == []
    assert payload["message"]["status"] == "SENT"
    assert [body["template"] for body in template_sends(sandbox)] == [
        {
            "name": "order_ready",
            "language": {"code": "en_US", "policy": "deterministic"},
            "components": NAMED_COMPONENTS,
        }
    ]
    row = await WhatsAppMessage.get(id=payload["message"]["id"])
    assert row.content is not None
    assert row.content["template"]["namedBody"] == NAMED_INPUT["namedBody"]
    assert row.content["template"]["namedHeader"] == NAMED_INPUT["namedHeader"]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        pytest.param(
            {
                "namedBody": [
                    *NAMED_INPUT["namedBody"],
                    {"name": "last", "parameter": {"text": "S"}},
                ]
            },
            [(["input", "namedBody", "2", "name"], "no placeholder {{last}}")],
            id="unknown-name",
        ),
        pytest.param(
            {"namedBody": NAMED_INPUT["namedBody"][:1]},
            [(["input", "namedBody"], "Missing 1 parameter for {{first_name}}")],
            id="missing-name",
        ),
        pytest.param(
            {
                "namedHeader": None,
                "namedBody": None,
                "header": {"text": "#42"},
                "body": [{"text": "Ana"}, {"text": "March 3"}],
            },
            [
                (["input", "header"], "give them in namedHeader"),
                (["input", "body"], "give them in namedBody"),
            ],
            id="positional-lists-for-a-named-template",
        ),
        pytest.param(
            {"namedBody": None, "body": [{"text": "Ana"}, {"text": "March 3"}]},
            [(["input", "body"], "Named and positional parameters cannot be mixed")],
            id="mixed",
        ),
        pytest.param(
            {"body": [{"text": "Ana"}]},
            [(["input", "namedBody"], "not both")],
            id="both-forms",
        ),
    ],
)
@pytest.mark.usefixtures("order_ready")
async def test_named_parameter_mistakes_are_refused_before_meta_is_called(
    gql: GraphQL, sandbox: Sandbox, changes: dict[str, Any], errors: list[tuple[list[str], str]]
) -> None:
    # when
    result = await gql(TEMPLATE, {"input": {**NAMED_INPUT, **changes}})

    # then
    payload = result["data"]["sendTemplate"]
    assert payload["message"] is None
    got = payload["errors"]
    assert [(e["field"], e["code"]) for e in got] == [(field, MISMATCH) for field, _ in errors]
    assert all(fragment in e["message"] for e, (_, fragment) in zip(got, errors, strict=True))
    assert template_sends(sandbox) == []


async def test_a_named_list_for_a_positional_template_is_refused(
    gql: GraphQL, sandbox: Sandbox
) -> None:
    # given: appointment_reminder's body reads {{1}} {{2}} {{3}}
    named = [{"name": str(i), "parameter": {"text": "x"}} for i in (1, 2, 3)]

    # when
    result = await gql(
        TEMPLATE,
        {
            "input": {
                "to": CUSTOMER,
                "name": "appointment_reminder",
                "language": "en_US",
                "namedBody": named,
            }
        },
    )

    # then
    [error] = result["data"]["sendTemplate"]["errors"]
    assert (error["field"], error["code"]) == (["input", "namedBody"], MISMATCH)
    assert "placeholders are positional" in error["message"]
    assert template_sends(sandbox) == []


@pytest.mark.usefixtures("order_ready")
async def test_a_scheduled_send_keeps_the_names(
    gql: GraphQL, sandbox: Sandbox, rt: Runtime
) -> None:
    # given: scheduled, checked against the template now
    scheduled_for = utcnow() + timedelta(minutes=5)
    result = await gql(
        TEMPLATE, {"input": {**NAMED_INPUT, "scheduleFor": scheduled_for.isoformat()}}
    )
    assert result["data"]["sendTemplate"]["errors"] == []
    message_id = result["data"]["sendTemplate"]["message"]["id"]

    # when: it falls due
    flushed = await scheduling.process_scheduled_messages(rt, now=scheduled_for)

    # then
    assert flushed.sent == 1
    [sent] = template_sends(sandbox)
    assert sent["template"]["components"] == NAMED_COMPONENTS
    assert sent["biz_opaque_callback_data"] == message_id
    assert (await WhatsAppMessage.get(id=message_id)).status == MessageStatus.SENT


async def test_the_seeded_named_marketing_template_with_an_image_header(
    gql: GraphQL, sandbox: Sandbox
) -> None:
    # given: seasonal_promo (MARKETING, NAMED body, IMAGE header) is seeded at Meta
    named = {"first_name": "Ana", "sale_name": "summer", "discount": "30%", "end_date": "Sunday"}

    # when: the image goes in header (it has no name), the text by name
    result = await gql(
        TEMPLATE,
        {
            "input": {
                "to": CUSTOMER,
                "name": "seasonal_promo",
                "language": "en_US",
                "header": {"image": {"mediaId": "1013859600285441"}},
                "namedBody": [{"name": k, "parameter": {"text": v}} for k, v in named.items()],
            }
        },
    )

    # then
    assert result["data"]["sendTemplate"]["errors"] == []
    [sent] = template_sends(sandbox)
    assert sent["template"]["components"] == [
        {"type": "header", "parameters": [{"type": "image", "image": {"id": "1013859600285441"}}]},
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": v, "parameter_name": k} for k, v in named.items()
            ],
        },
    ]
