"""The sandbox as the WhatsApp client of a Flow (`/_sandbox/flows/run`), against a minimal
business endpoint written from the reference (`flow_endpoint.py`) on a real socket: scripted
journeys, the completion webhook, key rotation (421 then a fresh key), and the stops (427, 432,
an answer that cannot be read)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox import Sandbox
from tests.sandbox.conftest import (
    BOOKING,
    OPEN_CUSTOMER,
    SECRET,
    Receiver,
    change_of,
    control,
    send_flow,
    signature_ok,
    upload_key,
)
from tests.sandbox.conftest import FLOW_TOKEN as TOKEN
from tests.sandbox.conftest import run_flow as run
from tests.sandbox.flow_endpoint import FlowsEndpoint


async def test_a_whole_journey_ends_in_the_completion_webhook(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver, endpoint: FlowsEndpoint
) -> None:
    # given: the business sent the flow message
    wamid = await send_flow(client)

    # when: the customer opens it and fills every screen
    result = await run(
        client, {"customer": OPEN_CUSTOMER, "endpoint": endpoint.url, "script": BOOKING}
    )

    # then: each step was a real encrypted exchange the endpoint decrypted
    assert result["status"] == "completed", result
    assert [s["request"]["action"] for s in result["steps"]] == ["INIT"] + ["data_exchange"] * 3
    assert [s["request"] for s in result["steps"]] == endpoint.seen
    assert result["steps"][0]["request"] == {
        "version": "3.0",
        "action": "INIT",
        "screen": "",
        "data": {},
        "flow_token": TOKEN,
    }
    assert [s["answer"].get("screen") for s in result["steps"]] == [
        "DESTINATION",
        "DATES",
        "CONFIRM",
        "SUCCESS",
    ]
    assert all(hook is not None for hook in endpoint.hub_headers)
    params = {
        "flow_token": TOKEN,
        "booking": "BK-1",
        "destination": "lisbon",
        "check_in": "2026-07-01",
    }
    assert result["completion"]["params"] == params
    # and: the customer's chat got the completion message, replying to the flow message
    assert await sandbox.drain(5)
    (delivery,) = [d for d in hooks.deliveries if d.payload == result["completion"]["payload"]]
    assert signature_ok(delivery)
    field, value = change_of(delivery.payload)
    (message,) = value["messages"]
    assert field == "messages"
    assert message["type"] == "interactive"
    assert message["context"] == {"from": "15550783881", "id": wamid}
    assert message["from"] == OPEN_CUSTOMER
    assert message["interactive"]["type"] == "nfm_reply"
    reply = message["interactive"]["nfm_reply"]
    assert (reply["name"], reply["body"]) == ("flow", "Sent")
    assert json.loads(reply["response_json"]) == params


async def test_a_rotated_key_gets_a_421_then_the_client_fetches_the_new_one(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint, key_b: rsa.RSAPrivateKey
) -> None:
    # given: the client fetched key A on a first run
    await send_flow(client)
    first = await run(client, {"flow_token": TOKEN, "endpoint": endpoint.url})
    # when: the business switches to key B everywhere, and the customer goes on
    await upload_key(client, key_b)
    endpoint.keys[:] = [key_b]
    result = await run(
        client, {"flow_token": TOKEN, "endpoint": endpoint.url, "resume": True, "script": BOOKING}
    )

    # then: A was refused with 421, the same request went again under B, and the journey ended
    refused, retried = result["steps"][0], result["steps"][1]
    assert first["status"] == "waiting"
    assert (refused["status"], refused["retry"]) == (421, False)
    assert (retried["status"], retried["retry"]) == (200, True)
    assert refused["request"] == retried["request"]
    assert refused["public_key"] == first["steps"][0]["public_key"] != retried["public_key"]
    assert result["status"] == "completed"


async def test_a_second_421_ends_the_run(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint, key_b: rsa.RSAPrivateKey
) -> None:
    # given: the endpoint holds a key the number never uploaded
    endpoint.keys[:] = [key_b]

    result = await run(client, {"flow_token": TOKEN, "endpoint": endpoint.url})

    assert result["status"] == "decrypt_failed"
    assert [(s["status"], s["retry"]) for s in result["steps"]] == [(421, False), (421, True)]
    assert result["completion"] is None


async def test_a_client_still_on_the_previous_key_is_served_by_an_endpoint_holding_both(
    client: httpx.AsyncClient,
    endpoint: FlowsEndpoint,
    key_a: rsa.RSAPrivateKey,
    key_b: rsa.RSAPrivateKey,
) -> None:
    await upload_key(client, key_b)
    endpoint.keys[:] = [key_b, key_a]

    result = await run(
        client, {"flow_token": TOKEN, "endpoint": endpoint.url, "client_key": "previous"}
    )

    assert [s["status"] for s in result["steps"]] == [200]
    assert result["status"] == "waiting"
    assert result["screen"] == "DESTINATION"


async def test_a_closed_token_stops_the_run_with_427_and_the_endpoints_message(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint
) -> None:
    endpoint.closed.add(TOKEN)

    result = await run(client, {"flow_token": TOKEN, "endpoint": endpoint.url, "script": BOOKING})

    assert result["status"] == "token_invalid"
    assert [s["status"] for s in result["steps"]] == [427]
    assert result["steps"][0]["answer"] == {"error_msg": "This booking is closed"}
    assert "This booking is closed" in result["error"]


@pytest.mark.parametrize("hub_signature", ["invalid", "missing"])
async def test_a_refused_signature_stops_the_run_with_432(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint, hub_signature: str
) -> None:
    result = await run(
        client, {"flow_token": TOKEN, "endpoint": endpoint.url, "hub_signature": hub_signature}
    )

    assert result["status"] == "signature_rejected"
    assert [s["status"] for s in result["steps"]] == [432]
    assert endpoint.seen == []
    assert (endpoint.hub_headers[0] is None) == (hub_signature == "missing")


async def test_the_signature_is_the_app_secrets_hmac_of_the_raw_body(
    client: httpx.AsyncClient, sandbox: Sandbox, endpoint: FlowsEndpoint
) -> None:
    """An endpoint keyed with another secret refuses every request (as Meta's would be)."""
    endpoint.secret = "someone-elses-secret"

    result = await run(client, {"flow_token": TOKEN, "endpoint": endpoint.url})

    assert result["status"] == "signature_rejected"
    assert sandbox.config.app_secret == SECRET


async def test_a_validation_error_keeps_the_customer_on_the_screen(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint
) -> None:
    script = {"DESTINATION": [{"destination": "mars"}, {"destination": "porto"}]}

    result = await run(client, {"flow_token": TOKEN, "endpoint": endpoint.url, "script": script})

    answers = [s["answer"] for s in result["steps"]]
    assert answers[1] == {
        "screen": "DESTINATION",
        "data": {"error_message": "Pick Lisbon or Porto"},
    }
    assert answers[2] == {"screen": "DATES", "data": {"destination": "porto"}}
    assert (result["status"], result["screen"]) == ("waiting", "DATES")


async def test_back_and_an_error_notification_in_an_ordered_script(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint
) -> None:
    script = [
        {"screen": "DESTINATION", "data": {"destination": "lisbon"}},
        {"action": "BACK"},
        {"error": "INVALID_SCREEN_DATA", "error_message": "unknown component"},
        {"screen": "DESTINATION", "data": {"destination": "porto"}},
    ]

    result = await run(client, {"flow_token": TOKEN, "endpoint": endpoint.url, "script": script})

    requests = [s["request"] for s in result["steps"]]
    assert requests[2] == {
        "version": "3.0",
        "action": "BACK",
        "screen": "DATES",
        "data": {},
        "flow_token": TOKEN,
    }
    assert requests[3]["action"] == "data_exchange"
    assert requests[3]["data"] == {
        "error": "INVALID_SCREEN_DATA",
        "error_message": "unknown component",
    }
    assert result["steps"][3]["answer"] == {"data": {"acknowledged": True}}
    assert (result["status"], result["screen"]) == ("waiting", "DATES")


async def test_an_ordered_step_for_another_screen_stops_the_run(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint
) -> None:
    script = [{"screen": "DATES", "data": {"check_in": "2026-07-01"}}]

    result = await run(client, {"flow_token": TOKEN, "endpoint": endpoint.url, "script": script})

    assert result["status"] == "script_mismatch"
    assert "DESTINATION" in result["error"]


async def test_an_unencrypted_answer_is_a_bad_response(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint
) -> None:
    endpoint.plain_answers = True

    result = await run(client, {"flow_token": TOKEN, "endpoint": endpoint.url})

    assert result["status"] == "bad_response"
    assert result["steps"][0]["status"] == 200
    assert result["steps"][0]["body"].startswith("{")


async def test_an_unreachable_endpoint_is_reported(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint
) -> None:
    result = await run(client, {"flow_token": TOKEN, "endpoint": "http://127.0.0.1:9/flows/x"})

    assert result["status"] == "unreachable"
    assert result["steps"][0]["status"] is None


def expected_signature(token: str) -> str:
    """Meta's description, by hand: HS256 JWT, payload with the flow token, app secret key."""

    def b64url(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    head, claims = (
        b64url(b'{"alg":"HS256","typ":"JWT"}'),
        b64url(json.dumps({"flow_token": token}, separators=(",", ":")).encode()),
    )
    mac = hmac.new(SECRET.encode(), f"{head}.{claims}".encode(), hashlib.sha256).digest()
    return f"{head}.{claims}.{b64url(mac)}"


async def test_data_api_4_requests_carry_the_flow_token_signature(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint
) -> None:
    result = await run(client, {"flow_token": TOKEN, "endpoint": endpoint.url, "version": "4.0"})
    tampered = await run(
        client,
        {"flow_token": TOKEN, "endpoint": endpoint.url, "flow_token_signature": "tampered"},
    )

    request = endpoint.seen[0]
    assert request["version"] == "4.0"
    assert request["flow_token_signature"] == expected_signature(TOKEN)
    assert result["status"] == "waiting"
    assert tampered["steps"][0]["request"]["flow_token_signature"] == "tampered"
    assert tampered["steps"][0]["request"]["version"] == "3.0"


async def test_a_ping_is_answered_active(
    client: httpx.AsyncClient, endpoint: FlowsEndpoint
) -> None:
    result = await control(client, "/flows/ping", {"endpoint": endpoint.url})

    assert result["healthy"] is True
    assert result["steps"][0]["request"] == {"version": "3.0", "action": "ping"}
    assert result["steps"][0]["answer"] == {"data": {"status": "active"}}
