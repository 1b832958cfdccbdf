"""The committed SDL is the contract dashboards diff against; it must match the code."""

from __future__ import annotations

from pathlib import Path

from schema.root import sdl

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_sdl_matches_the_schema() -> None:
    assert SDL.read_text().strip() == sdl().strip(), "run `make schema` and commit schema.graphql"
