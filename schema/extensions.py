"""Schema-wide extensions: request limits, caches, and what the client sees of an exception.

Expected errors pass through: a query's `WagraphError` keeps its code and field, a permission
error its FORBIDDEN; anything else is logged with an id and masked. How errors are logged and
operations measured: `schema.observability`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from graphql.utilities import get_operation_ast
from graphql.validation import MaxIntrospectionDepthRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types.execution import StreamExecutionResult

from schema.cost import QueryTooCostly, operation_cost
from schema.observability import (
    ObservedOperations,
    is_expected,
    log_bug,
    logged_id,
    operation_of,
)
from whatsapp.kit.errors import WagraphError


class MaskUnexpectedErrors(MaskErrors):
    """A bug reaches the client as INTERNAL_SERVER_ERROR with the id it was logged under
    (`schema.observability`: logged once, with its traceback)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not is_expected(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        error_id = logged_id(error) or log_bug(error, operation_of(self.execution_context))
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


class WagraphErrorsInQueries(SchemaExtension):
    """A query resolver's WagraphError (a bad cursor, say) keeps its code and field.

    Subscriptions too: their results never reach `on_operation`'s end one by one (the
    operation spans the whole stream), so each streamed result, the error that refuses to
    start a subscription included, is rewritten as it leaves (`on_stream_result`).
    """

    def on_operation(self) -> Iterator[None]:
        yield
        _with_codes(self.execution_context.result)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        _with_codes(result)
        yield


def _with_codes(result: object) -> None:
    errors: list[GraphQLError] | None = getattr(result, "errors", None)
    if not errors:
        return
    result.errors = [  # type: ignore[attr-defined]
        wagraph_error_to_graphql(e.original_error, e)
        if isinstance(e.original_error, WagraphError)
        else e
        for e in errors
    ]


DEFAULT_MAX_COST = 10_000


def schema_extensions(
    *,
    max_depth: int,
    max_tokens: int,
    max_aliases: int,
    max_cost: int = DEFAULT_MAX_COST,
    introspection: bool = True,
) -> list[Any]:
    """The extensions every request runs through, limits first."""
    # Validation rules are built once and cached with the parsed documents: per-request
    # construction defeats ValidationCache (stack-notes: ~3x slower).
    depth = QueryDepthLimiter(max_depth=max_depth)
    aliases = MaxAliasesLimiter(max_alias_count=max_aliases)
    rules = [*depth.validation_rules, *aliases.validation_rules, MaxIntrospectionDepthRule]
    if not introspection:
        rules.append(NoIntrospection)

    class Limits(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            ctx = self.execution_context
            ctx.validation_rules = (*ctx.validation_rules, *rules)
            ctx.parse_options["max_tokens"] = max_tokens
            yield

    class CostLimit(SchemaExtension):
        """Refuses a valid document whose cost (`schema.cost`) passes `max_cost`, before it
        runs. It follows ValidationCache, whose verdict it reads: a document validation
        refused is not costed (its errors say more)."""

        def on_validate(self) -> Iterator[None]:
            ctx = self.execution_context
            if ctx.pre_execution_errors == [] and ctx.graphql_document is not None:
                cost = operation_cost(
                    ctx.schema._schema, ctx.graphql_document, ctx.operation_name, ctx.variables
                )
                if cost is not None and cost > max_cost:
                    operation = get_operation_ast(ctx.graphql_document, ctx.operation_name)
                    assert operation is not None
                    ctx.pre_execution_errors = [QueryTooCostly(cost, max_cost, operation)]
            yield

    return [
        ObservedOperations,
        Limits,
        ParserCache,
        ValidationCache,
        CostLimit,
        MaskUnexpectedErrors,
        WagraphErrorsInQueries,
    ]


class NoIntrospection(NoSchemaIntrospectionCustomRule):
    """graphql-core's rule, with a code a client can act on."""

    def report_error(self, error: GraphQLError) -> None:
        error.extensions = {**(error.extensions or {}), "code": "INTROSPECTION_DISABLED"}
        super().report_error(error)
