"""`wagraph schema`: the GraphQL SDL, for clients' code generators and review."""

from __future__ import annotations


def schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from schema.root import sdl

    print(sdl())
