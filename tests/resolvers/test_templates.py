"""templates, template and syncTemplates; and sendTemplate's checks against the synced copy."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from models import WhatsAppMessage, WhatsAppTemplate
from sandbox import Sandbox
from tests.conftest import GraphQL
from tests.resolvers.test_messages_template_reaction_read import TEMPLATE
from tests.whatsapp.templates.test_sync import SEEDED, control
from whatsapp.runtime import Runtime
from whatsapp.templates.sync import sync_templates

TEMPLATES = """
query T($filter: TemplateFilter) {
  templates(filter: $filter) { id name language status category quality: qualityScore removedAt }
}"""

ONE = """
query O($id: ID!) { template(id: $id) { id name language status components metaId syncedAt } }
"""

SYNC = """
mutation { syncTemplates { fetched created updated unchanged removed pages
  errors { code message field cloudApiCode } } }
"""

APPOINTMENT = {
    "to": "15551234567",
    "name": "appointment_reminder",
    "language": "en_US",
    "body": [{"text": "Ana"}, {"text": "March 3"}, {"text": "10:00"}],
}


@pytest.fixture
def rt(client: httpx.AsyncClient) -> Runtime:
    return client.app.state.runtime  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
async def synced(rt: Runtime, sandbox: Sandbox) -> None:
    """The seeded templates synced, and the sandbox's request log cleared after it."""
    await sync_templates(rt)
    sandbox.requests.clear()


@pytest.fixture
def no_business_id(rt: Runtime) -> Iterator[None]:
    business_id, rt.business_id = rt.business_id, None
    try:
        yield
    finally:
        rt.business_id = business_id


def names(result: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(t["name"], t["language"]) for t in result["data"]["templates"]]


# -- templates / template ----------------------------------------------------------------------


@pytest.mark.usefixtures("synced")
async def test_templates_are_listed_by_name_and_language(gql: GraphQL) -> None:
    result = await gql(TEMPLATES)

    listed = names(result)
    assert len(listed) == SEEDED
    assert listed == sorted(listed)
    assert listed[:2] == [("appointment_reminder", "en_US"), ("cupom_desconto", "pt_BR")]


@pytest.mark.usefixtures("synced")
@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        (
            {"name": "ORDER"},
            [("order_update", "en_US"), ("order_update", "es"), ("order_update", "pt_BR")],
        ),
        (
            {"language": "pt_BR"},
            [
                ("cupom_desconto", "pt_BR"),
                ("order_update", "pt_BR"),
                ("verification_code", "pt_BR"),
            ],
        ),
        (
            {"status": ["PAUSED", "disabled"]},
            [("legacy_welcome", "en_US"), ("winter_clearance", "en_US")],
        ),
        (
            {"category": "authentication"},
            [("verification_code", "en_US"), ("verification_code", "pt_BR")],
        ),
        ({"name": "code", "language": "en_US"}, [("verification_code", "en_US")]),
        ({"status": ["REJECTED"], "category": "UTILITY"}, []),
    ],
)
async def test_templates_filters(gql: GraphQL, filter_: dict, expected: list) -> None:  # type: ignore[type-arg]
    assert names(await gql(TEMPLATES, {"filter": filter_})) == expected


async def test_removed_templates_are_listed_only_when_asked(
    gql: GraphQL, rt: Runtime, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given: synced, then flash_deal deleted at Meta and synced again
    await sync_templates(rt)
    await control(sandbox_url, "DELETE", "/templates/flash_deal")
    await sync_templates(rt)

    default = await gql(TEMPLATES, {"filter": {"name": "flash"}})
    everything = await gql(TEMPLATES, {"filter": {"name": "flash", "includeRemoved": True}})

    assert default["data"]["templates"] == []
    [removed] = everything["data"]["templates"]
    assert removed["status"] == "DELETED" and removed["removedAt"] is not None


@pytest.mark.usefixtures("synced")
async def test_one_template_by_id(gql: GraphQL, read_key: str, client: httpx.AsyncClient) -> None:
    row = await WhatsAppTemplate.get(name="hello_world")
    reader = GraphQL(client, read_key)

    found = await reader(ONE, {"id": str(row.id)})
    missing = await reader(ONE, {"id": "not-a-template"})

    template = found["data"]["template"]
    assert (template["name"], template["metaId"]) == ("hello_world", "920070352646101")
    assert template["components"] == row.components and template["syncedAt"] is not None
    assert missing["data"]["template"] is None


# -- syncTemplates -----------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["read", "write"])
async def test_sync_needs_the_admin_scope(
    scope: str, client: httpx.AsyncClient, read_key: str, write_key: str, sandbox: Sandbox
) -> None:
    result = await GraphQL(client, read_key if scope == "read" else write_key)(SYNC)

    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert sandbox.requests == []
    assert await WhatsAppTemplate.all().count() == 0


async def test_admin_syncs_and_gets_the_counts(
    client: httpx.AsyncClient, admin_key: str, sandbox: Sandbox
) -> None:
    admin = GraphQL(client, admin_key)

    first = await admin(SYNC)
    second = await admin(SYNC)

    assert first["data"]["syncTemplates"] == {
        "fetched": SEEDED,
        "created": SEEDED,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "pages": 1,
        "errors": [],
    }
    assert second["data"]["syncTemplates"]["unchanged"] == SEEDED


async def test_sync_failures_are_errors_with_metas_code(
    client: httpx.AsyncClient, admin_key: str, rt: Runtime, sandbox_url: str
) -> None:
    faults = [{"status": 500, "code": 131000}] * rt.cloud.config.max_attempts
    await control(
        sandbox_url, "POST", "/faults", {"queue": faults, "path_contains": "message_templates"}
    )

    result = await GraphQL(client, admin_key)(SYNC)

    payload = result["data"]["syncTemplates"]
    assert payload["created"] is None and payload["fetched"] is None
    [error] = payload["errors"]
    assert (error["code"], error["cloudApiCode"], error["field"]) == (
        "CLOUD_API_ERROR",
        131000,
        None,
    )
    assert await WhatsAppTemplate.all().count() == 0


@pytest.mark.usefixtures("no_business_id")
async def test_sync_without_a_business_account_id(
    client: httpx.AsyncClient, admin_key: str, sandbox: Sandbox
) -> None:
    result = await GraphQL(client, admin_key)(SYNC)

    [error] = result["data"]["syncTemplates"]["errors"]
    assert error["code"] == "CONFIGURATION_ERROR"
    assert "META_WHATSAPP_BUSINESS_ID" in error["message"]
    assert sandbox.requests == []


# -- sendTemplate against the synced copy ------------------------------------------------------


@pytest.mark.usefixtures("customer", "synced")
async def test_parameter_mismatch_is_caught_before_meta_is_called(
    gql: GraphQL, sandbox: Sandbox
) -> None:
    result = await gql(
        TEMPLATE,
        {
            "input": {
                **APPOINTMENT,
                "body": [{"text": "Ana"}],
                "buttons": [{"index": 5, "subType": "QUICK_REPLY", "parameter": "X"}],
            }
        },
    )

    errors = result["data"]["sendTemplate"]["errors"]
    assert {e["code"] for e in errors} == {"TEMPLATE_PARAMETER_MISMATCH"}
    assert {tuple(e["field"][:2]) for e in errors} == {("input", "body"), ("input", "buttons")}
    assert sandbox.requests == []
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 0


@pytest.mark.usefixtures("customer", "synced")
async def test_a_template_not_approved_is_refused(gql: GraphQL, sandbox: Sandbox) -> None:
    result = await gql(
        TEMPLATE,
        {
            "input": {
                "to": "15551234567",
                "name": "feedback_survey",
                "language": "en_US",
                "body": [{"text": "Ana"}],
            }
        },
    )

    [error] = result["data"]["sendTemplate"]["errors"]
    assert error["code"] == "TEMPLATE_NOT_APPROVED"
    assert error["field"] == ["input", "name"]
    assert "PENDING" in error["message"]
    assert sandbox.requests == []


@pytest.mark.usefixtures("customer")
async def test_an_unsynced_template_is_fetched_from_meta_then_sent(
    gql: GraphQL, sandbox: Sandbox
) -> None:
    # given: nothing synced
    assert await WhatsAppTemplate.all().count() == 0

    # when: sent twice
    first = await gql(TEMPLATE, {"input": APPOINTMENT})
    second = await gql(TEMPLATE, {"input": APPOINTMENT})

    # then: looked up once at Meta by name, stored, and sent both times
    assert first["data"]["sendTemplate"]["errors"] == []
    assert first["data"]["sendTemplate"]["message"]["status"] == "SENT"
    assert second["data"]["sendTemplate"]["message"]["status"] == "SENT"
    lookups = [r for r in sandbox.requests if r.path.endswith("/message_templates")]
    assert [r.query["name"] for r in lookups] == ["appointment_reminder"]
    row = await WhatsAppTemplate.get(name="appointment_reminder", language="en_US")
    assert row.status == "APPROVED" and row.synced_at is not None
    message = await WhatsAppMessage.get(id=first["data"]["sendTemplate"]["message"]["id"])
    assert message.template_id == row.id


@pytest.mark.usefixtures("customer")
async def test_an_unsynced_template_in_the_wrong_language_names_the_right_ones(
    gql: GraphQL, sandbox: Sandbox
) -> None:
    result = await gql(
        TEMPLATE,
        {
            "input": {
                "to": "15551234567",
                "name": "order_update",
                "language": "de",
                "body": [{"text": "Ana"}],
            }
        },
    )

    [error] = result["data"]["sendTemplate"]["errors"]
    assert error["code"] == "TEMPLATE_NOT_FOUND"
    assert error["field"] == ["input", "name"]
    assert error["message"].endswith("it exists in en_US, es, pt_BR")
    assert [r.path.rsplit("/", 1)[-1] for r in sandbox.requests] == ["message_templates"]
    # the languages Meta has are stored for the next send
    assert await WhatsAppTemplate.filter(name="order_update").count() == 3
