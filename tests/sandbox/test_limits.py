"""Throughput (130429) and pair-rate (131056) limits, and the peak-rate statistic."""

from __future__ import annotations

import httpx

from sandbox import Sandbox
from tests.sandbox.conftest import MESSAGES, PNID, Clock, error_of, message


def recipient(i: int) -> str:
    return f"1555100{i:04d}"


async def test_throughput_limit_is_130429_and_peak_never_exceeds_it(
    client: httpx.AsyncClient, sandbox: Sandbox, clock: Clock
) -> None:
    # given
    clock.freeze()
    sandbox.config.rate_limit_mps = 5

    # when: 5 sends in the same instant pass, the 6th does not
    statuses = [
        (await client.post(MESSAGES, json=message(to=recipient(i)))).status_code for i in range(5)
    ]
    over = await client.post(MESSAGES, json=message(to=recipient(5)))

    # then
    assert statuses == [200] * 5
    error = error_of(over, 400, 130429)
    assert error["message"] == "(#130429) Rate limit hit"
    phone = sandbox.stats()["per_phone_number"][PNID]
    assert phone == {"accepted": 5, "peak_mps": 5, "rate_limited": 1, "pair_limited": 0}


async def test_window_slides(client: httpx.AsyncClient, sandbox: Sandbox, clock: Clock) -> None:
    clock.freeze()
    sandbox.config.rate_limit_mps = 2
    for i in range(2):
        assert (await client.post(MESSAGES, json=message(to=recipient(i)))).status_code == 200

    clock.advance(0.5)
    error_of(await client.post(MESSAGES, json=message(to=recipient(2))), 400, 130429)
    clock.advance(0.5)  # the first two are now exactly one second old: out of the window
    assert (await client.post(MESSAGES, json=message(to=recipient(3)))).status_code == 200

    assert sandbox.stats()["per_phone_number"][PNID]["peak_mps"] == 2


async def test_peak_measures_the_busiest_second(
    client: httpx.AsyncClient, sandbox: Sandbox, clock: Clock
) -> None:
    clock.freeze()
    for i in range(3):
        await client.post(MESSAGES, json=message(to=recipient(i)))
        clock.advance(0.4)  # 0.0, 0.4, 0.8 -> three inside one second

    clock.advance(2)
    await client.post(MESSAGES, json=message(to=recipient(9)))

    assert sandbox.stats()["per_phone_number"][PNID]["peak_mps"] == 3


async def test_rejected_sends_do_not_consume_throughput(
    client: httpx.AsyncClient, sandbox: Sandbox, clock: Clock
) -> None:
    clock.freeze()
    sandbox.config.rate_limit_mps = 1
    for _ in range(3):
        error_of(await client.post(MESSAGES, json=message(text={})), 400, 131008)

    assert (await client.post(MESSAGES, json=message())).status_code == 200


async def test_mark_as_read_is_not_a_send(
    client: httpx.AsyncClient, sandbox: Sandbox, clock: Clock
) -> None:
    clock.freeze()
    sandbox.config.rate_limit_mps = 1
    inbound = await client.post(
        "/_sandbox/customers/15550003333/messages", json={"type": "text", "text": {"body": "hi"}}
    )
    wamid = inbound.json()["wamid"]

    for _ in range(3):
        read = await client.post(
            MESSAGES, json={"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        )
        assert read.status_code == 200
    assert (await client.post(MESSAGES, json=message())).status_code == 200


async def test_pair_limit_is_131056_per_recipient(
    client: httpx.AsyncClient, sandbox: Sandbox, clock: Clock
) -> None:
    # given
    clock.freeze()
    sandbox.config.update({"pair_limit_burst": 3, "pair_limit_interval_s": 6.0})

    # when
    burst = [(await client.post(MESSAGES, json=message())).status_code for _ in range(3)]
    over = await client.post(MESSAGES, json=message())
    other = await client.post(MESSAGES, json=message(to=recipient(1)))

    # then
    assert burst == [200, 200, 200]
    error = error_of(over, 400, 131056)
    assert "same phone number" in error["error_data"]["details"]
    assert other.status_code == 200
    assert sandbox.stats()["per_phone_number"][PNID]["pair_limited"] == 1


async def test_pair_bucket_refills_one_per_interval(
    client: httpx.AsyncClient, sandbox: Sandbox, clock: Clock
) -> None:
    clock.freeze()
    sandbox.config.update({"pair_limit_burst": 2, "pair_limit_interval_s": 6.0})
    for _ in range(2):
        await client.post(MESSAGES, json=message())

    clock.advance(5.9)
    error_of(await client.post(MESSAGES, json=message()), 400, 131056)
    clock.advance(0.1)
    assert (await client.post(MESSAGES, json=message())).status_code == 200
    error_of(await client.post(MESSAGES, json=message()), 400, 131056)


async def test_zero_disables_limits(
    client: httpx.AsyncClient, sandbox: Sandbox, clock: Clock
) -> None:
    clock.freeze()
    sandbox.config.update({"rate_limit_mps": 0, "pair_limit_burst": 0})

    statuses = {(await client.post(MESSAGES, json=message())).status_code for _ in range(100)}

    assert statuses == {200}
    assert sandbox.stats()["per_phone_number"][PNID]["peak_mps"] == 100


async def test_default_limits_match_meta(sandbox: Sandbox) -> None:
    from sandbox import SandboxConfig

    config = SandboxConfig()
    assert (config.rate_limit_mps, config.pair_limit_burst, config.pair_limit_interval_s) == (
        80,
        45,
        6.0,
    )
