"""`wagraph keys`: keys with an expiry, scope changes and revokes from the command line."""

from __future__ import annotations

from datetime import timedelta

from models import ApiKey, ApiKeyScope
from tests.app.test_migrations import run_cli
from whatsapp.access import api_keys
from whatsapp.kit.clock import utcnow


async def test_keys_create_with_an_expiry(db: str) -> None:
    result = run_cli("keys", "create", "--name", "temp", "--expires-in", "2h", database_url=db)

    assert result.returncode == 0, result.stderr
    key = result.stdout.strip().splitlines()[-1]
    identity = await api_keys.authenticate(key)
    assert identity is not None and identity.expires_at is not None
    assert utcnow() + timedelta(hours=1) < identity.expires_at <= utcnow() + timedelta(hours=2)


async def test_a_bad_expiry_exits_2_and_creates_nothing(db: str) -> None:
    bad = run_cli("keys", "create", "--name", "temp", "--expires-in", "soon", database_url=db)
    past = run_cli(
        "keys", "create", "--name", "temp", "--expires-at", "2020-01-01T00:00:00", database_url=db
    )

    assert (bad.returncode, past.returncode) == (2, 2)
    assert "expires-in" in bad.stderr
    assert "future" in past.stderr
    assert await ApiKey.all().count() == 0


async def test_keys_set_scope_and_revoke(db: str) -> None:
    row, key = await api_keys.create_api_key(name="ops", scope=ApiKeyScope.ADMIN)

    lowered = run_cli("keys", "set-scope", row.prefix, "read", database_url=db)
    revoked = run_cli("keys", "revoke", row.prefix, database_url=db)
    again = run_cli("keys", "revoke", row.prefix, database_url=db)

    assert (lowered.returncode, revoked.returncode, again.returncode) == (0, 0, 2), again.stderr
    stored = await ApiKey.get(id=row.id)
    assert stored.scope == ApiKeyScope.READ
    assert stored.revoked_at is not None
    assert await api_keys.authenticate(key) is None
