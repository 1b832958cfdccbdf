"""Error masking: expected errors pass through; anything else is logged with an id and hidden."""

from __future__ import annotations

import logging
import uuid

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from whatsapp.kit.errors import WagraphError

log = logging.getLogger("wagraph.graphql")


def _is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    # Validation and parse errors carry no original error; permission errors (GraphQLErrors
    # raised on purpose) and our own WagraphError are meant for the client.
    return original is None or isinstance(original, WagraphError | GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not _is_expected(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        error_id = uuid.uuid4().hex[:12]
        log.error(
            "unexpected error %s at %s",
            error_id,
            error.path,
            exc_info=error.original_error,
        )
        return GraphQLError(
            message=f"Unexpected error (id {error_id}); it has been logged.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "errorId": error_id},
        )


def wagraph_error_to_graphql(exc: WagraphError, at: GraphQLError) -> GraphQLError:
    """For query resolvers, which have no payload: the problem goes to `errors` with its code,
    at the place in the query where it happened."""
    first = exc.problems[0]
    return GraphQLError(
        first.message,
        nodes=at.nodes,
        source=at.source,
        positions=at.positions,
        path=at.path,
        extensions={"code": first.code.value, "field": list(first.field or [])},
        original_error=exc,
    )
