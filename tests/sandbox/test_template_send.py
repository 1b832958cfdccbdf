"""`type: template` sends checked against the seeded templates (132001/132000/132015/...)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import MESSAGES, error_of, message


def tpl(name: str, lang: str = "en_US", *components: dict[str, Any]) -> dict[str, Any]:
    template: dict[str, Any] = {"name": name, "language": {"code": lang}}
    if components:
        template["components"] = list(components)
    return message("template", template=template)


def text(*values: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": v} for v in values]


def header(*params: dict[str, Any]) -> dict[str, Any]:
    return {"type": "header", "parameters": list(params)}


def body(*params: dict[str, Any]) -> dict[str, Any]:
    return {"type": "body", "parameters": list(params)}


def button(sub_type: str, index: Any, *params: dict[str, Any]) -> dict[str, Any]:
    return {"type": "button", "sub_type": sub_type, "index": index, "parameters": list(params)}


ORDER_HEADER = header(*text("#42"))
ORDER_BODY = body(*text("Ana", "#42", "March 3"))
TRACK = button("url", "0", {"type": "text", "text": "42"})
CURRENCY = {
    "type": "currency",
    "currency": {"fallback_value": "$10.99", "code": "USD", "amount_1000": 10990},
}
DATE = {"type": "date_time", "date_time": {"fallback_value": "March 3, 2026"}}
IMAGE = {"type": "image", "image": {"link": "https://cdn.example.com/p.jpg"}}
PROMO_BODY = body(  # seasonal_promo is NAMED
    *(
        {"type": "text", "parameter_name": name, "text": value}
        for name, value in (
            ("first_name", "Ana"),
            ("sale_name", "summer"),
            ("discount", "30%"),
            ("end_date", "Sunday"),
        )
    )
)

VALID = [
    ("hello-world", tpl("hello_world")),
    (
        "hello-world-policy",
        message(
            "template",
            template={
                "name": "hello_world",
                "language": {"code": "en_US", "policy": "deterministic"},
            },
        ),
    ),
    ("order-update", tpl("order_update", "en_US", ORDER_HEADER, ORDER_BODY, TRACK)),
    (
        "order-update-int-index",
        tpl(
            "order_update",
            "pt_BR",
            ORDER_HEADER,
            ORDER_BODY,
            button("url", 0, {"type": "text", "text": "42"}),
        ),
    ),
    (
        "order-update-quick-reply",
        tpl(
            "order_update",
            "es",
            ORDER_HEADER,
            ORDER_BODY,
            TRACK,
            button("quick_reply", "1", {"type": "payload", "payload": "SUPPORT"}),
        ),
    ),
    (
        "document-header",
        tpl(
            "invoice_ready",
            "en_US",
            header(
                {
                    "type": "document",
                    "document": {"id": "1013859600285442", "filename": "invoice.pdf"},
                }
            ),
            body(*text("Ana", "#42"), CURRENCY),
        ),
    ),
    (
        "image-header-id",
        tpl(
            "seasonal_promo",
            "en_US",
            header({"type": "image", "image": {"id": "1013859600285441"}}),
            PROMO_BODY,
        ),
    ),
    (
        "location-header",
        tpl(
            "pickup_ready",
            "es",
            header(
                {
                    "type": "location",
                    "location": {
                        "latitude": 19.43,
                        "longitude": -99.13,
                        "name": "Tienda",
                        "address": "Av. Reforma 1",
                    },
                }
            ),
            body(*text("Ana", "#42")),
        ),
    ),
    (
        "copy-code",
        tpl(
            "cupom_desconto",
            "pt_BR",
            body(*text("Ana", "20%")),
            button("copy_code", "0", {"type": "coupon_code", "coupon_code": "SAVE20"}),
        ),
    ),
    (
        "authentication",
        tpl(
            "verification_code",
            "en_US",
            body(*text("123456")),
            button("url", "0", {"type": "text", "text": "123456"}),
        ),
    ),
    (
        "currency-and-date",
        tpl(
            "payment_due",
            "en_US",
            body(
                text("Ana")[0],
                CURRENCY,
                {
                    "type": "date_time",
                    "date_time": {
                        "fallback_value": "March 3, 2026",
                        "day_of_month": 3,
                        "month": 3,
                        "year": 2026,
                        "hour": 10,
                        "minute": 0,
                        "calendar": "GREGORIAN",
                    },
                },
            ),
        ),
    ),
]


@pytest.mark.parametrize("payload", [v[1] for v in VALID], ids=[v[0] for v in VALID])
async def test_valid_template_sends(client: httpx.AsyncClient, payload: dict[str, Any]) -> None:
    response = await client.post(MESSAGES, json=payload)

    assert response.status_code == 200, response.text
    assert response.json()["messages"][0]["message_status"] == "accepted"


async def test_body_only_template_allows_long_parameters(client: httpx.AsyncClient) -> None:
    # given: a body-only template (limit 32768 instead of 1024)
    created = await client.post(
        "/_sandbox/templates",
        json={
            "name": "long_note",
            "language": "en_US",
            "category": "UTILITY",
            "components": [
                {"type": "BODY", "text": "Note: {{1}}", "example": {"body_text": [["x"]]}}
            ],
        },
    )
    assert created.status_code == 201

    ok = await client.post(MESSAGES, json=tpl("long_note", "en_US", body(*text("x" * 5000))))
    too_long = await client.post(MESSAGES, json=tpl("long_note", "en_US", body(*text("x" * 32769))))

    assert ok.status_code == 200
    error_of(too_long, 400, 132005)


CASES: list[tuple[str, dict[str, Any], int, int, str]] = [
    (
        "unknown-name",
        tpl("no_such_template"),
        404,
        132001,
        "template name (no_such_template) does not exist in en_US",
    ),
    ("unknown-language", tpl("hello_world", "fr"), 404, 132001, "does not exist in fr"),
    ("paused", tpl("winter_clearance", "en_US", body(*text("50%"))), 400, 132015, "paused"),
    ("disabled", tpl("legacy_welcome", "en_US", body(*text("Ana"))), 400, 132016, "disabled"),
    ("pending", tpl("feedback_survey", "en_US", body(*text("Ana"))), 404, 132001, "PENDING"),
    ("rejected", tpl("flash_deal", "en_US", body(*text("x"))), 404, 132001, "REJECTED"),
    (
        "no-name",
        message("template", template={"language": {"code": "en_US"}}),
        400,
        131008,
        "template.name",
    ),
    (
        "no-language",
        message("template", template={"name": "hello_world"}),
        400,
        131008,
        "template.language",
    ),
    (
        "bad-policy",
        message(
            "template",
            template={"name": "hello_world", "language": {"code": "en_US", "policy": "fallback"}},
        ),
        400,
        131009,
        "policy",
    ),
    (
        "unknown-key",
        message(
            "template", template={"name": "hello_world", "language": {"code": "en_US"}, "lang": "x"}
        ),
        400,
        100,
        '"lang"',
    ),
    # parameter counts
    (
        "body-missing",
        tpl("order_update", "en_US", ORDER_HEADER, TRACK),
        400,
        132000,
        "body: number of localizable_params (0) does not match the expected number of params (3)",
    ),
    (
        "body-short",
        tpl("order_update", "en_US", ORDER_HEADER, body(*text("Ana")), TRACK),
        400,
        132000,
        "(1) does not match the expected number of params (3)",
    ),
    ("header-missing", tpl("order_update", "en_US", ORDER_BODY, TRACK), 400, 132000, "header"),
    (
        "hello-with-params",
        tpl("hello_world", "en_US", body(*text("x"))),
        400,
        132000,
        "expected number of params (0)",
    ),
    ("media-header-missing", tpl("seasonal_promo", "en_US", PROMO_BODY), 400, 132000, "header"),
    (
        "media-header-wrong-kind",
        tpl(
            "seasonal_promo",
            "en_US",
            header({"type": "video", "video": {"link": "https://a.example/v.mp4"}}),
            PROMO_BODY,
        ),
        400,
        132012,
        "IMAGE",
    ),
    (
        "media-header-text",
        tpl("seasonal_promo", "en_US", header(*text("x")), PROMO_BODY),
        400,
        132012,
        "IMAGE",
    ),
    (
        "media-header-unknown-id",
        tpl(
            "seasonal_promo", "en_US", header({"type": "image", "image": {"id": "404"}}), PROMO_BODY
        ),
        400,
        131009,
        "does not exist",
    ),
    (
        "media-header-no-source",
        tpl("seasonal_promo", "en_US", header({"type": "image", "image": {}}), PROMO_BODY),
        400,
        131008,
        "'id' or 'link'",
    ),
    (
        "location-no-name",
        tpl(
            "pickup_ready",
            "es",
            header(
                {"type": "location", "location": {"latitude": 1, "longitude": 1, "address": "x"}}
            ),
            body(*text("Ana", "#42")),
        ),
        400,
        131008,
        "location.name",
    ),
    (
        "image-in-body",
        tpl("payment_due", "en_US", body(text("Ana")[0], IMAGE, DATE)),
        400,
        132012,
        "not valid in a body",
    ),
    # text limits
    (
        "header-text-61",
        tpl("order_update", "en_US", header(*text("x" * 61)), ORDER_BODY, TRACK),
        400,
        132005,
        "max is 60",
    ),
    (
        "body-text-1025",
        tpl(
            "order_update", "en_US", ORDER_HEADER, body(*text("x" * 1025, "#42", "March 3")), TRACK
        ),
        400,
        132005,
        "max is 1024",
    ),
    (
        "empty-text",
        tpl("order_update", "en_US", ORDER_HEADER, body(*text("", "#42", "d")), TRACK),
        400,
        131009,
        "must not be empty",
    ),
    # currency / date_time
    (
        "currency-lowercase",
        tpl(
            "payment_due",
            "en_US",
            body(
                text("Ana")[0],
                {
                    "type": "currency",
                    "currency": {"fallback_value": "$1", "code": "usd", "amount_1000": 1000},
                },
                DATE,
            ),
        ),
        400,
        131009,
        "ISO 4217",
    ),
    (
        "currency-float",
        tpl(
            "payment_due",
            "en_US",
            body(
                text("Ana")[0],
                {
                    "type": "currency",
                    "currency": {"fallback_value": "$1", "code": "USD", "amount_1000": 10.5},
                },
                DATE,
            ),
        ),
        400,
        131009,
        "amount_1000",
    ),
    (
        "currency-no-fallback",
        tpl(
            "payment_due",
            "en_US",
            body(
                text("Ana")[0],
                {"type": "currency", "currency": {"code": "USD", "amount_1000": 1}},
                DATE,
            ),
        ),
        400,
        131008,
        "fallback_value",
    ),
    (
        "date-no-fallback",
        tpl(
            "payment_due",
            "en_US",
            body(text("Ana")[0], CURRENCY, {"type": "date_time", "date_time": {"month": 3}}),
        ),
        400,
        131008,
        "fallback_value",
    ),
    (
        "date-month-13",
        tpl(
            "payment_due",
            "en_US",
            body(
                text("Ana")[0],
                CURRENCY,
                {"type": "date_time", "date_time": {"fallback_value": "x", "month": 13}},
            ),
        ),
        400,
        131009,
        "month",
    ),
    # buttons
    (
        "button-index-out-of-range",
        tpl(
            "order_update",
            "en_US",
            ORDER_HEADER,
            ORDER_BODY,
            TRACK,
            button("quick_reply", "5", {"type": "payload", "payload": "x"}),
        ),
        400,
        131009,
        "index 5 does not exist",
    ),
    (
        "button-sub-type-mismatch",
        tpl(
            "order_update",
            "en_US",
            ORDER_HEADER,
            ORDER_BODY,
            button("quick_reply", "0", {"type": "payload", "payload": "x"}),
        ),
        400,
        131009,
        "does not match the template's URL button",
    ),
    (
        "dynamic-url-missing",
        tpl("order_update", "en_US", ORDER_HEADER, ORDER_BODY),
        400,
        132000,
        "buttons[0]",
    ),
    (
        "dynamic-url-no-param",
        tpl("order_update", "en_US", ORDER_HEADER, ORDER_BODY, button("url", "0")),
        400,
        132000,
        "buttons[0]",
    ),
    (
        "static-url-with-param",
        tpl(
            "new_arrivals_video",
            "en_US",
            header({"type": "video", "video": {"link": "https://a.example/v.mp4"}}),
            body(*text("Ana", "autumn")),
            button("url", "0", {"type": "text", "text": "x"}),
        ),
        400,
        131009,
        "no variable",
    ),
    (
        "copy-code-missing",
        tpl("cupom_desconto", "pt_BR", body(*text("Ana", "20%"))),
        400,
        132000,
        "buttons[0]",
    ),
    (
        "copy-code-wrong-param",
        tpl(
            "cupom_desconto",
            "pt_BR",
            body(*text("Ana", "20%")),
            button("copy_code", "0", {"type": "text", "text": "SAVE"}),
        ),
        400,
        131009,
        "coupon_code",
    ),
    (
        "copy-code-too-long",
        tpl(
            "cupom_desconto",
            "pt_BR",
            body(*text("Ana", "20%")),
            button("copy_code", "0", {"type": "coupon_code", "coupon_code": "X" * 16}),
        ),
        400,
        131009,
        "Max length: 15",
    ),
    (
        "button-bad-index",
        tpl(
            "order_update",
            "en_US",
            ORDER_HEADER,
            ORDER_BODY,
            button("url", "first", {"type": "text", "text": "42"}),
        ),
        400,
        131009,
        "index",
    ),
    (
        "button-duplicate",
        tpl("order_update", "en_US", ORDER_HEADER, ORDER_BODY, TRACK, TRACK),
        400,
        131009,
        "duplicate",
    ),
    (
        "component-type",
        tpl("hello_world", "en_US", {"type": "footer", "parameters": []}),
        400,
        131009,
        "{header, body, button}",
    ),
]


@pytest.mark.parametrize(
    ("payload", "status", "code", "detail"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_template_rejections(
    client: httpx.AsyncClient, payload: dict[str, Any], status: int, code: int, detail: str
) -> None:
    response = await client.post(MESSAGES, json=payload)

    error = error_of(response, status, code)
    assert detail in error["error_data"]["details"]


async def test_named_parameters(client: httpx.AsyncClient) -> None:
    # given
    created = await client.post(
        "/_sandbox/templates",
        json={
            "name": "named_greeting",
            "language": "en_US",
            "category": "UTILITY",
            "parameter_format": "NAMED",
            "components": [
                {
                    "type": "BODY",
                    "text": "Hi {{first_name}}, order {{order_id}} shipped",
                    "example": {"body_text_named_params": []},
                }
            ],
        },
    )
    assert created.status_code == 201, created.text

    def named(**values: str) -> dict[str, Any]:
        params = [{"type": "text", "parameter_name": k, "text": v} for k, v in values.items()]
        return tpl("named_greeting", "en_US", body(*params))

    # when / then
    assert (
        await client.post(MESSAGES, json=named(first_name="Ana", order_id="42"))
    ).status_code == 200
    error_of(await client.post(MESSAGES, json=named(first_name="Ana", order="42")), 400, 132000)
    error_of(
        await client.post(MESSAGES, json=tpl("named_greeting", "en_US", body(*text("Ana", "42")))),
        400,
        131008,
    )
