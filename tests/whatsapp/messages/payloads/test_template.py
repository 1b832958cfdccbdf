"""build_template: the components of a template send, each parameter checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.whatsapp.messages.payloads.samples import (
    INVALID,
    TO,
    WAMID,
    envelope,
    problems_of,
    single_problem,
)
from whatsapp.kit.errors import ErrorCode
from whatsapp.messages.payloads import build_template


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


# The Graph JSON of the send in test_build_template_with_every_parameter_type_and_button_sub_type.
EVERY_PARAMETER_TEMPLATE: dict[str, Any] = {
    "name": "order_update",
    "language": {"code": "en_US", "policy": "deterministic"},
    "components": [
        {
            "type": "header",
            "parameters": [{"type": "image", "image": {"link": "https://example.com/p.jpg"}}],
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
}


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
        EVERY_PARAMETER_TEMPLATE,
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


# -- named parameters --------------------------------------------------------------------------

MISMATCH = ErrorCode.TEMPLATE_PARAMETER_MISMATCH


def test_build_template_sends_named_header_and_body_with_their_names() -> None:
    message = template(
        named_header={"name": "order_id", "parameter": {"text": "#42"}},
        named_body=[
            {"name": "first_name", "parameter": {"text": "Ana"}},
            {"name": "eta", "parameter": {"dateTime": {"fallbackValue": "March 3"}}},
        ],
    )()

    assert message["template"]["components"] == [
        {
            "type": "header",
            "parameters": [{"type": "text", "text": "#42", "parameter_name": "order_id"}],
        },
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Ana", "parameter_name": "first_name"},
                {
                    "type": "date_time",
                    "date_time": {"fallback_value": "March 3"},
                    "parameter_name": "eta",
                },
            ],
        },
    ]


def test_a_media_header_goes_beside_named_body_parameters() -> None:
    message = template(
        header={"image": {"link": "https://example.com/p.jpg"}},
        named_body=[{"name": "first_name", "parameter": {"text": "Ana"}}],
    )()

    assert [c["parameters"][0] for c in message["template"]["components"]] == [
        {"type": "image", "image": {"link": "https://example.com/p.jpg"}},
        {"type": "text", "text": "Ana", "parameter_name": "first_name"},
    ]


@pytest.mark.parametrize(
    ("changes", "field", "code", "message"),
    [
        pytest.param(
            {"body": [{"text": "Ana"}], "named_body": [{"name": "a", "parameter": {"text": "x"}}]},
            ("namedBody",),
            MISMATCH,
            "Give body (in order) or namedBody (by name), not both",
            id="body-and-named-body",
        ),
        pytest.param(
            {
                "header": {"text": "#42"},
                "named_header": {"name": "order_id", "parameter": {"text": "#42"}},
            },
            ("namedHeader",),
            MISMATCH,
            "Give header or namedHeader, not both",
            id="header-and-named-header",
        ),
        pytest.param(
            {
                "named_header": {"name": "order_id", "parameter": {"text": "#42"}},
                "body": [{"text": "Ana"}],
            },
            ("body",),
            MISMATCH,
            "Named and positional parameters cannot be mixed",
            id="named-header-positional-body",
        ),
        pytest.param(
            {
                "named_body": [
                    {"name": "first_name", "parameter": {"text": "Ana"}},
                    {"name": "first_name", "parameter": {"text": "Bo"}},
                ]
            },
            ("namedBody", "1", "name"),
            MISMATCH,
            "'first_name' is given more than once",
            id="name-twice",
        ),
        pytest.param(
            {"named_body": [{"name": "{{first_name}}", "parameter": {"text": "Ana"}}]},
            ("namedBody", "0", "name"),
            INVALID,
            "without braces",
            id="name-with-braces",
        ),
        pytest.param(
            {"named_body": [{"parameter": {"text": "Ana"}}]},
            ("namedBody", "0", "name"),
            INVALID,
            "Parameter name is required",
            id="name-missing",
        ),
        pytest.param(
            {"named_body": [{"name": "first_name"}]},
            ("namedBody", "0", "parameter"),
            INVALID,
            "Parameter is required",
            id="parameter-missing",
        ),
        pytest.param(
            {"named_body": ["Ana"]},
            ("namedBody", "0"),
            INVALID,
            "Named parameter must be an object",
            id="not-an-object",
        ),
        pytest.param(
            {"named_header": {"name": "logo", "parameter": {"image": {"mediaId": "1"}}}},
            ("namedHeader", "parameter", "image"),
            INVALID,
            "Named parameters must be text, currency or dateTime",
            id="named-media",
        ),
        pytest.param(
            {"named_body": [{"name": "first_name", "parameter": {"text": "a\tb"}}]},
            ("namedBody", "0", "parameter", "text"),
            INVALID,
            "new lines, tabs",
            id="value-checked-like-a-positional-one",
        ),
    ],
)
def test_build_template_rejects_bad_named_parameters(
    changes: dict[str, Any], field: tuple[str, ...], code: ErrorCode, message: str
) -> None:
    got_field, got_code, got_message = single_problem(template(**changes))

    assert (got_field, got_code) == (field, code)
    assert message in got_message
