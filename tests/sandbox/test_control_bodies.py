"""Every control endpoint of issue 9 answers a body of the wrong shape with a clear 4xx.

Each key of a valid body is replaced, in turn, by values of every JSON type; the answer must be
a success or a 400/404 with an error message — never a 500 (a bug a demo would trip over).
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox.conftest import control, inbound

ODD_VALUES: list[Any] = [None, True, 7, -1, 1.5, "", "x", [], [1], ["x", "x"], {}, {"a": [1]}]
ANA = "5511987654321"


async def endpoints(client: httpx.AsyncClient) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, a valid body) for each new control endpoint, with the state it needs."""
    group = await control(client, "/groups", {"subject": "s", "participants": [ANA]}, status=201)
    group_id = group["group"]["id"]
    wamid = (await inbound(client, ANA))["wamid"]
    call_id = (
        await control(client, f"/customers/{ANA}/calls", {"direction": "BUSINESS_INITIATED"})
    )["call_id"]
    return [
        ("POST", "/groups", {"subject": "s", "description": "d", "participants": [ANA]}),
        ("PATCH", f"/groups/{group_id}", {"subject": "s2", "description": "d2"}),
        ("POST", f"/groups/{group_id}/participants", {"add": ["16505550000"]}),
        ("POST", f"/groups/{group_id}/participants", {"remove": [ANA], "initiated_by": "business"}),
        ("POST", f"/groups/{group_id}/status", {"type": "group_suspend"}),
        (
            "POST",
            f"/groups/{group_id}/messages",
            {"from": ANA, "type": "text", "text": {"body": "x"}},
        ),
        ("POST", f"/customers/{ANA}/messages/{wamid}/edit", {"text": "new", "caption": "c"}),
        (
            "POST",
            f"/customers/{ANA}/calls",
            {
                "direction": "BUSINESS_INITIATED",
                "statuses": ["RINGING", "ACCEPTED"],
                "status": "COMPLETED",
                "duration": 3,
                "biz_opaque_callback_data": "c",
                "phone_number_id": "106540352242922",
            },
        ),
        ("POST", f"/calls/{call_id}/status", {"status": "ACCEPTED"}),
        ("POST", f"/calls/{call_id}/terminate", {"status": "FAILED", "duration": 1}),
        (
            "POST",
            f"/customers/{ANA}/call-permission",
            {
                "response": "accept",
                "is_permanent": False,
                "expiration_timestamp": 1767225600,
                "response_source": "user_action",
                "context": {"id": wamid},
            },
        ),
        ("POST", "/business-app/messages", {"to": ANA, "type": "text", "text": {"body": "x"}}),
        ("POST", "/account/events", {"field": "account_update", "event": "DISABLED_UPDATE"}),
        (
            "POST",
            "/account/events",
            {"field": "phone_number_quality_update", "event": "FLAGGED", "current_limit": "T"},
        ),
        (
            "POST",
            "/templates/hello_world/status",
            {"event": "PAUSED", "reason": "NONE", "other_info": {}, "language": "en_US"},
        ),
        (
            "POST",
            "/templates/order_update/components",
            {
                "language": "en_US",
                "body": "b {{1}}",
                "header": "h",
                "footer": "f",
                "buttons": [{"type": "URL", "text": "t", "url": "https://a.example/"}],
            },
        ),
        ("POST", "/webhooks/raw", {"field": "f", "value": {}, "time": 1}),
    ]


async def test_no_body_shape_makes_a_control_endpoint_fail(client: httpx.AsyncClient) -> None:
    failures = []
    for method, path, valid in await endpoints(client):
        for key in valid:
            for odd in ODD_VALUES:
                body = {**valid, key: odd}
                response = await client.request(method, f"/_sandbox{path}", json=body)
                ok = response.status_code in (200, 201) or (
                    response.status_code in (400, 404) and response.json().get("error")
                )
                if not ok:
                    failures.append((method, path, key, odd, response.status_code))
    assert failures == []
