"""Running an analytics statement under a time limit, so no request can hold the database.

The query-cost limit bounds how much a request may ask for, but not how long one aggregate
takes: a funnel whose ten steps are all `*` joins every event ten times and ran for minutes on
1M events. On PostgreSQL each analytics statement therefore runs in its own transaction with
`SET LOCAL statement_timeout`; past it the database cancels the statement and the client gets
QUERY_TIMEOUT naming the limit (a narrower range or fewer steps will do). SQLite cannot cancel
a statement from another task; its embedded use holds small data.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import TransactionalDBClient
from tortoise.transactions import in_transaction

from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.kit.sql import connection, dialect

_timeout_s = 10.0


def use_timeout(seconds: float) -> None:
    """Set this process's limit per analytics statement (0: none); from the settings."""
    global _timeout_s
    _timeout_s = seconds


async def fetch(sql: str, values: list[Any]) -> list[dict[str, Any]]:
    """The statement's rows, or QUERY_TIMEOUT when it ran past the limit."""
    current = connection()
    if (
        _timeout_s <= 0
        or dialect(current) != "postgres"
        or isinstance(current, TransactionalDBClient)
    ):
        # Inside a caller's transaction the statement shares its connection (and its limits).
        return await current.execute_query_dict(sql, values)
    milliseconds = max(1, round(_timeout_s * 1000))
    try:
        async with in_transaction() as conn:
            await conn.execute_script(f"SET LOCAL statement_timeout = {milliseconds}")
            return await conn.execute_query_dict(sql, values)
    except Exception as exc:  # asyncpg's QueryCanceledError, bare or wrapped by Tortoise
        if _cancelled_by_timeout(exc):
            raise WagraphError.of(
                ErrorCode.QUERY_TIMEOUT,
                f"This aggregate ran past the {_timeout_s:g} s limit: "
                "ask for a shorter range, fewer or narrower steps, or a filter",
            ) from None
        raise


def _cancelled_by_timeout(exc: BaseException) -> bool:
    """SQLSTATE 57014 (query_canceled) on the error or the one it wraps."""
    return any(getattr(e, "sqlstate", None) == "57014" for e in (exc, exc.__cause__))
