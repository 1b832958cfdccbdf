"""`POST /flows/{flow}`: WhatsApp's encrypted data exchange, answered as Meta documents it
(reference §8): 432 for a bad signature, 421 for what no key opens, 427 for a stale token,
screens and completion encrypted back — and nothing stored from a refused request."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.asymmetric import rsa

from app.server import create_app
from models import SessionStatus, WhatsAppAnalyticsEvent, WhatsAppSession
from tests.conftest import APP_SECRET, FLOWS_KEY, make_settings
from tests.whatsapp.flows.test_crypto import whatsapp_decrypts, whatsapp_encrypts
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.flows import crypto, handlers, journeys
from whatsapp.flows.handlers import Complete, FlowStep, NextScreen, Reply, ScreenError
from whatsapp.kit.clock import utcnow

FLOW = "test-trip"
TOKEN = "wg-test-token-1"


async def trip(step: FlowStep) -> Reply:
    """A two-screen flow: pick a city, then confirm."""
    if step.action in ("INIT", "BACK") and step.screen in (None, "CITY"):
        return NextScreen("CITY", {"cities": ["Lisbon", "Porto"]})
    if step.screen == "CITY":
        city = step.data.get("city")
        if city not in ("Lisbon", "Porto"):
            return ScreenError("Pick one of the cities", {"cities": ["Lisbon", "Porto"]})
        return NextScreen(
            "CONFIRM", {"city": city}, events=(("flow.city.selected", {"city": city}),)
        )
    city = step.state["answers"]["CITY"]["city"]
    return Complete({"city": city, "reference": "T-1"}, events=(("flow.trip.booked", {}),))


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    handlers.register(FLOW, trip)
    yield
    handlers._REGISTRY.pop(FLOW, None)


@pytest.fixture
async def journey(client: httpx.AsyncClient) -> WhatsAppSession:
    contact = await get_or_create_contact("15551234567")
    return await WhatsAppSession.create(
        contact=contact, phone_number_id="106540352242922", flow=FLOW, flow_token=TOKEN
    )


def signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


async def exchange(
    client: httpx.AsyncClient,
    request: dict[str, Any],
    *,
    key: rsa.RSAPublicKey | None = None,
    flow: str = FLOW,
) -> tuple[int, Any]:
    """Post a request as WhatsApp does; (status, the decrypted answer or the plain text)."""
    body, aes_key, iv = whatsapp_encrypts(request, key or FLOWS_KEY.public_key())
    response = await client.post(f"/flows/{flow}", content=body, headers=signed(body))
    try:
        return response.status_code, whatsapp_decrypts(response.text, aes_key, iv)
    except Exception:
        return response.status_code, response.text


def step(action: str, screen: str | None = None, **data: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"version": "3.0", "action": action, "flow_token": TOKEN}
    if screen:
        request["screen"] = screen
    if data:
        request["data"] = data
    return request


async def test_ping_is_answered_active(client: httpx.AsyncClient) -> None:
    status, answer = await exchange(client, {"version": "3.0", "action": "ping"})

    assert (status, answer) == (200, {"data": {"status": "active"}})


async def test_a_whole_journey_is_stored_step_by_step_and_completes_the_session(
    client: httpx.AsyncClient, journey: WhatsAppSession
) -> None:
    opened = await exchange(client, step("INIT"))
    wrong = await exchange(client, step("data_exchange", "CITY", city="Paris"))
    chosen = await exchange(client, step("data_exchange", "CITY", city="Porto"))
    done = await exchange(client, step("data_exchange", "CONFIRM", confirm=True))

    assert opened == (
        200,
        {"version": "3.0", "screen": "CITY", "data": {"cities": ["Lisbon", "Porto"]}},
    )
    assert wrong[1]["screen"] == "CITY"
    assert wrong[1]["data"]["error_message"] == "Pick one of the cities"
    assert chosen[1] == {"version": "3.0", "screen": "CONFIRM", "data": {"city": "Porto"}}
    assert done == (
        200,
        {
            "version": "3.0",
            "screen": "SUCCESS",
            "data": {
                "extension_message_response": {
                    "params": {"city": "Porto", "reference": "T-1", "flow_token": TOKEN}
                }
            },
        },
    )
    await journey.refresh_from_db()
    assert journey.status == SessionStatus.COMPLETED and journey.completed_at
    state = journey.context["flowState"]
    assert state["screen"] == "SUCCESS"
    assert state["answers"] == {"CITY": {"city": "Porto"}, "CONFIRM": {"confirm": True}}
    assert state["result"] == {"city": "Porto", "reference": "T-1"}
    assert [(h["action"], h["screen"], h["next"]) for h in state["history"]] == [
        ("INIT", None, "CITY"),
        ("data_exchange", "CITY", "CITY"),
        ("data_exchange", "CITY", "CONFIRM"),
        ("data_exchange", "CONFIRM", "SUCCESS"),
    ]
    assert state["history"][1]["error"] == "Pick one of the cities"
    names = (
        await WhatsAppAnalyticsEvent.filter(session_id=journey.id)
        .order_by("created_at")
        .values_list("name", flat=True)
    )
    assert names == [
        "flow.started",
        "flow.screen.submitted",
        "flow.screen.rejected",
        "flow.screen.submitted",
        "flow.city.selected",
        "flow.screen.submitted",
        "flow.trip.booked",
        "flow.completed",
    ]


async def test_back_reshows_the_screen_it_names(
    client: httpx.AsyncClient, journey: WhatsAppSession
) -> None:
    status, answer = await exchange(client, step("BACK", "CITY"))

    assert (status, answer["screen"]) == (200, "CITY")
    assert await WhatsAppAnalyticsEvent.filter(name="flow.screen.back").count() == 1


async def test_a_stale_token_gets_427_and_changes_nothing(
    client: httpx.AsyncClient, journey: WhatsAppSession
) -> None:
    unknown = await exchange(client, {**step("INIT"), "flow_token": "wg-never-issued"})
    missing = await exchange(client, {"version": "3.0", "action": "INIT"})
    await WhatsAppSession.filter(id=journey.id).update(
        started_at=utcnow() - timedelta(days=7, minutes=1)
    )
    expired = await exchange(client, step("INIT"))
    await WhatsAppSession.filter(id=journey.id).update(
        started_at=utcnow(), status=SessionStatus.COMPLETED
    )
    completed = await exchange(client, step("INIT"))

    for status, answer in (unknown, missing, expired, completed):
        assert status == 427
        assert answer["error_msg"]
    assert "already finished" in completed[1]["error_msg"]
    assert await WhatsAppAnalyticsEvent.all().count() == 0
    await journey.refresh_from_db()
    assert "flowState" not in journey.context


async def test_a_bad_signature_is_432_and_a_foreign_key_is_421(
    client: httpx.AsyncClient, journey: WhatsAppSession
) -> None:
    body, _, _ = whatsapp_encrypts(step("INIT"), FLOWS_KEY.public_key())
    forged = await client.post(f"/flows/{FLOW}", content=body, headers=signed(body, "nope"))
    unsigned = await client.post(f"/flows/{FLOW}", content=body)
    stranger = crypto.generate_private_key().public_key()
    foreign = await exchange(client, step("INIT"), key=stranger)

    assert (forged.status_code, unsigned.status_code) == (432, 432)
    assert foreign[0] == 421
    assert await WhatsAppAnalyticsEvent.all().count() == 0


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"encrypted_flow_data": 1}',
        b'{"encrypted_flow_data": "AA==", "encrypted_aes_key": "AA==", "initial_vector": "AA=="}',
        b'{"encrypted_flow_data": "***", "encrypted_aes_key": "AA==", "initial_vector": "AA=="}',
        '{"encrypted_flow_data": "\u00e9"}'.encode(),
    ],
)
async def test_garbage_bodies_never_500_and_store_nothing(
    client: httpx.AsyncClient, body: bytes
) -> None:
    response = await client.post(f"/flows/{FLOW}", content=body, headers=signed(body))

    assert response.status_code in (400, 421)
    assert await WhatsAppAnalyticsEvent.all().count() == 0


async def test_a_database_outage_is_503_with_retry_after_not_500(
    client: httpx.AsyncClient, journey: WhatsAppSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def database_gone(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    monkeypatch.setattr(journeys, "find", database_gone)
    body, _, _ = whatsapp_encrypts(step("INIT"), FLOWS_KEY.public_key())
    response = await client.post(f"/flows/{FLOW}", content=body, headers=signed(body))

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "database is unavailable" in response.text


async def test_a_truncated_request_is_421(client: httpx.AsyncClient) -> None:
    body, _, _ = whatsapp_encrypts(step("INIT"), FLOWS_KEY.public_key())
    fields = json.loads(body)
    fields["encrypted_flow_data"] = fields["encrypted_flow_data"][:12]
    truncated = json.dumps(fields).encode()

    response = await client.post(f"/flows/{FLOW}", content=truncated, headers=signed(truncated))

    assert response.status_code == 421


async def test_an_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    body = b"x" * (1024 * 1024 + 1)

    response = await client.post(f"/flows/{FLOW}", content=body, headers=signed(body))

    assert response.status_code == 413


async def test_an_error_notification_is_acknowledged_and_recorded(
    client: httpx.AsyncClient, journey: WhatsAppSession
) -> None:
    request = step("data_exchange", "CITY", error="invalid-screen", error_message="no CITYY")

    status, answer = await exchange(client, request)

    assert (status, answer) == (200, {"version": "3.0", "data": {"acknowledged": True}})
    [event] = await WhatsAppAnalyticsEvent.filter(name="flow.client_error")
    assert event.properties["error"] == "invalid-screen" and event.session_id == journey.id


async def test_a_flow_without_a_handler_is_404_and_unknown_actions_400(
    client: httpx.AsyncClient, journey: WhatsAppSession
) -> None:
    no_handler = await exchange(client, step("INIT"), flow="no-such-flow")
    odd = await exchange(client, step("teleport"))

    assert no_handler[0] == 404
    assert odd[0] == 400
    assert await WhatsAppAnalyticsEvent.all().count() == 0


@pytest.fixture
async def rotated(db: str, sandbox_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """An app whose current key is new, with the test key (the old one) still accepted."""
    old = tmp_path / "old.pem"
    old.write_text(crypto.private_pem(FLOWS_KEY, passphrase="pw"))
    new = crypto.private_pem(crypto.generate_private_key(), passphrase="pw")
    settings = make_settings(
        db,
        sandbox_url,
        flows_private_key=new,
        flows_previous_keys=str(old),
        flows_key_passphrase="pw",
    )
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://wagraph") as http:
            yield http


async def test_during_a_rotation_requests_for_the_previous_key_still_work(
    rotated: httpx.AsyncClient, journey: WhatsAppSession
) -> None:
    status, answer = await exchange(rotated, step("INIT"))

    assert (status, answer["screen"]) == (200, "CITY")


def test_a_key_that_cannot_be_read_stops_the_app_with_the_setting_named(
    db: str, sandbox_url: str
) -> None:
    settings = make_settings(db, sandbox_url, flows_private_key="/nowhere/key.pem")

    with pytest.raises(ValueError, match="Flows the current key"):
        create_app(settings)


@pytest.mark.filterwarnings(
    "ignore::jwt.warnings.InsecureKeyLengthWarning"
)  # test secrets are short
async def test_data_api_4_token_signatures_are_checked(
    client: httpx.AsyncClient, journey: WhatsAppSession
) -> None:
    good = jwt.encode({"flow_token": TOKEN}, APP_SECRET, algorithm="HS256")
    other_token = jwt.encode({"flow_token": "wg-someone-else"}, APP_SECRET, algorithm="HS256")
    forged = jwt.encode({"flow_token": TOKEN}, "not-the-app-secret", algorithm="HS256")
    v4 = {**step("INIT"), "version": "4.0"}

    refused = [
        await exchange(client, {**v4, "flow_token_signature": bad})
        for bad in (other_token, forged, "garbage")
    ]
    accepted = await exchange(client, {**v4, "flow_token_signature": good})

    assert [status for status, _ in refused] == [432, 432, 432]
    assert accepted[0] == 200 and accepted[1]["version"] == "4.0"
    await journey.refresh_from_db()
    [entry] = journey.context["flowState"]["history"]
    assert entry["tokenSignature"] == "verified"
    assert await WhatsAppAnalyticsEvent.filter(name="flow.started").count() == 1
