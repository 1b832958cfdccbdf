"""How a run is chosen and started (`/_sandbox/flows/run` bodies): the flow message it opens,
the endpoint it calls, navigate flows, resuming, what the sandbox remembers (`GET /flows`), the
Python entry point, and the control errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox import Sandbox
from sandbox.control_flows import build_spec
from sandbox.flows_client import run_flow
from tests.sandbox.conftest import (
    BOOKING,
    MESSAGES,
    OPEN_CUSTOMER,
    PNID,
    SECRET,
    control,
    send_flow,
    upload_key,
)
from tests.sandbox.conftest import FLOW_TOKEN as TOKEN
from tests.sandbox.conftest import run_flow as run
from tests.sandbox.flow_endpoint import FlowsEndpoint, endpoint_app


async def test_the_customers_last_flow_message_is_opened_on_the_configured_endpoint(
    client: httpx.AsyncClient, sandbox: Sandbox, endpoint: FlowsEndpoint
) -> None:
    # given: the endpoint is configured per flow name, as Meta keeps an endpoint_uri per Flow
    base = endpoint.url.rsplit("/", 1)[0]
    configured = await client.put("/_sandbox/config", json={"flows_endpoint": base + "/{flow}"})
    assert configured.json()["flows_endpoint"] == base + "/{flow}"
    endpoint.tokens.add("sess-later")
    await send_flow(client)
    later = await send_flow(client, flow_token="sess-later")

    # when: only the customer and the flow are named
    result = await run(client, {"customer": OPEN_CUSTOMER, "flow": "booking", "script": BOOKING})

    # then
    assert result["endpoint"] == endpoint.url
    assert result["flow_token"] == "sess-later"
    assert result["status"] == "completed"
    assert result["completion"]["context_id"] == later


async def test_a_navigate_flow_opens_on_its_screen_without_calling_the_endpoint(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint
) -> None:
    await send_flow(
        client,
        flow_action="navigate",
        flow_action_payload={"screen": "DESTINATION", "data": {"destinations": ["lisbon"]}},
    )

    result = await run(client, {"flow_token": TOKEN, "endpoint": endpoint.url})

    assert result["steps"] == []
    assert (result["status"], result["screen"]) == ("waiting", "DESTINATION")
    assert result["data"] == {"destinations": ["lisbon"]}


async def test_a_template_flow_button_token_is_remembered(
    client: httpx.AsyncClient, sandbox: Sandbox, endpoint: FlowsEndpoint
) -> None:
    # given: an approved template whose button opens the booking flow
    template = {
        "name": "trip_planner",
        "language": "en_US",
        "category": "MARKETING",
        "components": [
            {"type": "BODY", "text": "Plan your next trip"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {
                        "type": "FLOW",
                        "text": "Plan",
                        "flow_name": "booking",
                        "flow_action": "NAVIGATE",
                        "navigate_screen": "DESTINATION",
                    }
                ],
            },
        ],
    }
    await control(client, "/templates", template, status=201)
    action = {"flow_token": TOKEN, "flow_action_data": {"destinations": ["porto"]}}
    body = {
        "messaging_product": "whatsapp",
        "to": OPEN_CUSTOMER,
        "type": "template",
        "template": {
            "name": "trip_planner",
            "language": {"code": "en_US"},
            "components": [
                {
                    "type": "button",
                    "sub_type": "flow",
                    "index": "0",
                    "parameters": [{"type": "action", "action": action}],
                }
            ],
        },
    }
    sent = await client.post(MESSAGES, json=body)
    assert sent.status_code == 200, sent.text

    # when
    listed = (await client.get("/_sandbox/flows")).json()["messages"]

    # then
    (message,) = listed
    assert message["flow_token"] == TOKEN
    assert message["flow"] == "booking"
    assert (message["flow_action"], message["screen"]) == ("navigate", "DESTINATION")
    assert message["data"] == {"destinations": ["porto"]}
    assert message["wamid"] == sent.json()["messages"][0]["id"]


async def test_overview_shows_where_each_run_stopped_and_the_key_clients_hold(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint
) -> None:
    await send_flow(client)
    result = await run(client, {"flow_token": TOKEN, "endpoint": endpoint.url})

    seen = (await client.get("/_sandbox/flows")).json()

    assert seen["runs"][TOKEN] == {
        "screen": "DESTINATION",
        "data": {"destinations": ["lisbon", "porto"]},
        "status": "waiting",
    }
    assert seen["client_keys"] == {PNID: result["steps"][0]["public_key"]}


async def test_a_token_the_sandbox_never_sent_runs_without_a_completion_message(
    client: httpx.AsyncClient, sandbox: Sandbox, endpoint: FlowsEndpoint
) -> None:
    result = await run(client, {"flow_token": TOKEN, "endpoint": endpoint.url, "script": BOOKING})

    assert result["status"] == "completed"
    assert result["customer"] is None
    assert "not sent" in result["completion"]["error"]


async def test_the_python_entry_point_reaches_an_in_process_endpoint(
    sandbox: Sandbox, client: httpx.AsyncClient, key_a: rsa.RSAPrivateKey
) -> None:
    """Tests that serve their endpoint over ASGI pass their own client."""
    ep = FlowsEndpoint(secret=SECRET, keys=[key_a], tokens={TOKEN})
    await upload_key(client, key_a)
    spec = build_spec(sandbox, {"flow_token": TOKEN, "endpoint": "http://flows.test/flows/x"})
    transport = httpx.ASGITransport(app=endpoint_app(ep))

    async with httpx.AsyncClient(transport=transport) as http:
        result = await run_flow(sandbox, spec, http)

    assert (result["status"], result["screen"]) == ("waiting", "DESTINATION")
    assert ep.seen[0]["action"] == "INIT"


async def test_max_steps_bounds_a_script_that_never_ends(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint
) -> None:
    script = {"DESTINATION": [{"destination": "mars"}] * 5}

    result = await run(
        client, {"flow_token": TOKEN, "endpoint": endpoint.url, "script": script, "max_steps": 3}
    )

    assert result["status"] == "max_steps"
    assert len(result["steps"]) == 4  # INIT + 3


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"flow_token": TOKEN, "endpoint": "http://x", "color": "red"}, 400, "unknown keys"),
        ({"endpoint": "http://x"}, 400, "give flow_token"),
        ({"flow_token": TOKEN}, 400, "endpoint is required"),
        ({"flow_token": TOKEN, "endpoint": "ftp://x"}, 400, "http(s)"),
        ({"customer": OPEN_CUSTOMER, "endpoint": "http://x"}, 404, "no flow message"),
        ({"customer": "@nobody", "flow_token": TOKEN, "endpoint": "http://x"}, 404, "no customer"),
        ({"flow_token": TOKEN, "endpoint": "http://x", "version": "5.0"}, 400, "version"),
        ({"flow_token": TOKEN, "endpoint": "http://x", "script": "go"}, 400, "script"),
        ({"flow_token": TOKEN, "endpoint": "http://x", "script": [{"data": 1}]}, 400, "data"),
        ({"flow_token": TOKEN, "endpoint": "http://x", "flow_action": "navigate"}, 400, "screen"),
        ({"flow_token": TOKEN, "endpoint": "http://x", "resume": True}, 400, "to resume"),
        ({"flow_token": TOKEN, "endpoint": "http://x", "max_steps": 0}, 400, "max_steps"),
    ],
)
async def test_bodies_that_cannot_run_are_refused_before_anything_is_sent(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, says: str
) -> None:
    answer = await control(client, "/flows/run", body, status=status)

    assert says in answer["error"]


async def test_without_a_business_public_key_nothing_is_sent(
    client: httpx.AsyncClient, endpoint_server: FlowsEndpoint
) -> None:
    endpoint_server.reset(SECRET)

    answer = await control(
        client, "/flows/run", {"flow_token": TOKEN, "endpoint": endpoint_server.url}, status=409
    )
    ping = await control(client, "/flows/ping", {"endpoint": endpoint_server.url}, status=409)

    assert "whatsapp_business_encryption" in answer["error"]
    assert "whatsapp_business_encryption" in ping["error"]
    assert endpoint_server.seen == []
