"""Conditions and triggers: pure functions, checked against the rules their docstrings state."""

from __future__ import annotations

from typing import Any

import pytest

from whatsapp.automations import conditions
from whatsapp.automations.matching import trigger_matches

DOC = conditions.event_document(
    "message.sent",
    "api",
    {
        "type": "TEXT",
        "name": "shadowed",
        "metadata": {"orderId": 42, "tags": ["vip", "new"], "note": "first order"},
        "items": [{"sku": "A-1"}],
        "flag": True,
        "empty": None,
        "sentAt": "2026-03-03T10:00:00+00:00",
    },
)


@pytest.mark.parametrize(
    ("path", "op", "value", "expected"),
    [
        ("type", "eq", "TEXT", True),
        ("properties.type", "eq", "TEXT", True),
        ("name", "eq", "message.sent", True),  # the event's own name wins over the property
        ("properties.name", "eq", "shadowed", True),
        ("source", "eq", "api", True),
        ("metadata.orderId", "eq", 42, True),
        ("metadata.orderId", "eq", 42.0, True),
        ("metadata.orderId", "eq", "42", False),
        ("flag", "eq", 1, False),  # booleans are not numbers
        ("flag", "eq", True, True),
        ("missing", "eq", None, False),
        ("type", "ne", "IMAGE", True),
        ("missing", "ne", "x", True),
        ("type", "in", ["TEXT", "IMAGE"], True),
        ("missing", "in", ["x"], False),
        ("missing", "not_in", ["x"], True),
        ("type", "not_in", ["TEXT"], False),
        ("metadata.orderId", "exists", None, True),
        ("metadata.orderId", "exists", False, False),
        ("empty", "exists", True, False),  # null counts as missing
        ("empty", "exists", False, True),
        ("metadata.note", "contains", "first", True),
        ("metadata.tags", "contains", "vip", True),
        ("metadata.tags", "contains", "old", False),
        ("metadata.orderId", "contains", 4, False),
        ("items.0.sku", "eq", "A-1", True),
        ("items.1.sku", "exists", True, False),
        ("metadata.orderId", "gt", 41, True),
        ("metadata.orderId", "gte", 42, True),
        ("metadata.orderId", "lt", 42, False),
        ("metadata.orderId", "lte", 42, True),
        ("metadata.orderId", "gt", "41", False),  # a number is not compared with a string
        ("sentAt", "gte", "2026-03-01", True),  # ISO timestamps order as strings
        ("missing", "lt", 1, False),
    ],
)
def test_condition_rule(path: str, op: str, value: Any, expected: bool) -> None:
    assert conditions.holds({"path": path, "op": op, "value": value}, DOC) is expected


def test_every_condition_must_hold() -> None:
    both = [
        {"path": "type", "op": "eq", "value": "TEXT"},
        {"path": "metadata.orderId", "op": "gt", "value": 100},
    ]

    assert conditions.matches([], DOC)
    assert conditions.matches(both[:1], DOC)
    assert not conditions.matches(both, DOC)


def test_validation_reports_every_problem_with_its_path() -> None:
    problems = conditions.validate(
        [
            {"path": "type", "op": "eq", "value": "TEXT"},
            {"path": "bad path!", "op": "between", "value": 1},
            {"path": "type", "op": "in", "value": "TEXT"},
            {"path": "type", "op": "eq"},
            {"path": "type", "op": "exists", "value": "yes", "extra": 1},
            "not an object",
        ]
    )

    assert [p.field for p in problems] == [
        ("conditions", "1", "path"),
        ("conditions", "1", "op"),
        ("conditions", "2", "value"),
        ("conditions", "3", "value"),
        ("conditions", "4", "extra"),
        ("conditions", "4", "value"),
        ("conditions", "5"),
    ]
    assert conditions.validate("nope")[0].field == ("conditions",)


@pytest.mark.parametrize(
    ("trigger", "name", "expected"),
    [
        ("message.sent", "message.sent", True),
        ("message.sent", "message.sent.extra", False),
        ("flow.*", "flow.completed", True),
        ("flow.*", "flows.completed", False),
        ("message.*ed", "message.failed", True),
        ("Message.sent", "message.sent", False),  # case-sensitive
        ("*", "anything.at.all", True),
        ("template.[sf]*", "template.sent", True),
    ],
)
def test_trigger_matching(trigger: str, name: str, expected: bool) -> None:
    assert trigger_matches(trigger, name) is expected
