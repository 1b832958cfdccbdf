"""Migrations: the checked-in history of the current dialect builds the schema the models
describe. The drift check runs in a subprocess because aerich keeps global state."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from app.db import MIGRATIONS_DIR, dialect_of

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_dialect_has_a_history() -> None:
    for dialect in ("sqlite", "postgres"):
        assert list((MIGRATIONS_DIR / dialect / "models").glob("0_*_init.py")), dialect


def test_models_match_the_migrations_of_this_dialect(db: str) -> None:
    result = run_cli("migrations", "check", database_url=db)

    assert result.returncode == 0, result.stderr
    assert f"{dialect_of(db)} migrations match the models" in result.stderr


def test_make_on_a_fresh_database_migrates_it_and_finds_nothing_to_write(tmp_path: Path) -> None:
    # given: a database that has never been migrated
    url = f"sqlite://{tmp_path}/fresh.sqlite3"

    # when
    result = run_cli("migrations", "make", "probe", database_url=url)

    # then: it applies the history first, so there is a last version to compare with
    assert result.returncode == 0, result.stderr
    assert "nothing to write" in result.stdout + result.stderr
    assert not list((MIGRATIONS_DIR / "sqlite" / "models").glob("*_probe.py"))


def test_drift_is_detected(db: str, tmp_path: Path) -> None:
    # given: a copy of the project whose models gained a column without a migration
    copy = tmp_path / "project"
    for part in ("app", "models", "whatsapp", "migrations"):
        shutil.copytree(ROOT / part, copy / part)
    contact = copy / "models" / "contact.py"
    contact.write_text(
        contact.read_text().replace(
            "    last_inbound_at = fields.DatetimeField(null=True)\n",
            "    last_inbound_at = fields.DatetimeField(null=True)\n"
            "    nickname = fields.CharField(max_length=64, null=True)\n",
        )
    )

    # when
    env = {**os.environ, "DATABASE_URL": db, "PYTHONPATH": str(copy)}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "migrations", "check"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # then
    assert result.returncode == 1, result.stderr
    assert "models changed without a" in result.stderr


# -- the identity migration (3_*_identity): contacts keyed by BSUID, their numbers as identities --

CONTACT_A, CONTACT_B = (
    "8d0c7a52-1c1e-4c55-a4f4-0a8b5b9e0001",
    "8d0c7a52-1c1e-4c55-a4f4-0a8b5b9e0002",
)
NUMBER, BSUID_A, BSUID_B = "15551234567", "US.13491208655302741918", "US.18402957316640219381"
STAMP = "2026-03-01T10:00:00+00:00"
CONTENT_A = '{"from": "15551234567", "from_user_id": "US.13491208655302741918", "type": "text"}'
CONTENT_B = '{"from": "", "from_user_id": "US.18402957316640219381", "type": "text"}'
# Before the migration: a contact keyed by its number, and the one every username-only
# customer fell into (keyed by ""); an inbound message each, and a send stored without contact.
OLD_ROWS = [
    (
        "INSERT INTO whatsapp_contact (id, created_at, updated_at, wa_id, tags) "
        "VALUES ('{a}', '{t}', '{t}', '{n}', '[\"vip\"]'), ('{b}', '{t}', '{t}', '', '[]')"
    ),
    (
        "INSERT INTO whatsapp_message (id, created_at, updated_at, direction, type, status, "
        "phone_number_id, customer_wa_id, wamid, content, attempts, contact_id, received_at) "
        "VALUES "
        "('8d0c7a52-1c1e-4c55-a4f4-0a8b5b9e0011', '{t}', '{t}', 'INBOUND', 'TEXT', 'RECEIVED', "
        "'1', '{n}', 'wamid.A', '{ca}', 0, '{a}', '{t}'), "
        "('8d0c7a52-1c1e-4c55-a4f4-0a8b5b9e0012', '{t}', '{t}', 'OUTBOUND', 'TEXT', 'SENT', "
        "'1', '{n}', 'wamid.OUT', NULL, 1, NULL, NULL), "
        "('8d0c7a52-1c1e-4c55-a4f4-0a8b5b9e0013', '{t}', '{t}', 'INBOUND', 'TEXT', 'RECEIVED', "
        "'1', '', 'wamid.B', '{cb}', 0, '{b}', '{t}')"
    ),
]
CHECKS = {
    "contacts": "SELECT id, wa_id, bsuid, marketing_consent FROM whatsapp_contact ORDER BY id",
    "identities": "SELECT contact_id, kind, value, retired_at FROM whatsapp_contact_identity",
    "messages": (
        "SELECT wamid, contact_id, customer_wa_id, customer_bsuid FROM whatsapp_message "
        "ORDER BY wamid"
    ),
}


def _old_rows() -> list[str]:
    values = {"a": CONTACT_A, "b": CONTACT_B, "t": STAMP, "n": NUMBER}
    return [sql.format(ca=CONTENT_A, cb=CONTENT_B, **values) for sql in OLD_ROWS]


async def _sql(url: str, statements: list[str]) -> list[list[tuple[object, ...]]]:
    """Raw SQL on a database the ORM of this process is not connected to."""
    if dialect_of(url) == "sqlite":
        import sqlite3

        with closing(sqlite3.connect(url.removeprefix("sqlite://"))) as conn, conn:
            return [conn.execute(sql).fetchall() for sql in statements]
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        results = []
        for sql in statements:
            rows = await conn.fetch(sql)
            results.append([tuple(str(v) if v is not None else None for v in r) for r in rows])
        return results
    finally:
        await conn.close()


@pytest.fixture
async def fresh_url(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the suite's dialect, apart from the suite's own."""
    if dialect_of(database_url) == "sqlite":
        yield f"sqlite://{tmp_path / 'upgrade.sqlite3'}"
        return
    from tests.conftest import _create_pg_database

    base = database_url.rsplit("/", 1)[0] + "/postgres"
    url, drop = await _create_pg_database(base)
    try:
        yield url
    finally:
        await drop()


async def test_the_identity_migration_keeps_contacts_and_messages(
    fresh_url: str, tmp_path: Path
) -> None:
    # given: a database at the previous migration, with contacts and messages
    previous = tmp_path / "previous"
    for part in ("app", "models", "whatsapp", "migrations"):
        shutil.copytree(ROOT / part, previous / part)
    for newer in (previous / "migrations").glob("*/models/*_*.py"):
        if int(newer.name.split("_", 1)[0]) >= 3:  # the identity migration and every later one
            newer.unlink()
    env = {**os.environ, "DATABASE_URL": fresh_url, "PYTHONPATH": str(previous)}
    before = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app.cli", "migrate"],
        cwd=previous,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert before.returncode == 0, before.stderr
    await _sql(fresh_url, _old_rows())

    # when
    upgraded = await asyncio.to_thread(run_cli, "migrate", database_url=fresh_url)

    # then
    assert upgraded.returncode == 0, upgraded.stderr
    assert "identity" in upgraded.stderr
    contacts, identities, messages = await _sql(fresh_url, list(CHECKS.values()))
    assert contacts == [(CONTACT_A, NUMBER, None, "UNKNOWN"), (CONTACT_B, None, None, "UNKNOWN")]
    assert identities == [(CONTACT_A, "wa_id", NUMBER, None)]
    assert messages == [
        ("wamid.A", CONTACT_A, NUMBER, BSUID_A),  # its sender's BSUID, read from the content
        ("wamid.B", CONTACT_B, None, BSUID_B),  # "" is no number
        ("wamid.OUT", CONTACT_A, NUMBER, None),  # tied to its contact: the window is theirs
    ]
    check = await asyncio.to_thread(run_cli, "migrations", "check", database_url=fresh_url)
    assert check.returncode == 0, check.stderr
