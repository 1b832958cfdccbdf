"""Bad GraphQL input ends as INVALID_INPUT with the field's path, or as "not found".

The inputs a careless integrator or an attacker sends — a NUL in any string, `metadata` that
is not an object, JSON nested hundreds deep, ids and language tags longer than any stored
one, a 40,000-item list — are refused at the edge (`schema.validation`) before anything
reaches the database, with the path of the offending argument; never an
INTERNAL_SERVER_ERROR, on SQLite or PostgreSQL alike.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import CUSTOMER, GraphQL

SEND_TEXT = """
mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { message { id metadata } errors { code field message } }
}"""


def _no_internal(result: dict[str, Any]) -> None:
    codes = [(e.get("extensions") or {}).get("code") for e in result.get("errors") or []]
    assert "INTERNAL_SERVER_ERROR" not in codes, result


def _payload_error(result: dict[str, Any], name: str) -> dict[str, Any]:
    _no_internal(result)
    assert "errors" not in result, result
    errors = result["data"][name]["errors"]
    assert len(errors) >= 1, result
    return errors[0]


def _query_error(result: dict[str, Any]) -> dict[str, Any]:
    _no_internal(result)
    assert result.get("errors"), result
    return result["errors"][0]["extensions"]


def _text(body: str, **extra: Any) -> dict[str, Any]:
    return {"to": CUSTOMER, "content": {"text": {"body": body}}, **extra}


# -- strings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["a\\u0000b", "\\u001b[31m", "x\\u007f", "\\u0085"])
async def test_control_characters_in_a_message_body_are_invalid_input(
    client: Any, write_key: str, customer: str, bad: str
) -> None:
    # Written by hand: the escapes reach the server's JSON decoder as a client would send them.
    body = json.dumps({"query": SEND_TEXT, "variables": {"input": _text("@")}}).replace("@", bad)
    response = await client.post(
        "/graphql",
        content=body,
        headers={"Authorization": f"Bearer {write_key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    error = _payload_error(result, "sendMessage")
    assert error["code"] == "INVALID_INPUT"
    assert error["field"] == ["input", "content", "text", "body"]


async def test_tabs_and_newlines_are_text(gql: GraphQL, customer: str) -> None:
    result = await gql(SEND_TEXT, {"input": _text("line one\n\tline two\r\n")})
    _no_internal(result)
    assert result["data"]["sendMessage"]["errors"] == [], result
    assert result["data"]["sendMessage"]["message"]["id"]


async def test_a_nul_in_a_filter_is_invalid_input_at_the_filter(gql: GraphQL) -> None:
    result = await gql(
        "query($s: String) { contacts(filter: {search: $s}) { totalCount } }", {"s": "ab\x00"}
    )
    extensions = _query_error(result)
    assert extensions["code"] == "INVALID_INPUT"
    assert extensions["field"] == ["filter", "search"]


async def test_a_nul_in_a_key_name_is_invalid_input(client: Any, admin_key: str) -> None:
    gql = GraphQL(client, admin_key)
    result = await gql(
        "mutation($n: String!) {"
        " createApiKey(name: $n, scope: READ) { key errors { code field } } }",
        {"n": "ci\x00"},
    )
    error = _payload_error(result, "createApiKey")
    assert error == {"code": "INVALID_INPUT", "field": ["name"]}


async def test_a_string_beyond_the_bound_is_invalid_input(gql: GraphQL, customer: str) -> None:
    result = await gql(SEND_TEXT, {"input": _text("x" * 100_001)})
    error = _payload_error(result, "sendMessage")
    assert error["code"] == "INVALID_INPUT"
    assert error["field"] == ["input", "content", "text", "body"]


# -- JSON --------------------------------------------------------------------------------------


@pytest.mark.parametrize("metadata", ["just text", [1, 2], 42, True])
async def test_metadata_that_is_not_an_object_is_invalid_input(
    gql: GraphQL, customer: str, metadata: Any
) -> None:
    result = await gql(SEND_TEXT, {"input": _text("hi", metadata=metadata)})
    error = _payload_error(result, "sendMessage")
    assert error["code"] == "INVALID_INPUT"
    assert error["field"] == ["input", "metadata"]


async def test_a_session_context_that_is_not_an_object_is_invalid_input(
    gql: GraphQL, customer: str
) -> None:
    result = await gql(SEND_TEXT, {"input": _text("hi", session={"context": ["a"]})})
    error = _payload_error(result, "sendMessage")
    assert error["code"] == "INVALID_INPUT"
    assert error["field"] == ["input", "session", "context"]


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return {"deep": value}


async def test_json_nested_deeply_is_invalid_input(gql: GraphQL, customer: str) -> None:
    # Deeper than a JSON value may be (32), shallower than a request body may be (64).
    result = await gql(SEND_TEXT, {"input": _text("hi", metadata=_nested(50))})
    error = _payload_error(result, "sendMessage")
    assert error["code"] == "INVALID_INPUT"
    assert error["field"] == ["input", "metadata"]


async def test_json_nested_as_a_literal_is_refused_cleanly(gql: GraphQL, customer: str) -> None:
    deep = "[" * 300 + "1" + "]" * 300
    result = await gql(
        f'mutation {{ sendMessage(input: {{to: "{CUSTOMER}", content: {{text: {{body: "hi"}}}},'
        f" metadata: {{deep: {deep}}}}}) {{ errors {{ code field }} }} }}"
    )
    _no_internal(result)
    if "errors" not in result:
        assert result["data"]["sendMessage"]["errors"][0]["code"] == "INVALID_INPUT"


async def test_a_nul_inside_json_is_invalid_input(gql: GraphQL, customer: str) -> None:
    result = await gql(SEND_TEXT, {"input": _text("hi", metadata={"a\x00": "b"})})
    error = _payload_error(result, "sendMessage")
    assert error["code"] == "INVALID_INPUT"
    assert error["field"] == ["input", "metadata"]


async def test_ordinary_nested_metadata_is_kept(gql: GraphQL, customer: str) -> None:
    metadata = {"order": {"id": 42, "lines": [{"sku": "a", "qty": 2}], "note": "tab\there"}}
    result = await gql(SEND_TEXT, {"input": _text("hi", metadata=metadata)})
    _no_internal(result)
    assert result["data"]["sendMessage"]["message"]["metadata"] == metadata


# -- lists -------------------------------------------------------------------------------------


async def test_a_huge_enum_list_is_invalid_input(gql: GraphQL) -> None:
    result = await gql(
        "query($s: [SessionStatus!]) { sessions(filter: {status: $s}) { totalCount } }",
        {"s": ["ACTIVE"] * 40_000},
    )
    extensions = _query_error(result)
    assert extensions["code"] == "INVALID_INPUT"
    assert extensions["field"] == ["filter", "status"]


async def test_a_huge_id_list_is_invalid_input(client: Any, admin_key: str) -> None:
    gql = GraphQL(client, admin_key)
    ids = ["a"] * 40_000
    result = await gql(
        "mutation($ids: [ID!]!) { replayWebhookDeadLetters(ids: $ids) { errors { code field } } }",
        {"ids": ids},
    )
    error = _payload_error(result, "replayWebhookDeadLetters")
    assert error == {"code": "INVALID_INPUT", "field": ["ids"]}


# -- lookups longer than any stored value ------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables", "empty"),
    [
        ("query($v: String) { contact(waId: $v) { id } }", {"v": "1" * 300}, {"contact": None}),
        (
            "query($v: String) { contact(bsuid: $v) { id } }",
            {"v": "US." + "1" * 300},
            {"contact": None},
        ),
        ("query($v: ID!) { message(id: $v) { id } }", {"v": "wamid." + "x" * 300}, None),
        ("query($v: ID!) { group(id: $v) { id } }", {"v": "1" * 400}, {"group": None}),
        (
            "query($v: String) { templates(filter: {language: $v}) { id } }",
            {"v": "en_" * 20},
            {"templates": []},
        ),
        (
            "query($v: String) { templates(filter: {name: $v, category: $v}) { id } }",
            {"v": "n" * 600},
            {"templates": []},
        ),
        (
            "query($v: String) { events(filter: {name: $v, source: $v}) { totalCount } }",
            {"v": "e" * 300},
            {"events": {"totalCount": 0}},
        ),
        (
            "query($v: String) { messages(filter: {to: $v, phoneNumberId: $v}) { totalCount } }",
            {"v": "1" * 300},
            {"messages": {"totalCount": 0}},
        ),
        (
            "query($v: String) { sessions(filter: {contactWaId: $v, flow: $v}) { totalCount } }",
            {"v": "1" * 300},
            {"sessions": {"totalCount": 0}},
        ),
        (
            "query($v: String) { flowSessions(filter: {flow: $v}) { totalCount } }",
            {"v": "f" * 300},
            {"flowSessions": {"totalCount": 0}},
        ),
    ],
)
async def test_an_over_long_lookup_finds_nothing(
    gql: GraphQL, query: str, variables: dict[str, Any], empty: dict[str, Any] | None
) -> None:
    result = await gql(query, variables)
    _no_internal(result)
    if "errors" in result:
        # A lookup that says why it cannot match: a client error naming the argument.
        code = result["errors"][0]["extensions"]["code"]
        assert code in ("INVALID_INPUT", "INVALID_RECIPIENT", "NOT_FOUND"), result
        assert result["errors"][0]["extensions"]["field"], result
    elif empty is not None:
        assert result["data"] == empty
    else:
        assert next(iter(result["data"].values())) is None


async def test_an_over_long_template_language_on_a_send_is_a_client_error(
    gql: GraphQL, customer: str
) -> None:
    result = await gql(
        """mutation($input: SendTemplateInput!) {
             sendTemplate(input: $input) { errors { code field } } }""",
        {"input": {"to": CUSTOMER, "name": "hello_world", "language": "en_US" * 10}},
    )
    error = _payload_error(result, "sendTemplate")
    assert error["code"] in ("INVALID_INPUT", "TEMPLATE_NOT_FOUND")
    assert error["field"][0] == "input"


async def test_an_over_long_idempotency_key_is_invalid_input(gql: GraphQL, customer: str) -> None:
    result = await gql(SEND_TEXT, {"input": _text("hi", idempotencyKey="k" * 500)})
    error = _payload_error(result, "sendMessage")
    assert error["code"] == "INVALID_INPUT"
    assert error["field"] == ["input", "idempotencyKey"]
