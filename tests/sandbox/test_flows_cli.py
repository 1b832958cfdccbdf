"""`python -m sandbox flows run|ping`: the demo's one command, against a sandbox and a Flows
endpoint on real sockets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox import Sandbox, SandboxServer
from sandbox.flows_cli import main
from tests.sandbox.conftest import (
    BOOKING,
    FLOW_TOKEN,
    OPEN_CUSTOMER,
    SECRET,
    TOKEN,
    make_config,
    quiet_config,
    send_flow,
    start_server,
    stop_server,
    upload_key,
)
from tests.sandbox.flow_endpoint import FlowsEndpoint


@pytest.fixture
async def served(
    endpoint_server: FlowsEndpoint, key_a: rsa.RSAPrivateKey
) -> AsyncIterator[tuple[str, FlowsEndpoint]]:
    """A sandbox on a socket whose flows_endpoint is the test endpoint; the flow was sent."""
    base = endpoint_server.url.rsplit("/", 1)[0]
    sandbox = Sandbox(make_config(flows_endpoint=base + "/{flow}"))
    server = SandboxServer(quiet_config(sandbox.app()), sandbox)
    task, port = await start_server(server)
    url = f"http://127.0.0.1:{port}"
    endpoint_server.reset(SECRET)
    endpoint_server.keys.append(key_a)
    endpoint_server.tokens.add(FLOW_TOKEN)
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, trust_env=False
    ) as http:
        await upload_key(http, key_a)
        await send_flow(http)
    yield url, endpoint_server
    await stop_server(server, task)


async def test_run_walks_the_customer_through_and_prints_each_screen(
    served: tuple[str, FlowsEndpoint], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = served
    argv = ["run", "booking", "--sandbox", url, "--customer", OPEN_CUSTOMER]

    code = await asyncio.to_thread(main, [*argv, "--script", json.dumps(BOOKING)])

    out = capsys.readouterr().out
    assert code == 0
    assert "INIT" in out
    assert "← 200 DATES" in out
    assert "completed on SUCCESS" in out
    assert "completion webhook wamid." in out


async def test_run_json_and_exit_status_when_the_endpoint_stops_the_flow(
    served: tuple[str, FlowsEndpoint], capsys: pytest.CaptureFixture[str]
) -> None:
    url, endpoint = served
    endpoint.closed.add(FLOW_TOKEN)

    code = await asyncio.to_thread(
        main, ["run", "booking", "--customer", OPEN_CUSTOMER, "--json", "--sandbox", url]
    )

    assert code == 1
    assert json.loads(capsys.readouterr().out)["status"] == "token_invalid"


async def test_ping_and_a_refused_request(
    served: tuple[str, FlowsEndpoint], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = served

    healthy = await asyncio.to_thread(main, ["ping", "booking", "--sandbox", url])
    refused = await asyncio.to_thread(main, ["run", "--sandbox", url, "--customer", "@nobody"])

    captured = capsys.readouterr()
    assert healthy == 0
    assert "healthy" in captured.out
    assert refused == 2
    assert "no customer" in captured.err
