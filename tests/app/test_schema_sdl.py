"""The committed SDL is the contract dashboards diff against; it must match the code."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLUnionType,
    build_schema,
)

from schema.root import sdl

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_sdl_matches_the_schema() -> None:
    assert SDL.read_text().strip() == sdl().strip(), "run `make schema` and commit schema.graphql"


def test_every_type_and_field_has_a_description() -> None:
    # given
    types = [
        t
        for name, t in build_schema(sdl()).type_map.items()
        if not name.startswith("__")
        and isinstance(
            t, GraphQLObjectType | GraphQLInputObjectType | GraphQLEnumType | GraphQLUnionType
        )
    ]

    # when
    undescribed = [t.name for t in types if not t.description] + [
        f"{t.name}.{name}"
        for t in types
        if isinstance(t, GraphQLObjectType | GraphQLInputObjectType)
        for name, field in t.fields.items()
        if not field.description
    ]

    # then
    assert undescribed == []
