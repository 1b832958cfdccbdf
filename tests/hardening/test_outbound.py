"""Automation webhooks reach only public addresses unless the operator allows more, and their
failures tell a read key nothing about which internal ports are open."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from app.settings import Settings
from models import AutomationRunStatus, WhatsAppAutomationRun
from tests.conftest import GraphQL, start_server, stop_server
from tests.whatsapp.automations.allow import allowing
from tests.whatsapp.automations.factories import (
    contact_event,
    make_automation,
    run_once,
    shipped_event,
)
from whatsapp.automations import outbound, runner
from whatsapp.automations.egress import EgressPolicy, blocked_kind
from whatsapp.runtime import Runtime


@dataclass
class Target:
    """An internal HTTP service: a webhook receiver, a redirect, an endless answer."""

    hits: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    endless_sent: int = 0
    base: str = ""

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            self.hits.append((request.url.path, dict(request.headers)))
            return Response("ok")

        async def redirect(request: Request) -> Response:
            self.hits.append((request.url.path, dict(request.headers)))
            return RedirectResponse(request.query_params["to"], status_code=307)

        async def endless(request: Request) -> Response:
            async def chunks() -> AsyncIterator[bytes]:
                # Until the client hangs up (uvicorn would take the rest silently).
                while not await request.is_disconnected():
                    self.endless_sent += 65536
                    yield b"x" * 65536

            return StreamingResponse(chunks(), status_code=400)

        methods = ["GET", "POST"]
        return Starlette(
            routes=[
                Route("/hook", hook, methods=methods),
                Route("/internal", hook, methods=methods),
                Route("/redirect", redirect, methods=methods),
                Route("/endless", endless, methods=methods),
            ]
        )


@pytest.fixture(scope="module")
async def target_server() -> AsyncIterator[Target]:
    target = Target()
    server, task, url = await start_server(target.app())
    target.base = url
    try:
        yield target
    finally:
        await stop_server(server, task)


@pytest.fixture
def target(target_server: Target) -> Target:
    target_server.hits.clear()
    return target_server


@pytest.fixture
def rt(client: httpx.AsyncClient) -> Runtime:
    return client.app.state.runtime  # type: ignore[attr-defined, no-any-return]


def port_of(target: Target) -> int:
    return int(target.base.rsplit(":", 1)[1])


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def deliver(rt: Runtime, url: str, **config: Any) -> WhatsAppAutomationRun:
    await make_automation(
        trigger="order.shipped", actions=[{"type": "webhook", "url": url, **config}]
    )
    await shipped_event()
    return await run_once(rt)


# -- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "fd00:ec2::254",
        "100.100.100.200",
        "169.254.1.1",
        "fe80::1",
        "fc00::1",
        "0.0.0.0",
        "::",
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
        "255.255.255.255",
        "100.64.0.1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",
        "64:ff9b::a00:1",
    ],
)
def test_internal_addresses_are_refused(address: str) -> None:
    assert blocked_kind(ipaddress.ip_address(address)) is not None
    assert EgressPolicy().literal_refusal(address) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert EgressPolicy().literal_refusal(address) is None


def test_the_allow_list_names_networks_addresses_and_hosts() -> None:
    policy = EgressPolicy.parse(["10.20.0.0/16", "::1", "hooks.internal", "*.corp.example", ""])

    assert policy.refusal("x", ipaddress.ip_address("10.20.3.4")) is None
    assert policy.refusal("x", ipaddress.ip_address("::ffff:10.20.3.4")) is None
    assert policy.refusal("x", ipaddress.ip_address("10.21.0.1")) is not None
    assert policy.refusal("x", ipaddress.ip_address("::1")) is None
    assert policy.refusal("Hooks.Internal", ipaddress.ip_address("10.0.0.9")) is None
    assert policy.refusal("a.corp.example", ipaddress.ip_address("192.168.0.9")) is None
    assert policy.refusal("corp.example.evil", ipaddress.ip_address("192.168.0.9")) is not None


def test_a_malformed_allow_list_stops_the_start_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WAGRAPH_OUTBOUND_ALLOW", "10.0.0.0/8, not a host!")

    with pytest.raises(ValidationError, match="WAGRAPH_OUTBOUND_ALLOW"):
        Settings(_env_file=None)  # type: ignore[call-arg]


# -- delivering -------------------------------------------------------------------------------


async def test_a_local_service_is_refused_by_default_and_reached_once_allowed(
    rt: Runtime, target: Target
) -> None:
    # given: a receiver on this machine, named by a host name that resolves to it
    url = f"http://localhost:{port_of(target)}/hook"

    # when: delivered with the default policy
    refused = await deliver(rt, url, maxAttempts=1)

    # then: nothing reached it; only the operator's detail says why
    assert refused.status == AutomationRunStatus.FAILED
    assert target.hits == []
    assert refused.error == "Action 1 (webhook): Webhook delivery failed"
    reason = refused.results[0]["detail"]["operator"]["reason"]
    assert reason.startswith("refused: localhost resolves to ")
    assert "loopback address" in reason

    # and when the operator allows it (by name or by address), it is delivered
    for allowed in (("localhost",), ("127.0.0.0/8", "::1")):
        await WhatsAppAutomationRun.all().delete()
        with allowing(*allowed):
            await shipped_event()
            delivered = await run_once(rt)
        assert delivered.status == AutomationRunStatus.SUCCEEDED, delivered.results
    assert [path for path, _ in target.hits] == ["/hook", "/hook"]


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://127.0.0.1:6379/",
        "http://[::ffff:127.0.0.1]:5432/",
        "https://10.0.0.5/hook",
        "http://0.0.0.0:8000/",
    ],
)
async def test_an_internal_address_in_the_url_is_refused_when_saved(gql: GraphQL, url: str) -> None:
    result = await gql(
        """mutation($input: CreateAutomationInput!) {
             createAutomation(input: $input) { automation { id } errors { code field message } }
           }""",
        {
            "input": {
                "name": "probe",
                "trigger": "order.*",
                "actions": [{"type": "webhook", "url": url}],
            }
        },
    )

    [error] = result["data"]["createAutomation"]["errors"]
    assert error["code"] == "INVALID_INPUT"
    assert error["field"][-3:] == ["actions", "0", "url"]
    assert "WAGRAPH_OUTBOUND_ALLOW" in error["message"]


async def test_an_address_taken_off_the_allow_list_is_refused_when_connecting(
    rt: Runtime, target: Target
) -> None:
    with allowing("127.0.0.1"):
        await make_automation(
            trigger="order.shipped",
            actions=[{"type": "webhook", "url": f"{target.base}/hook", "maxAttempts": 1}],
        )
    await shipped_event()

    run = await run_once(rt)

    assert run.status == AutomationRunStatus.FAILED
    assert target.hits == []
    assert run.results[0]["detail"]["operator"]["reason"] == (
        "refused: 127.0.0.1 resolves to 127.0.0.1 is a loopback address"
    )


async def test_the_connection_goes_to_the_address_checked_with_the_host_header_kept(
    rt: Runtime, target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a name only our resolver knows (the system's would fail), resolving once to an
    # allowed address; a second lookup (DNS rebinding) would answer an internal one
    answers = [["127.0.0.1"], ["10.9.9.9"]]
    looked_up: list[str] = []

    async def resolver(host: str, port: int, **_: Any) -> list[Any]:
        looked_up.append(host)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in answers.pop(0)
        ]

    monkeypatch.setattr(outbound.anyio, "getaddrinfo", resolver)
    url = f"http://rebind.test:{port_of(target)}/hook"

    # when
    with allowing("127.0.0.1"):
        run = await deliver(rt, url, maxAttempts=1)

    # then: one lookup, the socket opened to what it answered, the name kept in Host
    assert run.status == AutomationRunStatus.SUCCEEDED, run.results
    assert looked_up == ["rebind.test"]
    [(path, headers)] = target.hits
    assert path == "/hook"
    assert headers["host"] == f"rebind.test:{port_of(target)}"


async def test_a_name_that_also_resolves_inside_is_refused(
    rt: Runtime, target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def resolver(host: str, port: int, **_: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in ("93.184.215.14", "127.0.0.1")
        ]

    monkeypatch.setattr(outbound.anyio, "getaddrinfo", resolver)

    run = await deliver(rt, f"http://mixed.test:{port_of(target)}/hook", maxAttempts=1)

    assert run.status == AutomationRunStatus.FAILED
    assert target.hits == []
    assert "127.0.0.1 is a loopback address" in run.results[0]["detail"]["operator"]["reason"]


async def test_redirects_are_not_followed(rt: Runtime, target: Target) -> None:
    # given: an allowed receiver that redirects to an internal address
    internal = f"http://localhost:{port_of(target)}/internal"

    with allowing("127.0.0.1"):
        run = await deliver(rt, f"{target.base}/redirect?to={internal}", maxAttempts=1)

    # then: the redirect is the answer; the internal address was never asked
    assert run.status == AutomationRunStatus.FAILED
    assert [path for path, _ in target.hits] == ["/redirect"]
    assert run.results[0]["detail"]["operator"]["reason"] == "answered HTTP 307"


async def test_an_endless_answer_is_read_only_up_to_the_bound(target: Target) -> None:
    with allowing("127.0.0.1"):
        async with outbound.guarded_client() as http:
            delivery = await outbound.post(http, f"{target.base}/endless", b"{}", {}, 10.0)

    assert delivery.status == 400  # answered, not timed out reading an endless body
    assert delivery.excerpt is not None and len(delivery.excerpt) <= outbound.EXCERPT_CHARS
    # what the server managed to write before we hung up: our bound plus socket buffers
    assert target.endless_sent < 64 * 1024 * 1024


async def test_unix_sockets_are_never_reached() -> None:
    backend = outbound.GuardedBackend(EgressPolicy.parse(["127.0.0.1"]))

    with pytest.raises(outbound.AddressRefused):
        await backend.connect_unix_socket("/var/run/docker.sock")


# -- what a run tells ---------------------------------------------------------------------------

RUNS = """query { automationRuns(first: 10) { edges { node {
  status error results
} } } }"""


async def test_a_read_key_cannot_tell_a_closed_port_from_a_refused_address(
    rt: Runtime,
    client: httpx.AsyncClient,
    read_key: str,
    write_key: str,
    admin_key: str,
    target: Target,
) -> None:
    # given: one webhook to a closed port (allowed), one to an open port (refused)
    closed, refused = f"http://127.0.0.1:{closed_port()}/hook", f"{target.base}/hook"
    with allowing("127.0.0.1"):
        await make_automation(name="closed", trigger="probe.closed", actions=[_probe(closed)])
        await make_automation(name="refused", trigger="probe.refused", actions=[_probe(refused)])
        await contact_event("probe.closed")
        assert await runner.run_pending(rt) == 1
    await contact_event("probe.refused")
    assert await runner.run_pending(rt) == 1

    # when: each key reads the run log
    shown = {
        scope: await _runs(GraphQL(client, key))
        for scope, key in (("read", read_key), ("write", write_key), ("admin", admin_key))
    }

    # then: read and write keys see the same two runs; the admin sees why each failed
    assert target.hits == []
    for scope in ("read", "write"):
        first, second = shown[scope]
        assert (
            first
            == second
            == {
                "status": "FAILED",
                "error": "Action 1 (webhook): Webhook delivery failed",
                "results": [
                    {"type": "webhook", "ok": False, "detail": {"error": "Webhook delivery failed"}}
                ],
            }
        )
    reasons = sorted(run["results"][0]["detail"]["operator"]["reason"] for run in shown["admin"])
    assert reasons[0].startswith("could not connect")
    assert reasons[1].startswith("refused: 127.0.0.1 resolves to 127.0.0.1")


def _probe(url: str) -> dict[str, Any]:
    return {"type": "webhook", "url": url, "maxAttempts": 2, "timeoutSeconds": 2}


async def _runs(gql: GraphQL) -> list[dict[str, Any]]:
    result = await gql(RUNS)
    runs = [edge["node"] for edge in result["data"]["automationRuns"]["edges"]]
    for run in runs:
        for entry in run["results"]:
            entry.pop("durationMs", None)
    return runs
