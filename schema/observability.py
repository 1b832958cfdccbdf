"""What a GraphQL request leaves for an operator: one log line per error, its latency and its
errors as metrics.

A client's mistake (a syntax or validation error, a WagraphError, a refused permission, a
query too costly) is one INFO line — code, message, operation, request id — and no traceback:
nothing is wrong with the server. Anything else is a bug: one ERROR line with its traceback
and the error id the client was given (`MaskUnexpectedErrors` masks it with that id).
Strawberry's own `process_errors` logged every error at ERROR with a traceback, and the masking
logged the bug a second time; `WagraphSchema` replaces both.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from whatsapp.kit import log_context, metrics
from whatsapp.kit.errors import WagraphError
from whatsapp.kit.outages import is_database_outage

log = logging.getLogger("wagraph.graphql")

# Where the id of a logged bug is kept, for the masked error the client gets.
ERROR_ID = "wagraph_error_id"


def is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    # Validation and parse errors carry no original error; permission errors (GraphQLErrors
    # raised on purpose) and our own WagraphError are meant for the client.
    return original is None or isinstance(original, WagraphError | GraphQLError)


def code_of(error: GraphQLError) -> str:
    """The error's code as the client sees it (the ones graphql-core leaves without, named)."""
    original = error.original_error
    if isinstance(original, WagraphError):
        return original.problems[0].code.value
    code = (error.extensions or {}).get("code")
    if code:
        return str(code)
    if isinstance(error, GraphQLSyntaxError) or isinstance(original, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if original is None:
        return "GRAPHQL_VALIDATION_FAILED"
    return "INTERNAL_SERVER_ERROR" if not is_expected(error) else "UNKNOWN"


def operation_of(context: ExecutionContext | None) -> str | None:
    try:
        return context.operation_name if context is not None else None
    except Exception:  # a document that did not parse has no operation
        return None


def log_client_error(code: str, message: str, operation: str | None) -> None:
    """The one INFO line of a client's mistake."""
    log.info(
        "client error %s in %s (request %s): %s",
        code,
        operation or "anonymous operation",
        log_context.current(log_context.REQUEST_ID) or "-",
        message,
    )


def log_bug(error: GraphQLError, operation: str | None) -> str:
    """The one ERROR line (with traceback) of an unexpected error; returns its id.

    An error that only says the database is unreachable is no bug: one WARNING line without a
    traceback, and the requests failing the same way in the next `OUTAGE_QUIET_S` seconds at
    DEBUG, so an outage reads as an outage (`whatsapp.kit.outages`), not a traceback each."""
    error_id = uuid.uuid4().hex[:12]
    original = error.original_error
    where = (
        error_id,
        operation or "anonymous operation",
        error.path,
        log_context.current(log_context.REQUEST_ID) or "-",
    )
    if original is not None and is_database_outage(original):
        now = time.monotonic()
        quiet = now - _last_outage_line[0] < OUTAGE_QUIET_S
        if not quiet:
            _last_outage_line[0] = now
        log.log(
            logging.DEBUG if quiet else logging.WARNING,
            "error %s in %s at %s (request %s): the database is unreachable (%s: %s)",
            *where,
            type(original).__name__,
            original,
        )
    else:
        log.error("unexpected error %s in %s at %s (request %s)", *where, exc_info=original)
    if original is not None:
        setattr(original, ERROR_ID, error_id)
    return error_id


# A database outage's GraphQL errors: one WARNING per this many seconds, the rest at DEBUG.
OUTAGE_QUIET_S = 30.0
_last_outage_line = [-OUTAGE_QUIET_S]


def logged_id(error: GraphQLError) -> str | None:
    return getattr(error.original_error, ERROR_ID, None)


class WagraphSchema(strawberry.Schema):
    """strawberry's Schema, logging each error once, at the level it deserves."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        operation = operation_of(execution_context)
        for error in errors:
            if is_expected(error):
                log_client_error(code_of(error), error.message, operation)
            elif logged_id(error) is None:
                log_bug(error, operation)


class ObservedOperations(SchemaExtension):
    """Latency by operation (`wagraph_graphql_request_seconds`; subscriptions are streams, not
    timed) and the response's errors by code (`wagraph_graphql_errors_total`)."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        ctx = self.execution_context
        kind = _kind(ctx)
        if kind != "subscription":
            operation = metrics.OPERATION_NAMES(operation_of(ctx))
            metrics.GRAPHQL_SECONDS.labels(operation, kind).observe(time.perf_counter() - started)
        for error in getattr(ctx.result, "errors", None) or ():
            metrics.GRAPHQL_ERRORS.labels(metrics.ERROR_CODES(code_of(error))).inc()


def _kind(ctx: ExecutionContext) -> str:
    try:
        return str(ctx.operation_type.value)
    except Exception:  # no document, or no operation of that name
        return "invalid"


def count_payload_errors(codes: list[Any]) -> None:
    """Errors a mutation returned as data count like the response's."""
    for code in codes:
        metrics.GRAPHQL_ERRORS.labels(metrics.ERROR_CODES(str(code))).inc()
