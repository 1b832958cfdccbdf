"""Fault injection: a deterministic queue and a seeded random share."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import (
    MESSAGES,
    Receiver,
    error_of,
    make_config,
    message,
    wait_for,
)


async def set_faults(client: httpx.AsyncClient, body: dict[str, object]) -> httpx.Response:
    response = await client.post("/_sandbox/faults", json=body)
    assert response.status_code == 200, response.text
    return response


async def test_queue_fails_next_matching_requests_in_order(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # given
    await set_faults(
        client,
        {
            "queue": [
                {"status": 503, "code": 131016},
                {"kind": "error", "code": 130429},
                {"kind": "5xx", "status": 500, "code": 131000},
            ],
            "path_contains": "messages",
        },
    )

    # when
    first = await client.post(MESSAGES, json=message())
    media = await client.get("/v23.0/1013859600285441")  # not matching: unaffected
    second = await client.post(MESSAGES, json=message())
    third = await client.post(MESSAGES, json=message())
    fourth = await client.post(MESSAGES, json=message())

    # then
    error_of(first, 503, 131016)
    assert media.status_code == 200
    error_of(second, 400, 130429)
    error_of(third, 500, 131000)
    assert fourth.status_code == 200
    assert [r.path for r in sandbox.requests] == ["/v23.0/1013859600285441", MESSAGES]
    stats = sandbox.stats()
    assert stats["faulted"] == 3
    assert stats["messages"]["accepted"] == 1
    assert await sandbox.drain(5)
    assert len({s["id"] for s in hooks.statuses()}) == 1  # faulted sends sent no webhooks


async def test_fault_status_defaults_from_the_code_table(client: httpx.AsyncClient) -> None:
    await set_faults(client, {"queue": [{"code": 131000}, {"code": 2}, {"code": 10}]})

    error_of(await client.post(MESSAGES, json=message()), 500, 131000)
    error_of(await client.post(MESSAGES, json=message()), 503, 2)
    error_of(await client.post(MESSAGES, json=message()), 403, 10)


async def test_method_filter(client: httpx.AsyncClient) -> None:
    await set_faults(client, {"queue": [{"code": 131000}], "method": "GET"})

    assert (await client.post(MESSAGES, json=message())).status_code == 200
    error_of(await client.get("/v23.0/1013859600285441"), 500, 131000)


async def test_timeout_holds_then_answers_504(client: httpx.AsyncClient) -> None:
    await set_faults(client, {"queue": [{"kind": "timeout", "timeout_s": 0.05}]})
    loop = asyncio.get_running_loop()

    started = loop.time()
    response = await client.post(MESSAGES, json=message())

    assert loop.time() - started >= 0.05
    error_of(response, 504, 2)


async def test_held_requests_are_released_on_close(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    await set_faults(client, {"queue": [{"kind": "timeout"}]})  # fault_timeout_s = 5 s
    loop = asyncio.get_running_loop()
    started = loop.time()
    request = asyncio.ensure_future(client.post(MESSAGES, json=message()))
    await wait_for(lambda: sandbox.faults.holding == 1)

    sandbox.release_holds()
    response = await request

    assert loop.time() - started < 2
    error_of(response, 504, 2)


async def test_rate_one_fails_everything_with_server_errors(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    await set_faults(client, {"rate": 1.0, "kind": "5xx"})

    responses = [await client.post(MESSAGES, json=message(to=f"155500{i:05d}")) for i in range(30)]

    pairs = {(r.status_code, r.json()["error"]["code"]) for r in responses}
    assert pairs <= {(500, 131000), (503, 131016), (503, 2)}
    assert len(pairs) > 1
    assert sandbox.requests == []
    assert sandbox.stats()["faulted"] == 30


async def test_error_kind_uses_the_configured_code(client: httpx.AsyncClient) -> None:
    await set_faults(client, {"rate": 1.0, "kind": "error", "error_code": 131048})

    error_of(await client.post(MESSAGES, json=message()), 400, 131048)


async def test_rate_is_reproducible_with_a_seed() -> None:
    async def pattern() -> list[int]:
        sb = Sandbox(make_config(fault_rate=0.5, seed=99))
        transport = httpx.ASGITransport(app=sb.app())
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://sb",
            headers={"Authorization": "Bearer sandbox-token"},
        ) as c:
            codes = [
                (await c.post(MESSAGES, json=message(to=f"155500{i:05d}"))).status_code
                for i in range(40)
            ]
        await sb.aclose()
        return codes

    first, second = await pattern(), await pattern()

    assert first == second
    assert 5 < first.count(200) < 35


async def test_rate_can_be_scoped_to_a_path(client: httpx.AsyncClient) -> None:
    await set_faults(client, {"rate": 1.0, "kind": "5xx", "path_contains": "/media"})

    assert (await client.post(MESSAGES, json=message())).status_code == 200
    assert (await client.post("/v23.0/106540352242922/media", data={})).status_code >= 500


async def test_delete_clears_queue_and_rate(client: httpx.AsyncClient) -> None:
    await set_faults(client, {"queue": [{"code": 131000}], "rate": 1.0})

    cleared = await client.delete("/_sandbox/faults")

    assert cleared.json()["queue"] == []
    assert cleared.json()["rate"] == 0.0
    assert (await client.post(MESSAGES, json=message())).status_code == 200


async def test_state_is_listed(client: httpx.AsyncClient) -> None:
    await set_faults(client, {"queue": [{"kind": "timeout"}], "path_contains": "messages"})

    state = (await client.get("/_sandbox/faults")).json()

    assert state["queue"] == [{"kind": "timeout", "path_contains": "messages"}]


@pytest.mark.parametrize(
    "body",
    [
        {"queue": [{"kind": "explode"}]},
        {"queue": "all"},
        {"rate": 2},
        {"kind": "boom"},
        {"queue": [{"code": "131000"}]},
    ],
)
async def test_bad_fault_requests_are_400(client: httpx.AsyncClient, body: object) -> None:
    response = await client.post("/_sandbox/faults", json=body)

    assert response.status_code == 400
    assert "error" in response.json()


async def test_auth_is_checked_before_faults(client: httpx.AsyncClient) -> None:
    await set_faults(client, {"queue": [{"code": 131000}]})

    error_of(await client.post(MESSAGES, json=message(), headers={"Authorization": "x"}), 401, 190)
    error_of(await client.post(MESSAGES, json=message()), 500, 131000)


async def test_response_delay_holds_each_graph_answer_like_a_remote_meta(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    # given: Meta a fifth of a second away
    response = await client.put("/_sandbox/config", json={"response_delay_s": 0.2})
    assert response.status_code == 200, response.text
    loop = asyncio.get_running_loop()

    # when: two sends at once
    started = loop.time()
    answers = await asyncio.gather(*(client.post(MESSAGES, json=message()) for _ in range(2)))
    elapsed = loop.time() - started

    # then: both are answered (and sent), each after the delay, held side by side
    assert [a.status_code for a in answers] == [200, 200]
    assert elapsed >= 0.2
    assert len(sandbox.requests) == 2


async def test_a_negative_response_delay_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.put("/_sandbox/config", json={"response_delay_s": -1})

    assert response.status_code == 400
    assert "response_delay_s" in response.text
