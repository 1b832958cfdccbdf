"""Valid content, one builder per kind, so each case changes just one thing; and the
helpers that read the problems a builder raises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.messages.payloads import build_message

TO = "15551234567"
WAMID = "wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBIzRjJBOUMxQjdENEU1QTZCOEMA"
INVALID = ErrorCode.INVALID_INPUT


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
