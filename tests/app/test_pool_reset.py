"""PostgreSQL connections go back to the pool without asyncpg's reset round trip
(`app.db.keep_session`). That is safe only while wagraph leaves no session state behind: no
session-level advisory locks (`pg_advisory_xact_lock` ends with its transaction), cursors,
LISTEN or session-level SET. The scan below keeps it so."""

from __future__ import annotations

import re
from pathlib import Path

from tortoise import Tortoise

from app.db import dialect_of, keep_session

ROOT = Path(__file__).resolve().parents[2]
CODE = ["app", "whatsapp", "schema", "resolvers", "webhooks", "jobs", "models"]
# A statement that starts (after its string's quote, or a `;`) with SET (not SET LOCAL),
# LISTEN or DECLARE, or a session-level advisory lock anywhere: an UPDATE's `SET col =` is not
# one, and neither is a transaction's `pg_advisory_xact_lock`.
SESSION_STATE = re.compile(
    r"pg_(?:try_)?advisory_lock"
    r"|[\"';]\s*(?:SET\s+(?!LOCAL\b)|LISTEN\s|DECLARE\s)"
)


def test_no_code_leaves_session_state_on_a_pooled_connection() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in CODE
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if SESSION_STATE.search(line) and "keep_session" not in line
    ]
    assert found == [], "session state would outlive its request without a pool reset"


def test_the_scan_would_see_session_state() -> None:
    assert SESSION_STATE.search('await conn.execute_script("SET statement_timeout = 5")')
    assert SESSION_STATE.search("SELECT pg_advisory_lock(42)")
    assert SESSION_STATE.search("SELECT pg_try_advisory_lock_shared(42)")
    assert not SESSION_STATE.search("SELECT pg_advisory_xact_lock(42)")
    assert SESSION_STATE.search("await conn.execute('LISTEN wagraph')")
    assert not SESSION_STATE.search('"SET LOCAL statement_timeout = 5"')
    assert not SESSION_STATE.search('"UPDATE whatsapp_message SET status = 1"')


async def test_the_pool_does_not_reset_released_connections(db: str) -> None:
    if dialect_of(db) != "postgres":
        return  # SQLite has no pool to reset
    pool = Tortoise.get_connection("default")._pool  # type: ignore[attr-defined]
    assert pool._reset is keep_session
