"""`/_sandbox/*`: recorded requests, stats, reset, runtime config, handshake, drain."""

from __future__ import annotations

import httpx
import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import (
    CLOSED_CUSTOMER,
    MESSAGES,
    OPEN_CUSTOMER,
    PNID,
    VERIFY_TOKEN,
    Receiver,
    error_of,
    inbound,
    message,
)


async def test_requests_are_listed_and_filtered(client: httpx.AsyncClient) -> None:
    await client.post(
        MESSAGES,
        json=message(biz_opaque_callback_data="m-1"),
        params={"access_token": "sandbox-token"},
    )
    await client.get("/v23.0/1013859600285441")

    everything = (await client.get("/_sandbox/requests")).json()
    posts = (await client.get("/_sandbox/requests", params={"method": "post"})).json()
    media = (
        await client.get("/_sandbox/requests", params={"path_contains": "1013859600285441"})
    ).json()

    assert everything["count"] == 2
    (sent,) = posts["requests"]
    assert sent["method"] == "POST"
    assert sent["path"] == MESSAGES
    assert sent["json"]["biz_opaque_callback_data"] == "m-1"
    assert sent["response"]["messages"][0]["id"].startswith("wamid.")
    assert sent["status"] == 200
    assert sent["query"] == {}  # the token is never recorded
    assert sent["headers"]["content-type"] == "application/json"
    assert sent["time"].endswith("+00:00")
    assert [r["method"] for r in media["requests"]] == ["GET"]


async def test_delete_requests_clears_only_the_log(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    await client.post(MESSAGES, json=message())

    cleared = await client.delete("/_sandbox/requests")

    assert cleared.json() == {"cleared": 1}
    assert sandbox.requests == []
    assert sandbox.stats()["messages"]["accepted"] == 1


async def test_stats_count_sends_per_callback_data_and_recipient(
    client: httpx.AsyncClient,
) -> None:
    for data in ("m-1", "m-2", "m-2"):
        await client.post(MESSAGES, json=message(biz_opaque_callback_data=data))
    await client.post(MESSAGES, json=message("template", to=CLOSED_CUSTOMER))
    await client.post(MESSAGES, json=message(text={}))

    stats = (await client.get("/_sandbox/stats")).json()

    assert stats["accepted"] == 4
    assert stats["rejected"] == 1
    assert stats["messages"]["accepted"] == 4
    assert stats["messages"]["by_type"] == {"text": 3, "template": 1}
    assert stats["sends_per_callback_data"] == {"m-1": 1, "m-2": 2}
    assert stats["duplicate_callback_data"] == {"m-2": 2}
    assert stats["sends_per_recipient"] == {OPEN_CUSTOMER: 3, CLOSED_CUSTOMER: 1}
    assert stats["per_phone_number"][PNID]["accepted"] == 4
    assert set(stats["webhooks"]) == {"delivered", "failed", "pending", "attempts"}


async def test_errors_endpoint_lists_recent_rejections(client: httpx.AsyncClient) -> None:
    await client.post(MESSAGES, json=message(text={"body": ""}))

    (error,) = (await client.get("/_sandbox/errors")).json()["errors"]

    assert (error["status"], error["code"]) == (400, 131009)
    assert "Max length: 4096" in error["details"]


async def test_reset_restores_the_seeded_state(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    # given: traffic, a deleted template, an opened window, queued faults, an upload
    await client.post(MESSAGES, json=message())
    await client.delete("/v23.0/102290129340398/message_templates", params={"name": "hello_world"})
    await inbound(client, CLOSED_CUSTOMER)
    uploaded = await client.post(
        f"/v23.0/{PNID}/media",
        data={"messaging_product": "whatsapp", "type": "image/png"},
        files={"file": ("a.png", b"x", "image/png")},
    )
    await client.post("/_sandbox/faults", json={"queue": [{"code": 131000}] * 3})
    first_wamid = sandbox.requests[0].response["messages"][0]["id"]

    # when
    response = await client.post("/_sandbox/reset")

    # then
    assert response.json() == {"reset": True}
    assert sandbox.requests == []
    stats = sandbox.stats()
    assert (stats["accepted"], stats["rejected"], stats["messages"]["accepted"]) == (0, 0, 0)
    assert sandbox.faults.state()["queue"] == []
    assert sandbox.templates.get("hello_world", "en_US") is not None
    assert sandbox.windows.current(PNID, CLOSED_CUSTOMER, sandbox.now(), 24) is None
    assert sandbox.windows.current(PNID, OPEN_CUSTOMER, sandbox.now(), 24) is not None
    error_of(await client.get(f"/v23.0/{uploaded.json()['id']}"), 400, 100)
    again = await client.post(MESSAGES, json=message())
    assert again.json()["messages"][0]["id"] == first_wamid  # seeded ids restart


async def test_config_can_be_read_and_changed(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    response = await client.put(
        "/_sandbox/config",
        json={
            "rate_limit_mps": 1000,
            "read_receipts": False,
            "status_delays_s": [0, 0.1, 0.2],
            "webhook_url": "http://example.invalid/hook",
            "fault_rate": 0.25,
            "fault_kind": "timeout",
        },
    )

    assert response.status_code == 200
    assert sandbox.config.rate_limit_mps == 1000
    assert sandbox.config.status_delays_s == (0.0, 0.1, 0.2)
    assert response.json()["webhook_url"] == "http://example.invalid/hook"
    assert (await client.get("/_sandbox/config")).json()["fault_kind"] == "timeout"


@pytest.mark.parametrize(
    "body",
    [
        {"access_token": "x"},
        {"rate_limit_mps": "fast"},
        {"read_receipts": 1},
        {"status_delays_s": [0.3, 0.1, 0.2]},
        {"fault_rate": 1.5},
        {"fault_kind": "boom"},
        {"rate_limit_mps": True},
    ],
)
async def test_bad_config_changes_are_rejected_atomically(
    client: httpx.AsyncClient, sandbox: Sandbox, body: dict[str, object]
) -> None:
    before = sandbox.config.public()

    response = await client.put("/_sandbox/config", json={"rate_limit_mps": 5, **body})

    assert response.status_code == 400
    assert sandbox.config.public() == before


async def test_webhook_handshake(client: httpx.AsyncClient, hooks: Receiver) -> None:
    good = await client.post(
        "/_sandbox/webhooks/verify", json={"verify_token": VERIFY_TOKEN, "challenge": "42"}
    )
    bad = await client.post("/_sandbox/webhooks/verify", json={"verify_token": "nope"})

    assert good.json() == {"verified": True, "status": 200, "body": "42"}
    assert bad.json()["verified"] is False
    assert bad.json()["status"] == 403


async def test_drain_endpoint(client: httpx.AsyncClient, hooks: Receiver) -> None:
    await client.post(MESSAGES, json=message())

    drained = (await client.post("/_sandbox/drain", params={"timeout": "5"})).json()

    assert drained["drained"] is True
    assert drained["webhooks"]["delivered"] == 3
    assert len(hooks.deliveries) == 3


async def test_health_and_bad_json(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_sandbox/health")).json() == {"ok": True}
    response = await client.post(
        "/_sandbox/faults", content=b"{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_control_routes_need_no_graph_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/_sandbox/stats", headers={"Authorization": ""})

    assert response.status_code == 200
