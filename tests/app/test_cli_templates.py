"""`wagraph templates sync` in a real process, against the test database and the sandbox."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass

import pytest

from models import WhatsAppAnalyticsEvent, WhatsAppTemplate
from sandbox import Sandbox
from tests.app.test_migrations import ROOT, run_cli
from tests.conftest import ACCESS_TOKEN, APP_SECRET, WABA_ID
from tests.whatsapp.templates.test_sync import SEEDED


@dataclass(frozen=True, slots=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str


async def wagraph(*args: str, database_url: str, sandbox_url: str, **env: str) -> Finished:
    """Run the command without blocking this loop: the sandbox it talks to serves from it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        *args,
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "WAGRAPH_ENV": "test",
            "META_GRAPH_API_BASE_URL": sandbox_url,
            "META_ACCESS_TOKEN": ACCESS_TOKEN,
            "META_APP_SECRET": APP_SECRET,
            "META_WHATSAPP_BUSINESS_ID": WABA_ID,
            **env,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode(), stderr.decode())


@pytest.mark.parametrize(
    ("command", "mentions"), [(("templates",), "sync"), (("templates", "sync"), "--page-size")]
)
def test_help(command: tuple[str, ...], mentions: str, db: str) -> None:
    result = run_cli(*command, "--help", database_url=db)

    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout and mentions in result.stdout


async def test_sync_stores_the_templates_and_prints_the_counts(
    db: str, sandbox: Sandbox, sandbox_url: str
) -> None:
    result = await wagraph(
        "templates", "sync", "--page-size", "5", database_url=db, sandbox_url=sandbox_url
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        f"fetched {SEEDED} templates in 4 page(s): "
        f"{SEEDED} created, 0 updated, 0 unchanged, 0 removed"
    )
    assert await WhatsAppTemplate.filter(waba_id=WABA_ID).count() == SEEDED
    event = await WhatsAppAnalyticsEvent.get(name="template.synced")
    assert event.source == "cli" and event.properties["pages"] == 4


async def test_without_a_business_account_id_it_says_what_to_set(
    db: str, sandbox: Sandbox, sandbox_url: str
) -> None:
    result = await wagraph(
        "templates",
        "sync",
        database_url=db,
        sandbox_url=sandbox_url,
        META_WHATSAPP_BUSINESS_ID="",
        META_WHATSAPP_BUSINESS_ACCOUNT_ID="",
    )

    assert result.returncode == 1
    assert "Set META_WHATSAPP_BUSINESS_ID (or META_WHATSAPP_BUSINESS_ACCOUNT_ID)" in result.stderr
    assert sandbox.requests == []


async def test_when_meta_refuses_it_exits_1_with_metas_reason(
    db: str, sandbox: Sandbox, sandbox_url: str
) -> None:
    result = await wagraph(
        "templates", "sync", database_url=db, sandbox_url=sandbox_url, META_ACCESS_TOKEN="wrong"
    )

    assert result.returncode == 1
    assert "template sync failed: Listing templates failed after 0 page(s)" in result.stderr
    assert await WhatsAppTemplate.all().count() == 0
