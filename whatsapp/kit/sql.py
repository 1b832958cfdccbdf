"""The little raw SQL the core writes, made to run on SQLite and PostgreSQL alike.

Tortoise covers almost everything; these helpers serve the few statements it cannot express
(claims with RETURNING, one UPDATE … CASE for a batch), the few on the send path that run for
every message (Tortoise builds a query's SQL anew on each call, which costs more CPU than
the round trip: `fetch_models`), and the aggregate values whose Python type differs by
dialect.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, TypeVar

from tortoise import Model, Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient

from whatsapp.kit import rows
from whatsapp.kit.clock import as_utc

Dialect = Literal["postgres", "sqlite"]
M = TypeVar("M", bound=Model)


def connection(using_db: BaseDBAsyncClient | None = None) -> BaseDBAsyncClient:
    return using_db or Tortoise.get_connection("default")


def dialect(using_db: BaseDBAsyncClient | None = None) -> Dialect:
    return "postgres" if connection(using_db).capabilities.dialect == "postgres" else "sqlite"


class Params:
    """Positional parameters in the dialect's placeholder style (`$1` or `?`).

    SQLite's driver takes UUIDs as strings; asyncpg takes them as they are.
    """

    def __init__(self, dialect: Dialect) -> None:
        self.postgres = dialect == "postgres"
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        """Bind one value and return its placeholder."""
        if isinstance(value, uuid.UUID) and not self.postgres:
            value = str(value)
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else "?"


def as_datetime(value: Any) -> datetime | None:
    """An aggregate timestamp: an ISO string on SQLite, a datetime on PostgreSQL; UTC either way."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime.fromisoformat(str(value)))


async def fetch_models(
    model: type[M], sql: str, values: list[Any], using_db: BaseDBAsyncClient | None = None
) -> list[M]:
    """Instances of `model` from a hand-written `SELECT *` on its table, decoded as list pages
    are (`whatsapp.kit.rows`: each column converted by its field, as Tortoise would)."""
    records = await connection(using_db).execute_query_dict(sql, values)
    return rows.decode(model, records)
