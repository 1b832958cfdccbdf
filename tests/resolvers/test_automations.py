"""Automations over GraphQL: CRUD, validation as data, the run log, scopes."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from models import (
    AutomationRunStatus,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomation,
    WhatsAppAutomationRun,
    WhatsAppSession,
)
from tests.conftest import CUSTOMER, GraphQL
from tests.resolvers.test_conversations_tags import TAG
from whatsapp.automations.actions import open_secrets
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.events.log import emit_event

AUTOMATION_FIELDS = """
  id name description trigger enabled cooldownSeconds createdAt updatedAt
  conditions { path op value }
  actions
"""

CREATE = f"""
mutation C($input: CreateAutomationInput!) {{
  createAutomation(input: $input) {{
    automation {{ {AUTOMATION_FIELDS} }}
    errors {{ code message field }}
  }}
}}"""

UPDATE = f"""
mutation U($id: ID!, $input: UpdateAutomationInput!) {{
  updateAutomation(id: $id, input: $input) {{
    automation {{ {AUTOMATION_FIELDS} }}
    errors {{ code message field }}
  }}
}}"""

SET_ENABLED = """
mutation E($id: ID!, $enabled: Boolean!) {
  setAutomationEnabled(id: $id, enabled: $enabled) {
    automation { id enabled }
    errors { code message field }
  }
}"""

DELETE = """
mutation D($id: ID!) { deleteAutomation(id: $id) { deletedId errors { code message field } } }
"""

LIST = f"{{ automations {{ {AUTOMATION_FIELDS} }} }}"

ONE = f"query O($id: ID!) {{ automation(id: $id) {{ {AUTOMATION_FIELDS} }} }}"

RUNS = """
query R($automationId: ID, $status: [AutomationRunStatus!], $first: Int, $after: String,
        $contactId: ID, $sessionId: ID) {
  automationRuns(automationId: $automationId, status: $status, first: $first, after: $after,
                 contactId: $contactId, sessionId: $sessionId) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id automationId automation { name } status eventId eventName contactWaId results error
      startedAt finishedAt durationMs createdAt
    } }
  }
}"""

WEBHOOK = {
    "type": "webhook",
    "url": "https://crm.example.com/hooks/whatsapp",
    "secret": "top-secret",
    "maxAttempts": 2,
}
ORDER_TEMPLATE = {
    "type": "template",
    "name": "order_update",
    "language": "en_US",
    "body": [{"text": "{{contact.profileName}}"}],
}
NEW_AUTOMATION = {
    "name": "Order shipped",
    "description": "Tell the CRM and the customer",
    "trigger": "order.*",
    "conditions": [
        {"path": "metadata.orderId", "op": "EXISTS"},
        {"path": "total", "op": "GTE", "value": 100},
    ],
    "actions": [WEBHOOK, ORDER_TEMPLATE, {"type": "tag", "add": ["buyer"]}],
    "cooldownSeconds": 300,
}


async def create(gql: GraphQL, **overrides: Any) -> dict[str, Any]:
    result = await gql(CREATE, {"input": {**NEW_AUTOMATION, **overrides}})
    payload = result["data"]["createAutomation"]
    assert payload["errors"] == [], payload["errors"]
    return payload["automation"]  # type: ignore[no-any-return]


# -- create / read -----------------------------------------------------------------------------


async def test_create_returns_the_automation_with_secrets_masked(gql: GraphQL) -> None:
    automation = await create(gql)

    assert automation["name"] == "Order shipped"
    assert automation["description"] == "Tell the CRM and the customer"
    assert automation["trigger"] == "order.*"
    assert automation["enabled"] is True
    assert automation["cooldownSeconds"] == 300
    assert automation["conditions"] == [
        {"path": "metadata.orderId", "op": "EXISTS", "value": None},
        {"path": "total", "op": "GTE", "value": 100},
    ]
    assert automation["actions"] == [
        {**WEBHOOK, "secret": "********"},
        ORDER_TEMPLATE,
        {"type": "tag", "add": ["buyer"]},
    ]
    stored = await WhatsAppAutomation.get(id=automation["id"])
    assert stored.actions[0]["secret"].startswith("wgsec:v1:")  # sealed at rest
    assert open_secrets(stored.actions)[0]["secret"] == "top-secret"
    assert stored.conditions == [
        {"path": "metadata.orderId", "op": "exists"},
        {"path": "total", "op": "gte", "value": 100},
    ]


async def test_defaults(gql: GraphQL) -> None:
    automation = await create(
        gql, description=None, conditions=None, cooldownSeconds=60, actions=[ORDER_TEMPLATE]
    )

    assert automation["conditions"] == []
    assert automation["cooldownSeconds"] == 60
    assert automation["description"] is None


async def test_list_and_get(gql: GraphQL) -> None:
    first = await create(gql, name="first")
    second = await create(gql, name="second")

    listed = await gql(LIST)
    one = await gql(ONE, {"id": second["id"]})
    missing = await gql(ONE, {"id": "00000000-0000-0000-0000-000000000000"})
    malformed = await gql(ONE, {"id": "nope"})

    assert [a["id"] for a in listed["data"]["automations"]] == [first["id"], second["id"]]
    assert listed["data"]["automations"][0]["actions"][0]["secret"] == "********"
    assert one["data"]["automation"] == second
    assert missing["data"]["automation"] is None
    assert malformed["data"]["automation"] is None


# -- validation --------------------------------------------------------------------------------


async def test_bad_input_is_reported_field_by_field_and_nothing_is_written(gql: GraphQL) -> None:
    result = await gql(
        CREATE,
        {
            "input": {
                **NEW_AUTOMATION,
                "trigger": "order shipped",
                "conditions": [{"path": "total", "op": "IN", "value": 5}],
                "actions": [
                    {"type": "template", "language": "en_US", "body": [{"text": "{{order.id}}"}]},
                    {"type": "webhook", "url": "ftp://crm.example.com", "maxAttempts": 9},
                    {"type": "tag", "add": ["not a tag!"], "target": "everyone"},
                    {"type": "fax"},
                    "not an object",
                ],
                "cooldownSeconds": -5,
            }
        },
    )

    payload = result["data"]["createAutomation"]
    assert payload["automation"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("INVALID_INPUT", ["input", "trigger"]),
        ("INVALID_INPUT", ["input", "conditions", "0", "value"]),
        ("INVALID_INPUT", ["input", "actions", "0", "name"]),
        ("INVALID_INPUT", ["input", "actions", "1", "url"]),
        ("INVALID_INPUT", ["input", "actions", "1", "maxAttempts"]),
        ("INVALID_INPUT", ["input", "actions", "2", "add", "0"]),
        ("INVALID_INPUT", ["input", "actions", "2", "target"]),
        ("INVALID_INPUT", ["input", "actions", "3", "type"]),
        ("INVALID_INPUT", ["input", "actions", "4"]),
        ("INVALID_INPUT", ["input", "cooldownSeconds"]),
    ]
    assert "template, webhook" in payload["errors"][7]["message"]
    assert await WhatsAppAutomation.all().count() == 0


async def test_template_actions_are_checked_like_sends(gql: GraphQL) -> None:
    result = await gql(
        CREATE,
        {
            "input": {
                **NEW_AUTOMATION,
                "actions": [
                    {
                        "type": "template",
                        "name": "Order Update",
                        "language": "en_US",
                        "body": [{"text": "{{event.properties.x}}"}, {"color": "red"}],
                        "buttons": [{"index": 0, "subType": "URL", "parameter": "{{nope}}"}],
                    }
                ],
            }
        },
    )

    errors = result["data"]["createAutomation"]["errors"]
    assert [e["field"] for e in errors] == [["input", "actions", "0", "buttons", "0", "parameter"]]
    assert "Unknown placeholder {{nope}}" in errors[0]["message"]

    result = await gql(
        CREATE,
        {
            "input": {
                **NEW_AUTOMATION,
                "actions": [
                    {
                        "type": "template",
                        "name": "Order Update",
                        "language": "en_US",
                        "body": [{"text": "{{event.properties.x}}"}, {"color": "red"}],
                    }
                ],
            }
        },
    )

    errors = result["data"]["createAutomation"]["errors"]
    assert [e["field"][:5] for e in errors] == [
        ["input", "actions", "0", "name"],
        ["input", "actions", "0", "body", "1"],
    ]


# -- update / enable / delete ------------------------------------------------------------------


async def test_update_changes_only_the_given_fields_and_keeps_a_masked_secret(
    gql: GraphQL,
) -> None:
    automation = await create(gql)
    shown = automation["actions"]

    result = await gql(
        UPDATE,
        {
            "id": automation["id"],
            "input": {
                "name": "Renamed",
                "description": None,
                "actions": [{**shown[0], "maxAttempts": 5}, shown[2]],
            },
        },
    )

    payload = result["data"]["updateAutomation"]
    assert payload["errors"] == []
    updated = payload["automation"]
    assert updated["name"] == "Renamed"
    assert updated["description"] is None
    assert updated["trigger"] == "order.*"
    assert updated["cooldownSeconds"] == 300
    assert updated["conditions"] == automation["conditions"]
    stored = await WhatsAppAutomation.get(id=automation["id"])
    assert open_secrets(stored.actions) == [
        {**WEBHOOK, "maxAttempts": 5},
        {"type": "tag", "add": ["buyer"]},
    ]


async def test_bad_update_changes_nothing(gql: GraphQL) -> None:
    automation = await create(gql)

    result = await gql(
        UPDATE,
        {
            "id": automation["id"],
            "input": {"name": "Renamed", "actions": [], "conditions": None},
        },
    )

    errors = result["data"]["updateAutomation"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", ["input", "actions"])]
    stored = await WhatsAppAutomation.get(id=automation["id"])
    assert stored.name == "Order shipped" and len(stored.actions) == 3
    assert len(stored.conditions) == 2


async def test_unknown_or_malformed_ids_are_errors(gql: GraphQL) -> None:
    unknown = "00000000-0000-0000-0000-000000000000"

    update = await gql(UPDATE, {"id": unknown, "input": {"name": "x"}})
    enable = await gql(SET_ENABLED, {"id": "nope", "enabled": True})
    delete = await gql(DELETE, {"id": unknown})

    assert update["data"]["updateAutomation"]["errors"] == [
        {"code": "NOT_FOUND", "message": "No automation with that id", "field": ["id"]}
    ]
    assert enable["data"]["setAutomationEnabled"]["errors"][0]["code"] == "INVALID_INPUT"
    assert enable["data"]["setAutomationEnabled"]["errors"][0]["field"] == ["id"]
    assert delete["data"]["deleteAutomation"] == {
        "deletedId": None,
        "errors": [{"code": "NOT_FOUND", "message": "No automation with that id", "field": ["id"]}],
    }


async def test_enable_disable_and_delete(gql: GraphQL) -> None:
    automation = await create(gql)

    disabled = await gql(SET_ENABLED, {"id": automation["id"], "enabled": False})
    deleted = await gql(DELETE, {"id": automation["id"]})

    assert disabled["data"]["setAutomationEnabled"] == {
        "automation": {"id": automation["id"], "enabled": False},
        "errors": [],
    }
    assert deleted["data"]["deleteAutomation"] == {"deletedId": automation["id"], "errors": []}
    assert await WhatsAppAutomation.all().count() == 0


# -- the run log -------------------------------------------------------------------------------


async def test_runs_are_listed_newest_first_with_filters_and_pages(gql: GraphQL) -> None:
    # given: two automations on one event, then a second event in the cooldown
    watched = await create(gql, name="watched", conditions=[], cooldownSeconds=60)
    other = await create(gql, name="other", conditions=[])
    contact = await get_or_create_contact(CUSTOMER)
    for _ in range(2):
        await emit_event("order.paid", source="shop", contact_id=contact.id)

    # when
    everything = await gql(RUNS, {"automationId": watched["id"]})
    skipped = await gql(RUNS, {"automationId": watched["id"], "status": ["SKIPPED"]})
    page_one = await gql(RUNS, {"first": 3})
    page_two = await gql(
        RUNS, {"first": 3, "after": page_one["data"]["automationRuns"]["pageInfo"]["endCursor"]}
    )

    # then
    runs = everything["data"]["automationRuns"]
    assert runs["totalCount"] == 2
    newest, oldest = (edge["node"] for edge in runs["edges"])
    assert (newest["status"], oldest["status"]) == ("SKIPPED", "PENDING")
    assert newest["error"].startswith(f"Cooldown: run {oldest['id']}")
    assert oldest["automationId"] == watched["id"]
    assert oldest["eventName"] == "order.paid"
    assert oldest["contactWaId"] == CUSTOMER
    assert oldest["eventId"] is not None
    assert oldest["results"] == [] and oldest["durationMs"] is None
    assert [e["node"]["id"] for e in skipped["data"]["automationRuns"]["edges"]] == [newest["id"]]
    first_page = page_one["data"]["automationRuns"]
    second_page = page_two["data"]["automationRuns"]
    assert first_page["totalCount"] == 4
    assert first_page["pageInfo"]["hasNextPage"] is True
    assert len(first_page["edges"]) == 3 and len(second_page["edges"]) == 1
    assert second_page["pageInfo"]["hasNextPage"] is False
    ids = {e["node"]["id"] for e in first_page["edges"] + second_page["edges"]}
    assert ids == {str(r.id) for r in await WhatsAppAutomationRun.all()}
    assert {e["node"]["automationId"] for e in second_page["edges"]} <= {watched["id"], other["id"]}


async def test_runs_of_a_contact_or_of_a_session(gql: GraphQL) -> None:
    # given: one automation, triggered for two customers, one of them within a session
    await create(gql, name="watched", conditions=[])
    ada = await get_or_create_contact(CUSTOMER)
    bob = await get_or_create_contact("15557654321")
    session = await WhatsAppSession.create(contact=ada, phone_number_id="106540352242922")
    await emit_event("order.paid", source="shop", contact_id=ada.id, session_id=session.id)
    await emit_event("order.paid", source="shop", contact_id=ada.id)
    await emit_event("order.paid", source="shop", contact_id=bob.id)

    # when
    of_ada = await gql(RUNS, {"contactId": str(ada.id)})
    of_session = await gql(RUNS, {"sessionId": str(session.id)})
    of_nobody = await gql(RUNS, {"sessionId": str(uuid.uuid4())})

    # then
    assert of_ada["data"]["automationRuns"]["totalCount"] == 2
    [triggered] = of_session["data"]["automationRuns"]["edges"]
    [event_id] = await WhatsAppAnalyticsEvent.filter(session_id=session.id).values_list(
        "id", flat=True
    )
    assert triggered["node"]["eventId"] == str(event_id)
    assert triggered["node"]["automation"] == {"name": "watched"}
    assert of_nobody["data"]["automationRuns"]["totalCount"] == 0


@pytest.mark.parametrize("argument", ["automationId", "contactId", "sessionId"])
async def test_runs_of_a_malformed_id_is_an_error(gql: GraphQL, argument: str) -> None:
    result = await gql(RUNS, {argument: "nope"})

    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert result["errors"][0]["extensions"]["field"] == [argument]


async def test_a_finished_run_shows_its_results(gql: GraphQL) -> None:
    automation = await create(gql, conditions=[], actions=[{"type": "tag", "add": ["buyer"]}])
    contact = await get_or_create_contact(CUSTOMER)
    await emit_event("order.paid", source="shop", contact_id=contact.id)
    [run] = await WhatsAppAutomationRun.all()
    await WhatsAppAutomationRun.filter(id=run.id).update(
        status=AutomationRunStatus.SUCCEEDED,
        results=[{"type": "tag", "ok": True, "detail": {"contactTags": ["buyer"]}}],
        duration_ms=3,
    )

    result = await gql(RUNS, {"automationId": automation["id"]})

    node = result["data"]["automationRuns"]["edges"][0]["node"]
    assert node["status"] == "SUCCEEDED"
    assert node["results"] == [{"type": "tag", "ok": True, "detail": {"contactTags": ["buyer"]}}]
    assert node["durationMs"] == 3


# -- scopes ------------------------------------------------------------------------------------


async def test_read_key_can_list_but_not_change(
    client: httpx.AsyncClient, read_key: str, gql: GraphQL
) -> None:
    automation = await create(gql)
    reader = GraphQL(client, read_key)

    listed = await reader(LIST)
    runs = await reader(RUNS, {})
    created = await reader(CREATE, {"input": NEW_AUTOMATION})
    deleted = await reader(DELETE, {"id": automation["id"]})
    tagged = await reader(TAG, {"waId": CUSTOMER, "add": ["x"]})

    assert [a["id"] for a in listed["data"]["automations"]] == [automation["id"]]
    assert "errors" not in runs
    for denied in (created, deleted, tagged):
        assert denied["data"] is None
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await WhatsAppAutomation.all().count() == 1
