"""The `wagraph` command: help everywhere, keys printed once and usable."""

from __future__ import annotations

import pytest

from tests.app.test_migrations import run_cli
from whatsapp.access import api_keys


@pytest.mark.parametrize(
    "command",
    [
        (),
        ("serve",),
        ("check",),
        ("sandbox",),
        ("migrate",),
        ("keys",),
        ("keys", "create"),
        ("keys", "list"),
        ("worker",),
        ("scheduled",),
        ("scheduled", "flush"),
        ("scheduled", "list"),
        ("templates",),
        ("templates", "sync"),
        ("webhooks",),
        ("webhooks", "replay"),
        ("webhooks", "status"),
        ("webhooks", "failed"),
        ("webhooks", "replay-dead-letters"),
        ("webhooks", "discard-dead-letter"),
        ("keys", "revoke"),
        ("keys", "set-scope"),
        ("migrations", "check"),
        ("migrations", "make"),
        ("schema",),
        ("flows",),
        ("flows", "keygen"),
        ("flows", "upload-key"),
        ("flows", "demo"),
        ("analytics",),
        ("analytics", "rollup"),
        ("analytics", "status"),
        ("analytics", "rebuild-rollup"),
        ("secrets",),
        ("secrets", "keygen"),
        ("secrets", "status"),
        ("secrets", "rotate"),
    ],
)
def test_every_command_has_help(command: tuple[str, ...], db: str) -> None:
    result = run_cli(*command, "--help", database_url=db)

    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


async def test_keys_create_prints_the_key_alone_on_the_last_line(db: str) -> None:
    result = run_cli("keys", "create", "--name", "ci", "--scope", "write", database_url=db)

    assert result.returncode == 0, result.stderr
    key = result.stdout.strip().splitlines()[-1]
    row = await api_keys.authenticate(key)
    assert row is not None and row.name == "ci" and row.scope.value == "write"


def test_keys_create_refuses_an_unknown_scope(db: str) -> None:
    result = run_cli("keys", "create", "--name", "x", "--scope", "root", database_url=db)

    assert result.returncode == 2
    assert "scope must be one of" in result.stderr


def test_schema_prints_the_sdl(db: str) -> None:
    result = run_cli("schema", database_url=db)

    assert "sendMessage(input: SendMessageInput!): SendMessagePayload!" in result.stdout
