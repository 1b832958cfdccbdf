"""check_template_parameters: a send's parameters against the template's definition."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.whatsapp.messages.payloads.samples import problems_of, single_problem
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.templates.parameters import (
    check_template_parameters,
    rendered_body,
    template_placeholder_counts,
    template_placeholder_names,
)

MISMATCH = ErrorCode.TEMPLATE_PARAMETER_MISMATCH


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
            "Named and positional parameters cannot be mixed",
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


# -- named parameters (parameter_format NAMED) -------------------------------------------------

NAMED_ORDER: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "TEXT", "text": "Order {{order_id}}"},
    {"type": "BODY", "text": "Hi {{first_name}}, it arrives {{eta}}."},
]
NAMED_IMAGE: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "IMAGE"},
    {"type": "BODY", "text": "Hi {{first_name}}."},
]
NAMED_MATCH: dict[str, Any] = {
    "header": None,
    "body": [],
    "buttons": [],
    "named_header": {"name": "order_id", "parameter": {"text": "#42"}},
    "named_body": [
        {"name": "eta", "parameter": {"dateTime": {"fallbackValue": "March 3"}}},
        {"name": "first_name", "parameter": {"text": "Ana"}},
    ],
}


def test_template_placeholder_names() -> None:
    assert template_placeholder_names(NAMED_ORDER) == (["order_id"], ["first_name", "eta"])
    assert template_placeholder_names(NAMED_IMAGE) == ([], ["first_name"])
    assert template_placeholder_names(ORDER_UPDATE) == (["1"], ["1", "2"])


@pytest.mark.parametrize(
    ("definition", "parameters"),
    [
        pytest.param(NAMED_ORDER, NAMED_MATCH, id="named-header-and-body-in-any-order"),
        pytest.param(
            NAMED_IMAGE,
            {
                "header": {"image": {"link": "https://example.com/a.jpg"}},
                "body": [],
                "buttons": [],
                "named_body": [{"name": "first_name", "parameter": {"text": "Ana"}}],
            },
            id="media-header-stays-positional",
        ),
    ],
)
def test_named_template_accepts_parameters_by_name(
    definition: list[dict[str, Any]], parameters: dict[str, Any]
) -> None:
    check_template_parameters(definition, parameter_format="NAMED", **parameters)


def named_order(**changes: Any) -> Callable[[], None]:
    parameters = {**NAMED_MATCH, **changes}
    return lambda: check_template_parameters(NAMED_ORDER, parameter_format="NAMED", **parameters)


def positional_order(**changes: Any) -> Callable[[], None]:
    parameters = {**MATCHING_ORDER_UPDATE, **changes}
    return lambda: check_template_parameters(
        ORDER_UPDATE, parameter_format="POSITIONAL", **parameters
    )


@pytest.mark.parametrize(
    ("check", "field", "message"),
    [
        pytest.param(
            named_order(named_body=[{"name": "first_name", "parameter": {"text": "Ana"}}]),
            ("namedBody",),
            "Missing 1 parameter for {{eta}}",
            id="missing-name",
        ),
        pytest.param(
            named_order(named_body=None),
            ("namedBody",),
            "Missing 2 parameters for {{first_name}}, {{eta}}",
            id="no-named-body",
        ),
        pytest.param(
            named_order(
                named_body=[
                    *NAMED_MATCH["named_body"],
                    {"name": "last_name", "parameter": {"text": "Silva"}},
                ]
            ),
            ("namedBody", "2", "name"),
            "no placeholder {{last_name}}; its placeholders are {{first_name}}, {{eta}}",
            id="unknown-name",
        ),
        pytest.param(
            named_order(named_header={"name": "order", "parameter": {"text": "#42"}}),
            ("namedHeader", "name"),
            "header's placeholder is {{order_id}} (got 'order')",
            id="unknown-header-name",
        ),
        pytest.param(
            named_order(named_header=None),
            ("namedHeader",),
            "give a text header parameter named order_id",
            id="named-header-missing",
        ),
        pytest.param(
            lambda: check_template_parameters(
                [ORDER_UPDATE[0], {"type": "BODY", "text": "Hello"}],
                parameter_format="POSITIONAL",
                header=None,
                body=[],
                buttons=[],
                named_header={"name": "order_id", "parameter": {"text": "#42"}},
            ),
            ("namedHeader",),
            "placeholders are positional ({{1}}, {{2}}, …): give them in header",
            id="named-header-for-positional-template",
        ),
        pytest.param(
            lambda: check_template_parameters(
                NAMED_IMAGE,
                parameter_format="NAMED",
                header=None,
                body=[],
                buttons=[],
                named_header={"name": "image", "parameter": {"text": "x"}},
                named_body=[{"name": "first_name", "parameter": {"text": "Ana"}}],
            ),
            ("namedHeader",),
            "IMAGE and has no placeholder name: give it in header",
            id="named-media-header",
        ),
        pytest.param(
            named_order(body=[{"text": "Ana"}]),
            ("namedBody",),
            "Give body (in order) or namedBody (by name), not both",
            id="both-forms",
        ),
    ],
)
def test_named_parameter_mismatches(
    check: Callable[[], None], field: tuple[str, ...], message: str
) -> None:
    got_field, code, got_message = single_problem(check)

    assert (got_field, code) == (field, MISMATCH)
    assert message in got_message


def test_positional_parameters_for_a_named_template_point_at_both_lists() -> None:
    check = named_order(
        named_header=None, header={"text": "#42"}, named_body=None, body=[{"text": "Ana"}]
    )

    assert problems_of(check) == [(("header",), MISMATCH), (("body",), MISMATCH)]
    with pytest.raises(WagraphError) as caught:
        check()
    header, body = (problem.message for problem in caught.value.problems)
    assert "placeholders are named ({{order_id}}): give them in namedHeader" in header
    assert "placeholders are named ({{first_name}}, {{eta}}): give them in namedBody" in body


def test_named_parameters_for_a_positional_template_point_at_both_lists() -> None:
    check = positional_order(
        header=None,
        body=[],
        named_header={"name": "order_id", "parameter": {"text": "#42"}},
        named_body=[{"name": "first_name", "parameter": {"text": "Ana"}}],
    )

    assert problems_of(check) == [(("namedHeader",), MISMATCH), (("namedBody",), MISMATCH)]
    with pytest.raises(WagraphError) as caught:
        check()
    assert "positional ({{1}}, {{2}}, …): give them in body, in order" in str(caught.value)


def test_mixing_named_and_positional_is_refused_before_the_definition_is_read() -> None:
    check = named_order(named_body=None, body=[{"text": "Ana"}, {"text": "March 3"}])

    field, code, message = single_problem(check)

    assert (field, code) == (("body",), MISMATCH)
    assert "Named and positional parameters cannot be mixed" in message


def test_named_checks_follow_the_placeholders_when_no_format_is_stored() -> None:
    # given: no parameter_format, but the placeholders have names
    check = lambda: check_template_parameters(  # noqa: E731
        NAMED_ORDER, **{**NAMED_MATCH, "named_body": [NAMED_MATCH["named_body"][1]]}
    )

    field, code, message = single_problem(check)

    assert (field, code) == (("namedBody",), MISMATCH)
    assert "{{eta}}" in message


# -- the body the customer reads -----------------------------------------------------------------

BODY = [{"type": "BODY", "text": "Hi {{1}}, your total is {{2}}, due {{3}}. Bye {{1}}."}]


def test_the_rendered_body_fills_each_placeholder_as_the_customer_sees_it() -> None:
    body = [
        {"text": "Ana"},
        {"currency": {"fallbackValue": "€12.50", "code": "EUR", "amount1000": 12500}},
        {"dateTime": {"fallbackValue": "March 3"}},
    ]
    assert rendered_body(BODY, body=body) == "Hi Ana, your total is €12.50, due March 3. Bye Ana."


def test_the_rendered_body_by_names() -> None:
    components = [{"type": "body", "text": "Hi {{first_name}}, it is ready {{ eta }}."}]
    named = [
        {"name": "eta", "parameter": {"dateTime": {"fallbackValue": "tomorrow"}}},
        {"name": "first_name", "parameter": {"text": "Ana"}},
    ]
    assert rendered_body(components, named_body=named) == "Hi Ana, it is ready tomorrow."


@pytest.mark.parametrize(
    ("components", "body"),
    [
        (BODY, [{"text": "Ana"}]),  # a placeholder without a value
        ([{"type": "HEADER", "format": "TEXT", "text": "{{1}}"}], [{"text": "Ana"}]),  # no body
        (BODY, [{"text": "Ana"}, {"image": {"link": "x"}}, {"text": "y"}]),  # not text
    ],
)
def test_no_rendered_body_when_it_cannot_be_told(
    components: list[dict[str, Any]], body: list[dict[str, Any]]
) -> None:
    assert rendered_body(components, body=body) is None
