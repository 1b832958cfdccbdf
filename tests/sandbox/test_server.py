"""The sandbox under a real uvicorn server: HTTP round trip, lifespan close, held requests."""

from __future__ import annotations

import asyncio

import httpx

from sandbox import Sandbox, SandboxServer, create_app, make_server
from tests.sandbox.conftest import (
    MESSAGES,
    TOKEN,
    Receiver,
    make_config,
    message,
    quiet_config,
    signature_ok,
    start_server,
    stop_server,
    wait_for,
)


async def test_create_app_exposes_its_sandbox() -> None:
    app = create_app(make_config())

    sandbox = app.state.sandbox
    assert isinstance(sandbox, Sandbox)
    assert sandbox.app() is app
    await sandbox.aclose()


async def test_make_server_wires_a_fresh_sandbox() -> None:
    server = make_server(make_config(), port=0, log_level="warning")

    assert isinstance(server, SandboxServer)
    assert server.config.app is server.sandbox.app()
    await server.sandbox.aclose()


async def test_real_http_round_trip_and_lifespan_close(receiver: Receiver) -> None:
    # given
    sandbox = Sandbox(make_config(webhook_url=receiver.url))
    server = SandboxServer(quiet_config(sandbox.app()), sandbox)
    task, port = await start_server(server)
    base = f"http://127.0.0.1:{port}"

    # when
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, trust_env=False
    ) as http:
        sent = await http.post(MESSAGES, json=message())
        meta = (await http.get("/v23.0/1013859600285441")).json()
        download = await http.get(meta["url"])
        await wait_for(lambda: len(receiver.deliveries) == 3)
    assert not sandbox.webhooks.is_closed
    await stop_server(server, task)

    # then
    assert sent.status_code == 200
    assert meta["url"].startswith(base)
    assert download.status_code == 200
    assert all(signature_ok(d) for d in receiver.deliveries)
    assert sandbox.webhooks.is_closed  # the lifespan closed the shared client


async def test_shutdown_answers_held_requests(receiver: Receiver) -> None:
    # given: a request held by a 30 s timeout fault
    sandbox = Sandbox(make_config(fault_timeout_s=30.0))
    server = SandboxServer(quiet_config(sandbox.app()), sandbox)
    task, port = await start_server(server)
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        trust_env=False,
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as http:
        await http.post("/_sandbox/faults", json={"queue": [{"kind": "timeout"}]})
        held = asyncio.ensure_future(http.post(MESSAGES, json=message()))
        await wait_for(lambda: sandbox.faults.holding == 1)

        # when
        started = loop.time()
        await stop_server(server, task)
        response = await held

    # then
    assert loop.time() - started < 5
    assert response.status_code == 504


async def test_a_standalone_sandbox_keeps_its_heap_out_of_full_collections() -> None:
    # The records a long run accumulates are moved to the collector's permanent generation,
    # so a full collection does not stop the loop long enough to bunch the arrivals the rate
    # window counts (bench/flush.py at 100,000 sends).
    import gc

    from sandbox.app import keep_heap_frozen

    gc.unfreeze()
    records = [{"json": {"n": n}} for n in range(1000)]
    keeper = asyncio.create_task(keep_heap_frozen(every_s=0.01))
    try:
        for _ in range(500):
            if gc.get_freeze_count() >= len(records):
                break
            await asyncio.sleep(0.01)
        assert gc.get_freeze_count() >= len(records)
    finally:
        keeper.cancel()
        gc.unfreeze()  # give the test process its collector back
