"""Every root field, fuzzed: whatever the arguments, the answer is data or a client error.

hypothesis-graphql writes queries and mutations from the served schema (strings with NULs and
other control characters, any enum, any JSON, odd dates and ids), and each goes through the
real ASGI app with a write key. No response may be an HTTP 5xx or carry an
`INTERNAL_SERVER_ERROR`: bad input is INVALID_INPUT (with its field), NOT_FOUND, FORBIDDEN
(admin fields) or a GraphQL validation error, never a bug.

Deterministic (`derandomize`, no example database) and bounded: a few examples per root field.
"""

from __future__ import annotations

import asyncio
import json
import string
from collections.abc import Callable
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis_graphql import Mode, mutations, nodes, queries

from schema.root import build_schema
from tests.conftest import CUSTOMER

EXAMPLES_PER_FIELD = 12
NEGATIVE_EXAMPLES_PER_FIELD = 3

_KEYS = st.text(string.ascii_letters + "_", min_size=1, max_size=8)
_LEAVES: st.SearchStrategy[graphql.ValueNode] = st.one_of(
    st.text(max_size=20).map(nodes.String),
    st.integers(-(2**40), 2**40).map(nodes.Int),
    st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
    st.booleans().map(nodes.Boolean),
    st.just(graphql.NullValueNode()),
)
# Any JSON value, objects and lists nested a few levels deep.
_JSON: st.SearchStrategy[graphql.ValueNode] = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(nodes.List),
        st.dictionaries(_KEYS, inner, max_size=4).map(
            lambda d: nodes.Object(
                [
                    graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v)
                    for k, v in d.items()
                ]
            )
        ),
    ),
    max_leaves=12,
)
_DATETIMES: st.SearchStrategy[graphql.ValueNode] = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: nodes.String(d.isoformat())),
    st.datetimes().map(lambda d: nodes.String(d.isoformat())),
    st.sampled_from(["", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00Z", "now"]).map(
        nodes.String
    ),
    st.text(max_size=30).map(nodes.String),
)
CUSTOM_SCALARS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "DateTime": _DATETIMES,
    "JSON": _JSON,
    # A file cannot be inlined in a document: whatever stands for it must be refused cleanly.
    "Upload": st.text(max_size=10).map(nodes.String),
}


def _schema() -> graphql.GraphQLSchema:
    return build_schema()._schema


def _root_fields(schema: graphql.GraphQLSchema, kind: str) -> dict[str, graphql.GraphQLField]:
    root = getattr(schema, f"{kind}_type")
    return dict(sorted(root.fields.items()))


def _problems(status: int, text: str) -> list[str]:
    """What is wrong with one response: a 5xx, or an error masked as a bug."""
    if status >= 500:
        return [f"HTTP {status}: {text[:500]}"]
    try:
        body = json.loads(text)
    except ValueError:
        return [f"HTTP {status}, not JSON: {text[:500]}"]
    return [
        json.dumps(error)
        for error in body.get("errors") or []
        if (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"
    ]


def _fuzz(
    strategy: st.SearchStrategy[str],
    examples: int,
    send: Callable[[str], tuple[int, str]],
) -> list[str]:
    """Run `strategy`'s documents through `send`; every problem found, with its document."""
    found: list[str] = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(document: str) -> None:
        status, text = send(document)
        found.extend(f"{problem}\n  in: {document}" for problem in _problems(status, text))

    run()
    return found


@pytest.mark.parametrize("kind", ["query", "mutation"])
async def test_no_root_field_answers_internal_or_5xx(
    kind: str, client: httpx.AsyncClient, write_key: str, customer: str
) -> None:
    assert customer == CUSTOMER  # an open window, so some sends get as far as the sandbox
    loop = asyncio.get_running_loop()
    headers = {"Authorization": f"Bearer {write_key}"}

    async def post(document: str) -> tuple[int, str]:
        response = await client.post("/graphql", json={"query": document}, headers=headers)
        return response.status_code, response.text

    def send(document: str) -> tuple[int, str]:
        # Hypothesis drives synchronously, from a thread; the app lives in this test's loop.
        return asyncio.run_coroutine_threadsafe(post(document), loop).result(timeout=60)

    make: Any = queries if kind == "query" else mutations
    schema = _schema()

    def fuzz_all() -> list[str]:
        found: list[str] = []
        for field, definition in _root_fields(schema, kind).items():
            # Negative mode breaks one argument's type: only fields with arguments have one.
            negative = NEGATIVE_EXAMPLES_PER_FIELD if definition.args else 0
            for mode, examples in ((Mode.POSITIVE, EXAMPLES_PER_FIELD), (Mode.NEGATIVE, negative)):
                if not examples:
                    continue
                strategy = make(schema, fields=[field], custom_scalars=CUSTOM_SCALARS, mode=mode)
                try:
                    found.extend(_fuzz(strategy, examples, send))
                except InvalidArgument:
                    assert mode is Mode.NEGATIVE  # nothing to break in this field's arguments
        return found

    found = await asyncio.to_thread(fuzz_all)
    assert not found, f"{len(found)} bad responses:\n" + "\n".join(found[:20])
