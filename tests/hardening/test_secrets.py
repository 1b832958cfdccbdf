"""An automation's secrets (a webhook's secret and header values) are write-only for every key,
sealed at rest with the settings' key, readable across a key rotation, and never logged."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.settings import Settings
from models import AutomationRunStatus, WhatsAppAutomation
from tests.conftest import GraphQL, start_server, stop_server
from tests.whatsapp.automations.allow import allowing
from tests.whatsapp.automations.factories import run_once, shipped_event
from whatsapp.automations.actions import open_secrets
from whatsapp.automations.stored_secrets import rotate_secrets, secrets_status
from whatsapp.kit import secrets as kit_secrets
from whatsapp.kit.secrets import PREFIX, SealState, SecretBox, generate_key
from whatsapp.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Bearer integrator-token-7f3a"
TENANT = "tenant-4242"
SECRET = "hmac-secret-91c2"
PLAINTEXTS = (TOKEN, TENANT, SECRET)


@dataclass
class Receiver:
    received: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            self.received.append(dict(request.headers))
            return Response(status_code=int(request.query_params.get("status", "200")))

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


@pytest.fixture(scope="module")
async def receiver_server() -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver()
    server, task, url = await start_server(receiver.app())
    try:
        yield receiver, f"{url}/hook"
    finally:
        await stop_server(server, task)


@pytest.fixture
def receiver(receiver_server: tuple[Receiver, str]) -> Iterator[Receiver]:
    receiver_server[0].received.clear()
    with allowing("127.0.0.1"):
        yield receiver_server[0]


@pytest.fixture
def hook_url(receiver_server: tuple[Receiver, str]) -> str:
    return receiver_server[1]


@pytest.fixture
def rt(client: httpx.AsyncClient) -> Runtime:
    return client.app.state.runtime  # type: ignore[attr-defined, no-any-return]


@contextmanager
def keys(current: str, *previous: str) -> Iterator[SecretBox]:
    """These secrets keys for the process while the block runs, as the settings would give."""
    before = kit_secrets.box()
    box = SecretBox.from_keys(current, previous)
    kit_secrets.use_box(box)
    try:
        yield box
    finally:
        kit_secrets.use_box(before)


CREATE = """mutation($input: CreateAutomationInput!) {
  createAutomation(input: $input) { automation { id actions } errors { code field message } }
}"""
UPDATE = """mutation($id: ID!, $input: UpdateAutomationInput!) {
  updateAutomation(id: $id, input: $input) { automation { actions } errors { code field } }
}"""
READ = """query($id: ID!) { automation(id: $id) { actions } automations { actions } }"""
DRY_RUN = """query($id: ID!, $event: ID!) {
  testAutomation(id: $id, eventId: $event) { actions { type detail } }
}"""


def webhook(url: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "webhook",
        "url": url,
        "secret": SECRET,
        "headers": {"Authorization": TOKEN, "X-Tenant": TENANT},
        **extra,
    }


async def create(gql: GraphQL, url: str) -> str:
    result = await gql(
        CREATE,
        {"input": {"name": "CRM", "trigger": "order.*", "actions": [webhook(url)]}},
    )
    payload = result["data"]["createAutomation"]
    assert payload["errors"] == [], payload["errors"]
    return str(payload["automation"]["id"])


MASKED = {"Authorization": "********", "X-Tenant": "********"}


async def test_every_key_reads_secrets_and_header_values_masked(
    client: httpx.AsyncClient, read_key: str, write_key: str, admin_key: str, hook_url: str
) -> None:
    with allowing("127.0.0.1"):
        automation_id = await create(GraphQL(client, write_key), hook_url)
    event = await shipped_event()

    for key in (read_key, write_key, admin_key):
        gql = GraphQL(client, key)
        read = await gql(READ, {"id": automation_id})
        for actions in (
            read["data"]["automation"]["actions"],
            read["data"]["automations"][0]["actions"],
        ):
            assert actions[0]["secret"] == "********"
            assert actions[0]["headers"] == MASKED
        preview = await gql(DRY_RUN, {"id": automation_id, "event": str(event.id)})
        shown = orjson.dumps(preview).decode()
        assert preview["data"]["testAutomation"]["actions"][0]["detail"]["headers"]["X-Tenant"] == (
            "********"
        )
        assert not any(plain in shown for plain in PLAINTEXTS)
        assert not any(plain in orjson.dumps(read).decode() for plain in PLAINTEXTS)


async def test_secrets_are_sealed_at_rest_and_delivered_in_clear(
    rt: Runtime, gql: GraphQL, receiver: Receiver, hook_url: str
) -> None:
    # given
    automation_id = await create(gql, hook_url)

    # then: nothing in the row is the plaintext; each value is sealed
    row = await WhatsAppAutomation.get(id=automation_id)
    stored = orjson.dumps(row.actions).decode()
    assert not any(plain in stored for plain in PLAINTEXTS)
    assert row.actions[0]["secret"].startswith(PREFIX)
    assert all(value.startswith(PREFIX) for value in row.actions[0]["headers"].values())
    assert await secrets_status() == {SealState.CURRENT: 3}

    # and when it runs, the receiver gets the real values
    await shipped_event()
    run = await run_once(rt)
    assert run.status == AutomationRunStatus.SUCCEEDED, run.results
    [headers] = receiver.received
    assert headers["authorization"] == TOKEN
    assert headers["x-tenant"] == TENANT


async def test_an_update_that_sends_the_masks_back_keeps_the_values(
    gql: GraphQL, receiver: Receiver, hook_url: str
) -> None:
    automation_id = await create(gql, hook_url)
    read = await gql(READ, {"id": automation_id})
    shown = read["data"]["automation"]["actions"][0]

    # when: the client edits what it read (masks included), renaming a header's case
    headers = {"authorization": "********", "X-Tenant": "********", "X-New": "new-value"}
    result = await gql(
        UPDATE, {"id": automation_id, "input": {"actions": [{**shown, "headers": headers}]}}
    )

    # then
    assert result["data"]["updateAutomation"]["errors"] == []
    row = await WhatsAppAutomation.get(id=automation_id)
    assert open_secrets(row.actions)[0]["secret"] == SECRET
    assert open_secrets(row.actions)[0]["headers"] == {
        "authorization": TOKEN,
        "X-Tenant": TENANT,
        "X-New": "new-value",
    }

    # and a mask for a header that was never stored is refused, at its path
    result = await gql(
        UPDATE,
        {
            "id": automation_id,
            "input": {"actions": [{**shown, "headers": {"X-Unknown": "********"}}]},
        },
    )
    [error] = result["data"]["updateAutomation"]["errors"]
    assert error["code"] == "INVALID_INPUT"
    assert error["field"][-4:] == ["actions", "0", "headers", "X-Unknown"]


async def test_plaintext_stored_before_sealing_keeps_working_until_rotated(
    rt: Runtime, receiver: Receiver, hook_url: str
) -> None:
    # given: a row written by an older version, secrets in clear
    row = await WhatsAppAutomation.create(
        name="old", trigger="order.shipped", actions=[webhook(hook_url)], cooldown_seconds=0
    )
    assert await secrets_status() == {SealState.PLAINTEXT: 3}

    # then: it still runs with its values
    await shipped_event()
    run = await run_once(rt)
    assert run.status == AutomationRunStatus.SUCCEEDED, run.results
    assert receiver.received[0]["authorization"] == TOKEN

    # and a rotation seals them
    done = await rotate_secrets()
    assert (done.automations, done.resealed, done.unreadable) == (1, 1, [])
    await row.refresh_from_db()
    assert not any(plain in orjson.dumps(row.actions).decode() for plain in PLAINTEXTS)
    assert open_secrets(row.actions) == [webhook(hook_url)]
    assert await secrets_status() == {SealState.CURRENT: 3}


async def test_a_key_rotation_keeps_every_secret_readable(gql: GraphQL, hook_url: str) -> None:
    old, new = generate_key(), generate_key()
    with keys(old), allowing("127.0.0.1"):
        automation_id = await create(gql, hook_url)

    # while the new key is current and the old one previous, stored secrets still open
    with keys(new, old):
        assert await secrets_status() == {SealState.PREVIOUS: 3}
        row = await WhatsAppAutomation.get(id=automation_id)
        assert open_secrets(row.actions)[0]["secret"] == SECRET
        assert (await rotate_secrets()).resealed == 1
        assert await secrets_status() == {SealState.CURRENT: 3}

    # after the rotation the old key can go
    with keys(new):
        row = await WhatsAppAutomation.get(id=automation_id)
        assert open_secrets(row.actions)[0]["headers"]["Authorization"] == TOKEN


async def test_a_secret_no_configured_key_opens_fails_the_run_naming_the_setting(
    rt: Runtime, gql: GraphQL, receiver: Receiver, hook_url: str
) -> None:
    with keys(generate_key()):
        await create(gql, hook_url)
    await shipped_event()

    with keys(generate_key()):
        run = await run_once(rt)
        done = await rotate_secrets()

    assert run.status == AutomationRunStatus.FAILED
    assert "WAGRAPH_SECRETS_KEY" in (run.error or "")
    assert receiver.received == []
    assert len(done.unreadable) == 1


async def test_secrets_are_never_logged(
    rt: Runtime, gql: GraphQL, hook_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with allowing("127.0.0.1"):
        automation_id = await create(gql, f"{hook_url}?status=500")
        await gql(UPDATE, {"id": automation_id, "input": {"name": "renamed"}})
        await shipped_event()
        run = await run_once(rt)

    assert run.status == AutomationRunStatus.FAILED
    assert "webhook to 127.0.0.1" in caplog.text
    assert not any(plain in caplog.text for plain in PLAINTEXTS)


def test_production_needs_a_secrets_key_and_a_bad_one_is_named_not_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WAGRAPH_ENV", "production")
    monkeypatch.setenv("META_APP_SECRET", "a-real-secret")
    monkeypatch.setenv("WAGRAPH_AUTOMATION_WEBHOOK_SECRET", "a-real-signing-secret")
    monkeypatch.delenv("WAGRAPH_SECRETS_KEY", raising=False)
    with pytest.raises(ValidationError, match="WAGRAPH_SECRETS_KEY must be set"):
        Settings(_env_file=None)  # type: ignore[call-arg]

    monkeypatch.setenv("WAGRAPH_SECRETS_KEY", "not-a-fernet-key-but-secret")
    with pytest.raises(ValidationError, match="WAGRAPH_SECRETS_KEY") as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert "not-a-fernet-key-but-secret" not in str(caught.value)

    key = Fernet.generate_key().decode()
    monkeypatch.setenv("WAGRAPH_SECRETS_KEY", key)
    # Production against Meta also needs the account's own ids and token (app/settings.py).
    monkeypatch.setenv("META_ACCESS_TOKEN", "a-real-token")
    monkeypatch.setenv("META_PHONE_NUMBER_ID", "123456789012345")
    monkeypatch.setenv("META_WHATSAPP_BUSINESS_ID", "987654321098765")
    monkeypatch.setenv("META_VERIFY_TOKEN", "a-real-verify-token")
    assert Settings(_env_file=None).secret_box().open(SecretBox.from_keys(key).seal("x")) == "x"  # type: ignore[call-arg]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_the_cli_makes_a_key_and_rotates_to_it(db: str, gql: GraphQL, hook_url: str) -> None:
    # given: secrets sealed with an old key, and a new key from the CLI
    old = generate_key()
    with keys(old), allowing("127.0.0.1"):
        automation_id = await create(gql, hook_url)
    made = run_cli("secrets", "keygen", env={})
    assert made.returncode == 0, made.stderr
    new = made.stdout.strip()
    Fernet(new.encode())  # a usable key

    # when
    settings = {
        "DATABASE_URL": db,
        "WAGRAPH_SECRETS_KEY": new,
        "WAGRAPH_SECRETS_PREVIOUS_KEYS": old,
    }
    rotated = run_cli("secrets", "rotate", env=settings)
    status = run_cli("secrets", "status", env=settings)

    # then
    assert rotated.returncode == 0, rotated.stderr
    assert "re-sealed the secrets of 1 of 1 automation(s)" in rotated.stderr
    assert status.returncode == 0, status.stderr
    assert "current: 3" in status.stderr and "previous: 0" in status.stderr
    assert old not in rotated.stderr + status.stderr and new not in rotated.stderr
    with keys(new):
        row = await WhatsAppAutomation.get(id=automation_id)
        assert open_secrets(row.actions)[0]["secret"] == SECRET
