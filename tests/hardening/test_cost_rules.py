"""The static query cost (schema/cost.py): how a document is priced, before anything runs."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLObjectType, get_nullable_type, is_list_type, parse

from schema.cost import (
    FILTERED,
    FUNNEL_STEP,
    HEAVY,
    RELATION,
    SIZERS,
    STATEMENT,
    declared_size,
    operation_cost,
)
from schema.root import build_schema
from whatsapp.kit.paging import DEFAULT_PAGE

SCHEMA = build_schema()._schema


def cost(document: str, variables: dict[str, Any] | None = None) -> int | None:
    return operation_cost(SCHEMA, parse(document), None, variables)


def test_every_list_without_a_page_argument_has_a_declared_size() -> None:
    # given: every object field of the schema that returns a list
    sized_by_arguments = {name for sizer in SIZERS.values() for name in sizer({"x": 1})} | {
        "EventSeries.series",
        "SeriesLine.points",
    }
    unsized = []
    for type_name, kind in SCHEMA.type_map.items():
        if type_name.startswith("__") or not isinstance(kind, GraphQLObjectType):
            continue
        is_connection = "edges" in kind.fields and "pageInfo" in kind.fields
        for name, field in kind.fields.items():
            if not is_list_type(get_nullable_type(field.type)):
                continue
            path = f"{type_name}.{name}"
            if (is_connection and name == "edges") or declared_size(path) is not None:
                continue
            if path not in sized_by_arguments:
                unsized.append(path)
    # then: none is left to the fallback guess
    assert unsized == []


def test_every_field_with_a_page_argument_returns_a_connection() -> None:
    for type_name, kind in SCHEMA.type_map.items():
        if type_name.startswith("__") or not isinstance(kind, GraphQLObjectType):
            continue
        for name, field in kind.fields.items():
            if "first" in field.args or "last" in field.args:
                returned = get_nullable_type(field.type)
                assert isinstance(returned, GraphQLObjectType), f"{type_name}.{name}"
                assert {"edges", "pageInfo"} <= set(returned.fields), f"{type_name}.{name}"


def test_a_connection_costs_its_page_size_times_each_edge() -> None:
    # messages (a root read) + edges 10 * (edge 1 + node 1 + id 1 + text 1)
    assert cost("{ messages(first: 10) { edges { node { id text } } } }") == STATEMENT + 10 * 4
    # totalCount (a count: RELATION) and pageInfo count once, not per edge
    assert (
        cost("{ messages(first: 10) { totalCount pageInfo { hasNextPage } edges { cursor } } }")
        == STATEMENT + RELATION + 2 + 10 * 2
    )


def test_an_absent_or_null_first_counts_the_default_page() -> None:
    default = STATEMENT + DEFAULT_PAGE * 2
    assert cost("{ messages { edges { cursor } } }") == default
    assert cost("{ messages(first: null) { edges { cursor } } }") == default
    assert cost("query ($n: Int) { messages(first: $n) { edges { cursor } } }") == default


def test_variables_and_their_defaults_size_the_pages() -> None:
    document = "query ($n: Int = 7) { messages(first: $n) { edges { cursor } } }"
    assert cost(document) == STATEMENT + 7 * 2
    assert cost(document, {"n": 100}) == STATEMENT + 100 * 2


def test_nested_connections_multiply() -> None:
    # The issue's 137-byte query shape: three nested pages of 100.
    document = (
        "{ contacts(first: 100) { edges { node { sessions(first: 100) { edges { node {"
        " messages(first: 100) { edges { node { id } } } } } } } } } }"
    )
    found = cost(document)
    assert found is not None and found > 3_000_000


def test_aliases_fragments_and_inline_fragments_all_count() -> None:
    one = cost("{ messages(first: 5) { edges { node { id } } } }")
    assert one is not None
    page = "messages(first: 5) { edges { node { id } } }"
    aliased = f"{{ a: {page} b: {page} }}"
    assert cost(aliased) == 2 * one
    fragment = (
        "query { ...Page } fragment Page on Query { messages(first: 5) { edges { node { id } } } }"
    )
    assert cost(fragment) == one
    inline = "{ ... on Query { messages(first: 5) { edges { node { ... on Message { id } } } } } }"
    assert cost(inline) == one


def test_a_relation_weighs_more_than_a_plain_value() -> None:
    # a message's contact comes through a DataLoader: RELATION, not 1
    plain = cost("{ messages(first: 10) { edges { node { id } } } }")
    related = cost("{ messages(first: 10) { edges { node { id contact { id } } } } }")
    assert plain is not None and related == plain + 10 * (RELATION + 1)


def test_a_filtered_root_page_weighs_a_possible_scan() -> None:
    # A filter matching few rows may read a whole table; a nested page reads by its parent.
    count = RELATION
    assert cost("{ messages(first: 1) { totalCount } }") == STATEMENT + count
    page = "{ messages(first: 1, after: null, filter: null) { totalCount } }"
    assert cost(page) == STATEMENT + count
    assert cost("{ messages(first: 1, filter: {status: [FAILED]}) { totalCount } }") == (
        FILTERED + count
    )
    assert cost('{ contacts(first: 1, filter: {search: "ali"}) { totalCount } }') == (
        FILTERED + count
    )


def test_skipped_selections_do_not_count() -> None:
    document = (
        "query ($all: Boolean!) { messages(first: 50) @include(if: $all) { edges { cursor } } "
        "__typename }"
    )
    assert cost(document, {"all": False}) == 1
    assert cost(document, {"all": True}) == 1 + STATEMENT + 50 * 2


def test_a_union_costs_its_costliest_member() -> None:
    document = (
        "{ sessions(first: 1) { edges { node { timeline(first: 2) { edges { node {"
        " ... on Message { id text status } ... on Event { id } } } } } } } }"
    )
    # sessions + 1 * (edge 1 + node 1 + timeline RELATION + 2 * (edge 1 + node 1 + 3))
    assert cost(document) == STATEMENT + 1 + 1 + RELATION + 2 * (1 + 1 + 3)


def test_a_fragment_bomb_is_costed_without_expanding_it() -> None:
    # given: each fragment spreads the next under two fields: 2^40 leaves once expanded
    fragments = "".join(
        f"fragment F{i} on Contact {{ a: sessions(first: 1) {{ edges {{ node {{ contact "
        f"{{ ...F{i + 1} }} }} }} }} b: sessions(first: 1) {{ edges {{ node {{ contact "
        f"{{ ...F{i + 1} }} }} }} }} }} "
        for i in range(40)
    )
    document = f"{{ contact(id: 1) {{ ...F0 }} }} {fragments} fragment F40 on Contact {{ id }}"
    # then: the cost is found (and is astronomical)
    found = cost(document)
    assert found is not None and found > 2**40


def test_analytics_aggregates_and_unindexed_patterns_are_heavy() -> None:
    assert (cost('{ events(first: 1, filter: {name: "*x"}) { totalCount } }') or 0) > HEAVY
    assert (
        cost('{ events(first: 1, filter: {name: "message.*"}) { totalCount } }')
        == FILTERED + RELATION
    )
    funnel = (
        '{ funnel(steps: [{name: "a"}, {name: "b"}], since: "2026-01-01T00:00:00Z", '
        'until: "2026-01-02T00:00:00Z") { name count } }'
    )
    # one statement, a step more after the first: HEAVY + FUNNEL_STEP + 2 steps * (step 1 +
    # name 1 + count 1) - 1
    assert cost(funnel) == HEAVY + FUNNEL_STEP + 5


@pytest.mark.parametrize(
    ("bucket", "until", "points"),
    [
        ("HOUR", "2020-01-08T00:00:00Z", 7 * 24 + 2),
        ("DAY", "2020-01-31T00:00:00Z", 30 * 24 // 23 + 2),
        ("MONTH", "2021-01-01T00:00:00Z", 366 // 28 + 2),
    ],
)
def test_a_series_is_sized_by_its_range(bucket: str, until: str, points: int) -> None:
    document = (
        f'{{ eventSeries(since: "2020-01-01T00:00:00Z", until: "{until}", bucket: {bucket}) '
        "{ series { points { count } } } }"
    )
    # eventSeries (heavy) + one series * (1 + points * (point 1 + count 1))
    assert cost(document) == HEAVY + 1 + points * 2
    # by group: up to 50 series
    grouped = document.replace(f"bucket: {bucket})", f"bucket: {bucket}, groupBy: NAME)")
    assert cost(grouped) == HEAVY + 50 * (1 + points * 2)


def test_a_subscription_is_costed_per_update() -> None:
    document = (
        "subscription { messageUpdated { message { contact { sessions(first: 100) {"
        " edges { node { messages(first: 100) { edges { node { id } } } } } } } } } }"
    )
    found = cost(document)
    assert found is not None and found > 30_000


def test_a_flow_history_costs_the_steps_it_asks_for() -> None:
    page = "{ flowSessions(first: 5) { edges { node { flowState { history%s { screen } } } } } }"

    few, default, most = (cost(page % args) for args in ("(latest: 3)", "", "(latest: 200)"))

    assert few < default < most
    assert default < 10_000  # a page of the default size with histories fits the default limit


def test_a_funnel_weighs_its_steps_and_unanchored_steps_like_scans() -> None:
    span = 'since: "2026-11-01T00:00:00Z", until: "2026-12-01T00:00:00Z", windowSeconds: 3600'

    def funnel(*names: str) -> int | None:
        steps = ", ".join(f'{{name: "{name}"}}' for name in names)
        return cost(f"{{ funnel(steps: [{steps}], {span}) {{ count }} }}")

    three = funnel("message.sent", "message.delivered", "message.read")
    five = funnel(*["message.sent"] * 5)
    six = funnel(*["message.sent"] * 6)
    anywhere = funnel("*", "message.read")

    assert three is not None and five is not None and six is not None and anywhere is not None
    assert three < five <= 10_000 < six
    assert anywhere > 10_000  # a step matching the whole log is refused under the default
