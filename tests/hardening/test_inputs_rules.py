"""The edge's rules for text, JSON and ids (`whatsapp.kit.inputs`, `whatsapp.kit.ids`): what
they refuse, and that the ids Meta really uses — BSUIDs, long group ids, wamids — pass."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from whatsapp.kit.columns import column_max_length
from whatsapp.kit.ids import MAX_ID_LENGTH, id_problem
from whatsapp.kit.inputs import (
    MAX_JSON_DEPTH,
    MAX_JSON_NODES,
    MAX_LIST_ITEMS,
    MAX_TEXT_LENGTH,
    json_problem,
    list_problem,
    text_problem,
)


@pytest.mark.parametrize("text", ["", "Hello", "tab\tline\nCR\r\n", "emoji 👍 ünïcödé", "\u200b"])
def test_ordinary_text_passes(text: str) -> None:
    assert text_problem(text) is None


@pytest.mark.parametrize("text", ["\x00", "a\x01", "\x1b[0m", "\x7f", "\x85", "\ud800"])
def test_control_characters_and_surrogates_are_refused(text: str) -> None:
    assert "control characters" in (text_problem(text) or "")


def test_text_and_lists_are_bounded() -> None:
    assert text_problem("x" * MAX_TEXT_LENGTH) is None
    assert text_problem("x" * (MAX_TEXT_LENGTH + 1))
    assert list_problem([0] * MAX_LIST_ITEMS) is None
    assert list_problem([0] * (MAX_LIST_ITEMS + 1))


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth - 1):
        value = [value]
    return value


def test_json_depth_and_size_are_bounded_without_recursion() -> None:
    assert json_problem(_deep(MAX_JSON_DEPTH)) is None
    assert "nested" in (json_problem(_deep(MAX_JSON_DEPTH + 1)) or "")
    assert "nested" in (json_problem(_deep(100_000)) or "")  # no RecursionError
    assert json_problem(list(range(MAX_JSON_NODES - 1))) is None
    assert json_problem(list(range(MAX_JSON_NODES)))


def test_json_keys_and_strings_are_text() -> None:
    assert json_problem({"order": {"id": 1, "note": "ok"}}) is None
    assert json_problem({"a\x00": 1})
    assert json_problem([{"b": "x\x00"}])


@pytest.mark.parametrize(
    "value",
    [
        str(uuid.uuid4()),
        "wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBI5QUI0RjBDNzVFQzY3QzYzAA==",
        "US.13491208655302741918",
        "US.ENT." + "a" * 128,
        "120363" + "1" * 240,  # a group id of Meta's any length
        "x" * MAX_ID_LENGTH,
    ],
)
def test_ids_of_every_known_shape_pass(value: str) -> None:
    assert id_problem(value) is None


@pytest.mark.parametrize("value", ["", "has space", "nul\x00", "x" * (MAX_ID_LENGTH + 1), "ü"])
def test_ids_of_no_known_shape_are_refused(value: str) -> None:
    assert id_problem(value)


def test_tortoise_max_length_refusal_is_recognised() -> None:
    from tortoise.exceptions import ValidationError

    assert column_max_length(ValidationError("wa_id: Length of 'xx\nx' 300 > 32")) == 32
    assert column_max_length(ValidationError("something else")) is None
    assert column_max_length(ValueError("Length of 'x' 3 > 2")) is None
