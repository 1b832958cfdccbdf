"""Analytics statements run under a time limit on PostgreSQL: past it, QUERY_TIMEOUT, and the
connection is fine for the next request."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from whatsapp.analytics import statements
from whatsapp.kit.errors import ErrorCode, WagraphError

POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.fixture
def short_limit() -> Iterator[None]:
    statements.use_timeout(0.05)
    yield
    statements.use_timeout(10.0)


@pytest.mark.skipif(not POSTGRES, reason="SQLite cannot cancel a running statement")
async def test_a_statement_past_the_limit_is_cancelled_with_query_timeout(
    short_limit: None,
) -> None:
    with pytest.raises(WagraphError) as raised:
        await statements.fetch("SELECT pg_sleep(2)", [])

    assert raised.value.code == ErrorCode.QUERY_TIMEOUT
    assert "0.05 s limit" in str(raised.value)
    assert await statements.fetch("SELECT 1 AS one", []) == [{"one": 1}]


async def test_a_statement_within_the_limit_answers(short_limit: None) -> None:
    assert await statements.fetch("SELECT 2 AS two", []) == [{"two": 2}]
