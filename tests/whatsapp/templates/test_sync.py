"""Template sync against the sandbox as Meta: paging, upserts, removals, failures, query count."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httpx
import pytest

from models import WhatsAppAnalyticsEvent, WhatsAppMessage, WhatsAppTemplate
from sandbox import Sandbox
from sandbox.faults import FaultSpec
from tests.conftest import WABA_ID
from tests.resolvers.test_messages_query import count_queries
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.messages import sending as messaging
from whatsapp.runtime import Runtime
from whatsapp.templates.sync import SyncResult, sync_templates

SEEDED = 17
APPOINTMENT_BODY = [{"text": "Ana"}, {"text": "March 3"}, {"text": "10:00"}]


@pytest.fixture
def rt(client: httpx.AsyncClient) -> Runtime:
    return client.app.state.runtime  # type: ignore[attr-defined, no-any-return]


async def control(sandbox_url: str, method: str, path: str, body: Any = None) -> Any:
    """The sandbox's `/_sandbox` controls: change templates "upstream", queue faults."""
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox") as http:
        return await _control(http, method, path, body)


async def _control(http: httpx.AsyncClient, method: str, path: str, body: Any = None) -> Any:
    response = await http.request(method, path, json=body)
    response.raise_for_status()
    return response.json()


def template_definition(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "language": "en_US",
        "category": "UTILITY",
        "components": [{"type": "BODY", "text": "Hi {{1}}", "example": {"body_text": [["Ana"]]}}],
        **extra,
    }


async def stored() -> dict[tuple[str, str], WhatsAppTemplate]:
    return {(t.name, t.language): t for t in await WhatsAppTemplate.all()}


async def test_sync_pulls_every_page_and_stores_each_template(
    rt: Runtime, sandbox: Sandbox
) -> None:
    progress: list[tuple[int, int | None]] = []

    # when: pages of five
    result = await sync_templates(
        rt, page_size=5, progress=lambda count, total: progress.append((count, total))
    )

    # then
    assert result == SyncResult(fetched=SEEDED, created=SEEDED, pages=4)
    assert progress == [(5, SEEDED), (10, SEEDED), (15, SEEDED), (17, SEEDED)]
    rows = await stored()
    listing = sandbox.templates.page(filters={}, limit=100, after=None, before=None)
    upstream = {t.key: t.data for t in listing.items}
    assert rows.keys() == upstream.keys()
    assert {key: row.status for key, row in rows.items()} == {
        key: data["status"] for key, data in upstream.items()
    }
    order = rows[("order_update", "pt_BR")]
    assert order.waba_id == WABA_ID
    assert order.meta_id == "920070352646103"
    assert order.category == "UTILITY" and order.parameter_format == "POSITIONAL"
    assert order.components == upstream[("order_update", "pt_BR")]["components"]
    assert order.quality_score == "GREEN" and order.rejected_reason is None
    assert order.synced_at is not None and order.removed_at is None
    assert rows[("winter_clearance", "en_US")].quality_score == "RED"
    assert rows[("flash_deal", "en_US")].rejected_reason == "PROMOTIONAL"
    event = await WhatsAppAnalyticsEvent.get(name="template.synced")
    assert event.properties == {
        "wabaId": WABA_ID,
        "fetched": SEEDED,
        "created": SEEDED,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "pages": 4,
    }


async def test_a_second_sync_finds_everything_unchanged(rt: Runtime, sandbox: Sandbox) -> None:
    await sync_templates(rt)
    first = {key: (row.updated_at, row.synced_at) for key, row in (await stored()).items()}

    result = await sync_templates(rt)

    assert result == SyncResult(fetched=SEEDED, unchanged=SEEDED, pages=1)
    after = await stored()
    assert all(after[key].updated_at == updated for key, (updated, _) in first.items())
    assert all(after[key].synced_at > synced for key, (_, synced) in first.items())


async def test_a_template_removed_upstream_is_marked_removed_and_cannot_be_sent(
    rt: Runtime, sandbox: Sandbox, sandbox_url: str, customer: str
) -> None:
    # given: synced, then deleted at Meta
    await sync_templates(rt)
    await control(sandbox_url, "DELETE", "/templates/appointment_reminder")

    # when
    result = await sync_templates(rt)

    # then: kept, but DELETED and removed; a send is refused before Meta is asked to send it
    assert result == SyncResult(fetched=SEEDED - 1, unchanged=SEEDED - 1, removed=1, pages=1)
    row = await WhatsAppTemplate.get(name="appointment_reminder")
    assert row.status == "DELETED" and row.removed_at is not None
    with pytest.raises(WagraphError) as refused:
        await messaging.send_template(
            rt, to=customer, name="appointment_reminder", language="en_US", body=APPOINTMENT_BODY
        )
    assert refused.value.code == ErrorCode.TEMPLATE_NOT_FOUND
    assert not [r for r in sandbox.requests if r.path.endswith("/messages")]
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 0


async def test_a_template_listed_again_comes_back(
    rt: Runtime, sandbox: Sandbox, sandbox_url: str
) -> None:
    await sync_templates(rt)
    await control(sandbox_url, "DELETE", "/templates/hello_world")
    await sync_templates(rt)
    await control(sandbox_url, "POST", "/templates", template_definition("hello_world"))

    result = await sync_templates(rt)

    assert (result.updated, result.removed) == (1, 0)
    row = await WhatsAppTemplate.get(name="hello_world")
    assert row.status == "APPROVED" and row.removed_at is None
    assert row.components == template_definition("hello_world")["components"]


async def test_a_template_changed_upstream_is_updated(
    rt: Runtime, sandbox: Sandbox, sandbox_url: str
) -> None:
    await sync_templates(rt)
    await control(
        sandbox_url, "PATCH", "/templates/payment_due", {"status": "PAUSED", "quality_score": "RED"}
    )

    result = await sync_templates(rt)

    assert result == SyncResult(fetched=SEEDED, updated=1, unchanged=SEEDED - 1, pages=1)
    row = await WhatsAppTemplate.get(name="payment_due")
    assert (row.status, row.quality_score) == ("PAUSED", "RED")


async def test_without_a_business_account_id_nothing_is_asked(
    rt: Runtime, sandbox: Sandbox
) -> None:
    with pytest.raises(WagraphError) as refused:
        await sync_templates(dataclasses.replace(rt, business_id=None))

    assert refused.value.code == ErrorCode.CONFIGURATION_ERROR
    assert str(refused.value) == (
        "Set META_WHATSAPP_BUSINESS_ID (or META_WHATSAPP_BUSINESS_ACCOUNT_ID) to sync templates"
    )
    assert sandbox.requests == []


async def test_meta_failing_is_a_clear_error_and_nothing_is_written(
    rt: Runtime, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given: Meta fails every attempt the client makes
    attempts = rt.cloud.config.max_attempts
    await control(
        sandbox_url,
        "POST",
        "/faults",
        {
            "queue": [{"status": 500, "code": 131000}] * attempts,
            "path_contains": "message_templates",
        },
    )

    with pytest.raises(WagraphError) as failed:
        await sync_templates(rt)

    problem = failed.value.problems[0]
    assert (problem.code, problem.cloud_api_code) == (ErrorCode.CLOUD_API_ERROR, 131000)
    assert problem.message.startswith("Listing templates failed after 0 page(s): Cloud API: ")
    assert await WhatsAppTemplate.all().count() == 0
    assert not await WhatsAppAnalyticsEvent.exists()


async def test_a_listing_that_fails_half_way_changes_nothing(
    rt: Runtime, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given: a synced copy, and a template since deleted at Meta
    await sync_templates(rt)
    await control(sandbox_url, "DELETE", "/templates/hello_world")
    before = {key: (row.status, row.updated_at) for key, row in (await stored()).items()}
    fault = FaultSpec(kind="error", status=500, code=131000, path_contains="message_templates")

    def fail_after_first_page(count: int, total: int | None) -> None:
        if count == 5:
            sandbox.faults.enqueue([fault] * rt.cloud.config.max_attempts)

    # when: the second page fails
    with pytest.raises(WagraphError) as failed:
        await sync_templates(rt, page_size=5, progress=fail_after_first_page)

    # then: hello_world is not marked removed, nothing else moved
    assert failed.value.problems[0].message.startswith("Listing templates failed after 1 page(s)")
    after = {key: (row.status, row.updated_at) for key, row in (await stored()).items()}
    assert after == before
    assert await WhatsAppAnalyticsEvent.filter(name="template.synced").count() == 1


async def test_queries_do_not_grow_with_the_number_of_templates(
    rt: Runtime, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given: the seeded 17, synced once with a count of queries
    with count_queries() as small:
        await sync_templates(rt)
    await WhatsAppTemplate.all().delete()
    await WhatsAppAnalyticsEvent.all().delete()
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox") as http:
        # and 300 more at Meta
        for n in range(300):
            await _control(http, "POST", "/templates", template_definition(f"bulk_{n:03d}"))

        # when: all of them are new, then some change, some go, the rest stay
        with count_queries() as large:
            created = await sync_templates(rt)
        for n in range(0, 300, 3):
            await _control(http, "PATCH", f"/templates/bulk_{n:03d}", {"status": "PAUSED"})
            await _control(http, "DELETE", f"/templates/bulk_{n + 1:03d}")
        with count_queries() as mixed:
            changed = await sync_templates(rt)

    # then
    assert created.created == SEEDED + 300
    assert (changed.updated, changed.removed, changed.unchanged) == (100, 100, SEEDED + 100)
    assert len(large) == len(small), (small, large)
    assert len(mixed) <= len(large) + 3, mixed


async def test_two_syncs_at_once_both_succeed(rt: Runtime, sandbox: Sandbox) -> None:
    first, second = await asyncio.gather(sync_templates(rt), sync_templates(rt))

    assert first.fetched == second.fetched == SEEDED
    assert await WhatsAppTemplate.all().count() == SEEDED
