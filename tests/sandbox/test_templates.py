"""`/{WABA}/message_templates`: listing with cursors and filters, create, delete; upstream edits."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import (
    MESSAGES,
    WABA,
    Receiver,
    error_of,
    message,
    signature_ok,
    wait_for,
)

TEMPLATES = f"/v23.0/{WABA}/message_templates"
SEEDED = 17


async def list_templates(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get(TEMPLATES, params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_default_listing_fits_one_page(client: httpx.AsyncClient) -> None:
    page = await list_templates(client)

    assert len(page["data"]) == SEEDED
    assert set(page["paging"]) == {"cursors"}
    assert set(page["paging"]["cursors"]) == {"before", "after"}
    names = {t["name"] for t in page["data"]}
    assert {"hello_world", "order_update", "verification_code"} <= names
    first = page["data"][0]
    assert set(first) >= {
        "id",
        "name",
        "language",
        "status",
        "category",
        "components",
        "parameter_format",
        "quality_score",
    }


async def test_seed_covers_statuses_categories_languages_and_shapes(
    client: httpx.AsyncClient,
) -> None:
    data = (await list_templates(client))["data"]

    assert {t["status"] for t in data} == {"APPROVED", "PAUSED", "DISABLED", "REJECTED", "PENDING"}
    assert {t["category"] for t in data} == {"MARKETING", "UTILITY", "AUTHENTICATION"}
    assert {"en_US", "pt_BR", "es"} <= {t["language"] for t in data}
    components = [c for t in data for c in t["components"]]
    assert {c["format"] for c in components if c["type"] == "HEADER"} == {
        "TEXT",
        "IMAGE",
        "DOCUMENT",
        "VIDEO",
        "LOCATION",
    }
    buttons = {b["type"] for c in components if c["type"] == "BUTTONS" for b in c["buttons"]}
    assert buttons == {"QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE"}
    named = [t for t in data if t["parameter_format"] == "NAMED"]
    assert [t["name"] for t in named] == ["seasonal_promo"]
    assert all(t["parameter_format"] == "POSITIONAL" for t in data if t not in named)


async def test_walking_next_links_returns_every_template_once(
    client: httpx.AsyncClient,
) -> None:
    # given
    seen: list[str] = []
    url: str | None = f"{TEMPLATES}?limit=5"
    pages = 0

    # when
    while url is not None:
        response = await client.get(url)
        assert response.status_code == 200
        page = response.json()
        seen.extend(t["id"] for t in page["data"])
        assert len(page["data"]) <= 5
        url = page["paging"].get("next")
        if url is not None:
            assert url.startswith("http://sandbox.test/v23.0/")  # absolute, on the sandbox
            assert parse_qs(urlsplit(url).query)["limit"] == ["5"]
        pages += 1

    # then
    assert pages == 4
    assert len(seen) == len(set(seen)) == SEEDED


async def test_before_cursor_and_previous_link(client: httpx.AsyncClient) -> None:
    first = await list_templates(client, limit=5)
    second = await list_templates(client, limit=5, after=first["paging"]["cursors"]["after"])

    assert "previous" in second["paging"]
    assert "previous" not in first["paging"]
    back = await list_templates(client, limit=5, before=second["paging"]["cursors"]["before"])
    assert [t["id"] for t in back["data"]] == [t["id"] for t in first["data"]]
    previous = await client.get(second["paging"]["previous"])
    assert [t["id"] for t in previous.json()["data"]] == [t["id"] for t in first["data"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"name": "order"},
            {("order_update", "en_US"), ("order_update", "pt_BR"), ("order_update", "es")},
        ),
        ({"name": "ORDER_UP", "language": "es"}, {("order_update", "es")}),
        ({"status": "PAUSED"}, {("winter_clearance", "en_US")}),
        ({"status": "DISABLED,REJECTED"}, {("legacy_welcome", "en_US"), ("flash_deal", "en_US")}),
        (
            {"category": "AUTHENTICATION"},
            {("verification_code", "en_US"), ("verification_code", "pt_BR")},
        ),
        (
            {"language": "pt_BR"},
            {
                ("order_update", "pt_BR"),
                ("cupom_desconto", "pt_BR"),
                ("verification_code", "pt_BR"),
            },
        ),
        (
            {"category": "MARKETING", "status": "APPROVED"},
            {
                ("seasonal_promo", "en_US"),
                ("cupom_desconto", "pt_BR"),
                ("new_arrivals_video", "en_US"),
            },
        ),
        ({"quality_score": "RED"}, {("winter_clearance", "en_US"), ("legacy_welcome", "en_US")}),
        ({"name": "nothing_matches"}, set()),
    ],
)
async def test_filters(
    client: httpx.AsyncClient, params: dict[str, str], expected: set[tuple[str, str]]
) -> None:
    page = await list_templates(client, **params)

    assert {(t["name"], t["language"]) for t in page["data"]} == expected


async def test_empty_result_has_no_paging(client: httpx.AsyncClient) -> None:
    assert await list_templates(client, name="zzz") == {"data": []}


async def test_fields_projection_always_includes_id(client: httpx.AsyncClient) -> None:
    page = await list_templates(client, fields="name,status", limit=2)

    assert [set(t) for t in page["data"]] == [{"name", "status", "id"}] * 2


async def test_unknown_field_is_rejected(client: httpx.AsyncClient) -> None:
    error = error_of(await client.get(TEMPLATES, params={"fields": "name,colour"}), 400, 100)
    assert "nonexisting field (colour)" in error["message"]


async def test_limit_is_validated_and_capped(client: httpx.AsyncClient) -> None:
    error_of(await client.get(TEMPLATES, params={"limit": "0"}), 400, 100)
    error_of(await client.get(TEMPLATES, params={"limit": "ten"}), 400, 100)
    assert len((await list_templates(client, limit=1000))["data"]) == SEEDED


async def test_summary_total_count(client: httpx.AsyncClient) -> None:
    page = await list_templates(client, summary="total_count", limit=2)

    assert page["summary"]["total_count"] == SEEDED


async def test_unknown_waba_is_code_100_subcode_33(client: httpx.AsyncClient) -> None:
    response = await client.get("/v23.0/555/message_templates")

    error = error_of(response, 400, 100)
    assert error["error_subcode"] == 33
    assert error["type"] == "GraphMethodException"
    assert error["message"].startswith("Unsupported get request. Object with ID '555'")


async def test_get_template_by_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/v23.0/920070352646101", params={"fields": "name"})

    assert response.json() == {"name": "hello_world", "id": "920070352646101"}


NEW_TEMPLATE = {
    "name": "shipping_delay",
    "language": "en_US",
    "category": "UTILITY",
    "components": [
        {
            "type": "HEADER",
            "format": "TEXT",
            "text": "Order {{1}}",
            "example": {"header_text": ["#42"]},
        },
        {
            "type": "BODY",
            "text": "Hi {{1}}, order {{2}} is delayed.",
            "example": {"body_text": [["Ana", "#42"]]},
        },
        {"type": "FOOTER", "text": "Sorry!"},
        {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "OK"}]},
    ],
}


async def test_create_is_pending_then_approved_with_signed_webhook(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # when
    response = await client.post(TEMPLATES, json=NEW_TEMPLATE)

    # then
    assert response.status_code == 200
    created = response.json()
    assert created["status"] == "PENDING"
    assert created["category"] == "UTILITY"
    assert created["id"].isdigit()
    assert await sandbox.drain(5)
    (value,) = hooks.of_field("message_template_status_update")
    assert value == {
        "event": "APPROVED",
        "message_template_id": int(created["id"]),
        "message_template_name": "shipping_delay",
        "message_template_language": "en_US",
        "reason": "NONE",
        "message_template_category": "UTILITY",
    }
    assert signature_ok(hooks.deliveries[0])
    assert "time" in hooks.deliveries[0].payload["entry"][0]
    page = await list_templates(client, name="shipping_delay")
    assert page["data"][0]["status"] == "APPROVED"
    send = await client.post(
        MESSAGES,
        json=message(
            "template",
            template={
                "name": "shipping_delay",
                "language": {"code": "en_US"},
                "components": [
                    {"type": "header", "parameters": [{"type": "text", "text": "#1"}]},
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "Ana"},
                            {"type": "text", "text": "#1"},
                        ],
                    },
                ],
            },
        ),
    )
    assert send.status_code == 200, send.text


async def test_pending_template_cannot_be_sent(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.config.template_review_delay_s = 5.0
    await client.post(TEMPLATES, json=NEW_TEMPLATE)

    response = await client.post(
        MESSAGES,
        json=message(
            "template", template={"name": "shipping_delay", "language": {"code": "en_US"}}
        ),
    )

    error_of(response, 404, 132001)


async def test_reject_prefix_is_rejected(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    await client.post(TEMPLATES, json={**NEW_TEMPLATE, "name": "reject_me"})
    assert await sandbox.drain(5)

    (value,) = hooks.of_field("message_template_status_update")
    assert (value["event"], value["reason"]) == ("REJECTED", "INVALID_FORMAT")
    page = await list_templates(client, name="reject_me")
    assert page["data"][0]["status"] == "REJECTED"


async def test_review_completes_without_webhook_url(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    await client.post(TEMPLATES, json=NEW_TEMPLATE)

    await wait_for(
        lambda: sandbox.templates.get("shipping_delay", "en_US").data["status"] == "APPROVED"
    )


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({**NEW_TEMPLATE, "name": "Bad Name"}, "lowercase"),
        ({**NEW_TEMPLATE, "category": "PROMO"}, "category"),
        ({**NEW_TEMPLATE, "language": "english"}, "language"),
        ({k: v for k, v in NEW_TEMPLATE.items() if k != "components"}, "components is required"),
        ({**NEW_TEMPLATE, "components": [{"type": "FOOTER", "text": "x"}]}, "BODY"),
        ({**NEW_TEMPLATE, "components": [{"type": "BODY", "text": "Hi {{1}}"}]}, "example"),
        (
            {**NEW_TEMPLATE, "components": [{"type": "BODY", "text": "Hi {{2}}", "example": {}}]},
            "sequential",
        ),
        ({**NEW_TEMPLATE, "components": [{"type": "BODY", "text": "x" * 1025}]}, "1024"),
        (
            {
                **NEW_TEMPLATE,
                "components": [
                    {"type": "BODY", "text": "x"},
                    {
                        "type": "BUTTONS",
                        "buttons": [
                            {"type": "URL", "text": "Go", "url": "https://a.example/{{1}}/x"}
                        ],
                    },
                ],
            },
            "at the end",
        ),
        (
            {
                **NEW_TEMPLATE,
                "components": [{"type": "BODY", "text": "x"}, {"type": "HEADER", "format": "GIF"}],
            },
            "HEADER format",
        ),
    ],
)
async def test_create_validation_is_code_100(
    client: httpx.AsyncClient, body: dict[str, Any], detail: str
) -> None:
    error = error_of(await client.post(TEMPLATES, json=body), 400, 100)
    assert detail in (error.get("error_data", {}).get("details") or error["message"])


async def test_duplicate_language_is_rejected(client: httpx.AsyncClient) -> None:
    response = await client.post(TEMPLATES, json={**NEW_TEMPLATE, "name": "hello_world"})

    error = error_of(response, 400, 100)
    assert error["error_subcode"] == 2388024
    assert error["error_user_title"] == "Content in This Language Already Exists"


async def test_delete_by_name_removes_every_language(client: httpx.AsyncClient) -> None:
    response = await client.delete(TEMPLATES, params={"name": "order_update"})

    assert response.json() == {"success": True}
    assert (await list_templates(client, name="order_update"))["data"] == []
    error_of(
        await client.post(
            MESSAGES,
            json=message("template", template={"name": "order_update", "language": {"code": "es"}}),
        ),
        404,
        132001,
    )


async def test_delete_one_language_by_hsm_id(client: httpx.AsyncClient) -> None:
    response = await client.delete(
        TEMPLATES, params={"name": "order_update", "hsm_id": "920070352646103"}
    )

    assert response.status_code == 200
    remaining = (await list_templates(client, name="order_update"))["data"]
    assert {t["language"] for t in remaining} == {"en_US", "es"}


async def test_delete_errors(client: httpx.AsyncClient) -> None:
    error_of(await client.delete(TEMPLATES), 400, 100)
    error_of(await client.delete(TEMPLATES, params={"name": "ghost"}), 400, 100)


# -- upstream changes through the control API ----------------------------------------------


async def test_control_add_and_delete_template(client: httpx.AsyncClient) -> None:
    body = {**NEW_TEMPLATE, "name": "upstream_note", "status": "APPROVED"}
    assert (await client.post("/_sandbox/templates", json=body)).status_code == 201
    assert (await list_templates(client, name="upstream_note"))["data"][0]["status"] == "APPROVED"

    response = await client.delete("/_sandbox/templates/upstream_note")

    assert response.json() == {"deleted": 1}
    assert (await list_templates(client, name="upstream_note"))["data"] == []
    assert (await client.delete("/_sandbox/templates/upstream_note")).status_code == 404


async def test_control_status_change_sends_webhook_and_blocks_sends(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    response = await client.patch("/_sandbox/templates/hello_world", json={"status": "PAUSED"})
    assert response.status_code == 200
    assert await sandbox.drain(5)

    (value,) = hooks.of_field("message_template_status_update")
    assert value["event"] == "PAUSED"
    error_of(await client.post(MESSAGES, json=message("template")), 400, 132015)


async def test_control_replace_keeps_id_and_position(client: httpx.AsyncClient) -> None:
    body = {**NEW_TEMPLATE, "name": "hello_world", "status": "DISABLED"}

    response = await client.post("/_sandbox/templates", json=body)

    assert response.status_code == 200
    assert response.json()["id"] == "920070352646101"
    assert (await list_templates(client, limit=1))["data"][0]["status"] == "DISABLED"


async def test_control_template_validation(client: httpx.AsyncClient) -> None:
    response = await client.post("/_sandbox/templates", json={"name": "x"})
    assert response.status_code == 400
    assert "required" in response.json()["error"]
    bad_status = {**NEW_TEMPLATE, "status": "MAYBE"}
    assert (await client.post("/_sandbox/templates", json=bad_status)).status_code == 400
