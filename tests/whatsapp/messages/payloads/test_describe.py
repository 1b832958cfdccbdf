"""describe(): the dashboard's one-line preview of any content."""

from __future__ import annotations

from typing import Any

import pytest

from tests.whatsapp.messages.payloads.samples import (
    card,
    contacts,
    cta,
    flow,
    image,
    list_,
    location,
    rows,
    text,
)
from whatsapp.messages.payloads import describe


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
