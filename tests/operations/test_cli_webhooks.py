"""`wagraph webhooks status|failed`: the inbox as tables, failed deliveries listed with whole
ids that `replay --id` takes, and a database out of reach said in one line."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from models import InboxStatus, WebhookDelivery
from tests.operations.cli_runner import cli_env, closed_port, wagraph

EMPTY_WEBHOOK = orjson.dumps({"object": "whatsapp_business_account", "entry": []}).decode()
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def failed_delivery(key: str, error: str) -> WebhookDelivery:
    return await WebhookDelivery.create(
        dedupe_key=key, body=EMPTY_WEBHOOK, status=InboxStatus.FAILED, attempts=8, last_error=error
    )


async def test_status_is_a_table_of_deliveries_and_dead_letters(db: str, tmp_path: Path) -> None:
    await failed_delivery("a", "boom")
    await failed_delivery("b", "boom")
    await WebhookDelivery.create(dedupe_key="c", body=EMPTY_WEBHOOK, status=InboxStatus.PROCESSED)

    result = await wagraph("webhooks", "status", env=cli_env(db), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    deliveries = next(line for line in result.stdout.splitlines() if "deliveries" in line)
    assert deliveries.split() == ["deliveries", "0", "1", "2"]  # pending, processed, failed
    letters = next(line for line in result.stdout.splitlines() if "dead letters" in line)
    assert letters.split() == ["dead", "letters", "0", "0", "0"]
    assert "wagraph webhooks failed" in result.stderr


async def test_failed_lists_whole_ids_and_errors_that_replay_takes(db: str, tmp_path: Path) -> None:
    older = await failed_delivery("old", "KeyError: [Errno 5] 'entry'\n  second line")
    newer = await failed_delivery("new", "TimeoutError: database busy")
    env = cli_env(db)

    listed = await wagraph("webhooks", "failed", env=env, cwd=tmp_path)
    one = await wagraph("webhooks", "failed", "--limit", "1", env=env, cwd=tmp_path)

    assert listed.returncode == 0, listed.stderr
    assert UUID.findall(listed.stdout) == [str(newer.id), str(older.id)]  # newest first
    assert "KeyError: [Errno 5] 'entry' second line" in listed.stdout  # on one line, not markup
    assert "TimeoutError: database busy" in listed.stdout
    assert UUID.findall(one.stdout) == [str(newer.id)]
    assert "1 of 2 failed deliveries" in one.stderr

    # the id as printed is what replay takes
    replayed = await wagraph(
        "webhooks", "replay", "--id", UUID.findall(one.stdout)[0], env=env, cwd=tmp_path
    )

    assert replayed.returncode == 0, replayed.stderr
    await newer.refresh_from_db()
    await older.refresh_from_db()
    assert (newer.status, older.status) == (InboxStatus.PROCESSED, InboxStatus.FAILED)


async def test_failed_with_none_says_so(db: str, tmp_path: Path) -> None:
    result = await wagraph("webhooks", "failed", env=cli_env(db), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "no failed deliveries" in result.stderr


async def test_an_unreachable_database_is_one_line_naming_its_url(tmp_path: Path) -> None:
    url = f"postgres://wagraph:s3cret@127.0.0.1:{closed_port()}/wagraph"

    for command in (("webhooks", "status"), ("webhooks", "failed"), ("scheduled", "list")):
        result = await wagraph(*command, env=cli_env(url), cwd=tmp_path)

        assert result.returncode == 1, command
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("cannot reach the database at postgres://wagraph:***@127.0.0.1:")
        assert "(DATABASE_URL)" in lines[0]
        assert "s3cret" not in result.stderr


async def test_a_database_never_migrated_says_to_migrate(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'empty.sqlite3'}"

    result = await wagraph("webhooks", "failed", env=cli_env(url), cwd=tmp_path)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "(DATABASE_URL) is not migrated" in result.stderr
    assert "wagraph migrate" in result.stderr
