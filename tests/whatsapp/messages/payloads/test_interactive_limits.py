"""build_message refuses what Meta would refuse in interactive messages, naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.whatsapp.messages.payloads.samples import (
    INVALID,
    TO,
    buttons,
    cta,
    flow,
    image,
    list_,
    problems_of,
    reply,
    rows,
    send,
    single_problem,
    text,
)
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.messages.payloads import build_message

# --- Every limit, with its field path -----------------------------------------------------------

C = ("content",)
LIMIT_CASES = [
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
