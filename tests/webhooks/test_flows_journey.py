"""A whole booking journey end to end: the Flow sent through GraphQL, the sandbox playing the
WhatsApp client against wagraph's real endpoint on a socket (encrypting with the uploaded key),
the completion webhook, the answers read back through GraphQL, an automation run — and a key
rotation in the middle of a journey."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.cli.flows import booking_script
from app.server import create_app
from models import (
    SessionStatus,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomationRun,
    WhatsAppContact,
    WhatsAppSession,
)
from tests.conftest import (
    ACCESS_TOKEN,
    CUSTOMER,
    FLOWS_KEY,
    PHONE_NUMBER_ID,
    GraphQL,
    make_settings,
    open_service_window,
    start_server,
    stop_server,
)
from tests.webhooks.test_whatsapp_webhook import post_webhook
from tests.whatsapp.automations.factories import make_automation
from whatsapp.automations import runner
from whatsapp.flows import crypto

SEND_FLOW = """
mutation($to: String!) {
  sendMessage(input: {to: $to, content: {flow: {body: "Plan your trip", flowName: "booking",
      flowCta: "Book a stay", action: "data_exchange"}}}) {
    message { id session { id flowToken } }
    errors { code message }
  }
}"""
FLOW_SESSIONS = """
query {
  flowSessions(filter: {flow: "booking"}) {
    edges { node { id status flowState { screen answers result history { action screen next } } } }
  }
}"""


async def upload_key(sandbox_url: str, pem: str) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{sandbox_url}/v25.0/{PHONE_NUMBER_ID}/whatsapp_business_encryption",
            data={"business_public_key": pem},
            headers={"Authorization": f"Bearer {ACCESS_TOKEN}"},
        )
    assert response.status_code == 200, response.text


async def run_flow(sandbox_url: str, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30.0) as http:
        response = await http.post(f"{sandbox_url}/_sandbox/flows/run", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def serving(db: str, sandbox_url: str, **overrides: Any) -> AsyncIterator[str]:
    """wagraph on a real socket (the sandbox calls it as WhatsApp would)."""
    server, task, url = await start_server(create_app(make_settings(db, sandbox_url, **overrides)))
    try:
        yield url
    finally:
        await stop_server(server, task)


@pytest.fixture
async def wagraph_url(db: str, sandbox_url: str) -> AsyncIterator[str]:
    async for url in serving(db, sandbox_url):
        yield url


async def send_flow(gql: GraphQL) -> str:
    await open_service_window(CUSTOMER)
    result = await gql(SEND_FLOW, {"to": CUSTOMER})
    payload = result["data"]["sendMessage"]
    assert payload["errors"] == [], payload
    token: str = payload["message"]["session"]["flowToken"]
    return token


async def test_a_booking_journey_runs_through_the_sandbox_and_completes(
    client: httpx.AsyncClient, gql: GraphQL, sandbox_url: str, wagraph_url: str
) -> None:
    # given: the key uploaded, an automation on bookings, the Flow sent to the customer
    await upload_key(sandbox_url, crypto.public_pem(FLOWS_KEY))
    automation = await make_automation(
        name="Tag travellers",
        trigger="flow.booking.created",
        actions=[{"type": "tag", "add": ["traveller"], "target": "contact"}],
    )
    token = await send_flow(gql)

    # when: the customer walks through every screen
    run = await run_flow(
        sandbox_url,
        {
            "flow": "booking",
            "customer": CUSTOMER,
            "endpoint": f"{wagraph_url}/flows/booking",
            "script": booking_script(),
        },
    )
    await post_webhook(client, run["completion"]["payload"])  # the nfm_reply WhatsApp sends

    # then: every step was answered, encrypted, and the Flow closed with a booking
    assert run["status"] == "completed", run
    assert [s["status"] for s in run["steps"]] == [200, 200, 200, 200, 200]
    params = run["completion"]["params"]
    assert params["flow_token"] == token and params["booking_reference"].startswith("BK-")
    session = await WhatsAppSession.get(flow_token=token)
    assert session.status == SessionStatus.COMPLETED
    names = await WhatsAppAnalyticsEvent.filter(session_id=session.id).values_list(
        "name", flat=True
    )
    for name in ("flow.started", "flow.destination.selected", "flow.booking.created"):
        assert names.count(name) == 1, (name, names)
    assert names.count("flow.completed") == 1  # the endpoint closed it; the webhook adds none
    # the answers, readable by a dashboard
    data = (await gql(FLOW_SESSIONS))["data"]["flowSessions"]["edges"]
    [node] = [edge["node"] for edge in data if edge["node"]["id"] == str(session.id)]
    assert node["status"] == "COMPLETED"
    assert node["flowState"]["answers"]["DESTINATION"] == {"destination": "lisbon"}
    assert node["flowState"]["result"]["booking_reference"] == params["booking_reference"]
    assert [h["next"] for h in node["flowState"]["history"]] == [
        "DESTINATION",
        "DATES",
        "TRAVELLERS",
        "CONFIRM",
        "SUCCESS",
    ]
    # and the automation ran for the booking
    runs = await WhatsAppAutomationRun.filter(automation_id=automation.id)
    assert len(runs) == 1
    assert await runner.run_pending(client.app.state.runtime) == 1  # type: ignore[attr-defined]
    contact = await WhatsAppContact.get(wa_id=CUSTOMER)
    assert "traveller" in contact.tags


async def test_a_key_rotation_in_the_middle_of_a_journey_drops_no_request(
    client: httpx.AsyncClient, gql: GraphQL, db: str, sandbox_url: str, tmp_path: Path
) -> None:
    # given: a journey begun with the old key (the test apps' key)
    old_pem = tmp_path / "old.pem"
    old_pem.write_text(crypto.private_pem(FLOWS_KEY))
    await upload_key(sandbox_url, crypto.public_pem(FLOWS_KEY))
    token = await send_flow(gql)
    steps = booking_script()
    first = {"DESTINATION": steps["DESTINATION"], "DATES": steps["DATES"]}
    async for url in serving(db, sandbox_url):
        begun = await run_flow(
            sandbox_url,
            {"flow_token": token, "endpoint": f"{url}/flows/booking", "script": first},
        )
    assert begun["status"] == "waiting" and begun["screen"] == "TRAVELLERS", begun

    # when: the operator rotates (new current key, the old one still accepted) and uploads the
    # new public key; the customer's client still holds the old one, then fetches the new one
    new_key = crypto.generate_private_key()
    await upload_key(sandbox_url, crypto.public_pem(new_key))
    async for url in serving(
        db,
        sandbox_url,
        flows_private_key=crypto.private_pem(new_key),
        flows_previous_keys=str(old_pem),
    ):
        endpoint = f"{url}/flows/booking"
        cached = await run_flow(
            sandbox_url,
            {
                "flow_token": token,
                "endpoint": endpoint,
                "resume": True,
                "client_key": "cached",
                "script": {"TRAVELLERS": steps["TRAVELLERS"]},
            },
        )
        current = await run_flow(
            sandbox_url,
            {
                "flow_token": token,
                "endpoint": endpoint,
                "resume": True,
                "client_key": "current",
                "script": {"CONFIRM": steps["CONFIRM"]},
            },
        )

    # then: both halves were answered, and the journey completed
    assert cached["status"] == "waiting" and cached["screen"] == "CONFIRM", cached
    assert current["status"] == "completed", current
    assert all(step["status"] == 200 for step in cached["steps"] + current["steps"])
    session = await WhatsAppSession.get(flow_token=token)
    assert session.status == SessionStatus.COMPLETED
    assert set(session.context["flowState"]["answers"]) == set(steps)


async def test_after_the_old_key_is_dropped_a_client_refetches_the_key(
    client: httpx.AsyncClient, gql: GraphQL, db: str, sandbox_url: str
) -> None:
    # given: the client holds the old key; the server has only the new one
    await upload_key(sandbox_url, crypto.public_pem(FLOWS_KEY))
    token = await send_flow(gql)
    new_key = crypto.generate_private_key()
    await upload_key(sandbox_url, crypto.public_pem(new_key))
    async for url in serving(db, sandbox_url, flows_private_key=crypto.private_pem(new_key)):
        # when
        run = await run_flow(
            sandbox_url,
            {
                "flow_token": token,
                "endpoint": f"{url}/flows/booking",
                "client_key": "previous",
                "script": {"DESTINATION": {"destination": "lisbon"}},
            },
        )

    # then: 421, the client fetched the current key and retried, and the step went through
    statuses = [step["status"] for step in run["steps"]]
    assert statuses[:2] == [421, 200], run
    assert run["status"] == "waiting" and run["screen"] == "DATES"
