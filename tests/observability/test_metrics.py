"""`/metrics`: what an operator's Prometheus scrapes — sends by status and Meta code, Graph API
latency, rate-limit waits, GraphQL latency by operation, the backlog — and who may scrape it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from app.observability import http as observability_http
from app.server import create_app
from models import MessageStatus, WebhookDelivery, WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import CUSTOMER, GraphQL, make_settings
from tests.resolvers.test_messages_send import SEND
from whatsapp.kit.clock import utcnow
from whatsapp.kit.metrics import BoundedLabel
from whatsapp.messages import scheduling

pytestmark = pytest.mark.usefixtures("customer")

METRICS_TOKEN = "scrape-secret-0123456789"
NAMED_SEND = SEND.replace("mutation Send(", "mutation SendFromTest(")


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scraped(text: str) -> dict[str, float]:
    """Each sample of a scrape, as `name{label="value",...}` → value."""
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


async def send_text(gql: GraphQL, document: str = SEND) -> dict[str, Any]:
    result = await gql(document, {"input": {"to": CUSTOMER, "content": {"text": {"body": "Hi"}}}})
    payload: dict[str, Any] = result["data"]["sendMessage"]
    return payload


@pytest.fixture
async def guarded_client(db: str, sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An app whose /metrics needs WAGRAPH_METRICS_TOKEN."""
    app = create_app(make_settings(db, sandbox_url, metrics_token=METRICS_TOKEN))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://wagraph") as client:
            yield client


async def test_a_send_is_counted_with_its_graph_api_latency_and_rate_limit_wait(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given
    sent = value("wagraph_sends_total", status="sent", meta_code="")
    calls = value("wagraph_graph_api_request_seconds_count", endpoint="messages", outcome="ok")
    waits = value("wagraph_rate_limit_wait_seconds_count")

    # when
    payload = await send_text(gql)
    response = await client.get("/metrics")

    # then: one more of each, on the scrape a Prometheus reads (text format, no API key needed)
    assert payload["message"]["status"] == "SENT"
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = scraped(response.text)
    assert samples['wagraph_sends_total{meta_code="",status="sent"}'] == sent + 1
    key = 'wagraph_graph_api_request_seconds_count{endpoint="messages",outcome="ok"}'
    assert samples[key] == calls + 1
    assert samples["wagraph_rate_limit_wait_seconds_count"] == waits + 1


async def test_a_send_meta_refuses_is_counted_with_metas_code(
    gql: GraphQL, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given: Meta refuses the next message with 131026 (undeliverable)
    failed = value("wagraph_sends_total", status="failed", meta_code="131026")
    async with httpx.AsyncClient(base_url=sandbox_url) as http:
        faults = {"queue": [{"kind": "error", "code": 131026}], "path_contains": "messages"}
        (await http.post("/_sandbox/faults", json=faults)).raise_for_status()

    # when
    payload = await send_text(gql)

    # then
    assert payload["message"]["status"] == "FAILED"
    assert value("wagraph_sends_total", status="failed", meta_code="131026") == failed + 1
    assert value("wagraph_graph_api_request_seconds_count", endpoint="messages", outcome="error")


async def test_graphql_latency_is_by_operation_name_and_errors_by_code(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given
    named = value(
        "wagraph_graphql_request_seconds_count", operation="SendFromTest", type="mutation"
    )
    anonymous = value("wagraph_graphql_request_seconds_count", operation="anonymous", type="query")
    invalid = value("wagraph_graphql_errors_total", code="INVALID_RECIPIENT")
    validation = value("wagraph_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED")

    # when: a named mutation, an anonymous query, a refused number, a document that is invalid
    await send_text(gql, NAMED_SEND)
    await gql("{ messages(first: 1) { totalCount } }")
    await gql(SEND, {"input": {"to": "12", "content": {"text": {"body": "Hi"}}}})
    await client.post(
        "/graphql", json={"query": "{ nope }"}, headers={"Authorization": f"Bearer {gql.key}"}
    )

    # then
    assert value(
        "wagraph_graphql_request_seconds_count", operation="SendFromTest", type="mutation"
    ) == (named + 1)
    # the invalid document is an (anonymous) query too: refused requests are timed as well
    assert value("wagraph_graphql_request_seconds_count", operation="anonymous", type="query") == (
        anonymous + 2
    )
    assert value("wagraph_graphql_errors_total", code="INVALID_RECIPIENT") == invalid + 1
    assert value("wagraph_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == (
        validation + 1
    )


def test_operation_names_are_bounded() -> None:
    names = BoundedLabel(limit=3)

    kept = [names(f"Op{i}") for i in range(5)]

    assert kept == ["Op0", "Op1", "Op2", "other", "other"]
    assert names("Op1") == "Op1"  # a name already seen stays
    assert names(None) == names("") == "anonymous"
    assert names("not a name; DROP") == "other"
    assert names("x" * 65) == "other"


async def test_the_backlog_gauges_count_due_scheduled_messages_and_pending_deliveries(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: a scheduled message ten minutes late, one not due, and a delivery not processed
    payload = await send_text(gql)
    message = await WhatsAppMessage.get(id=payload["message"]["id"])
    late = utcnow() - timedelta(minutes=10)
    await WhatsAppMessage.filter(id=message.id).update(
        status=MessageStatus.SCHEDULED, next_attempt_at=late, scheduled_for=late
    )
    await _scheduled_copy(message, utcnow() + timedelta(hours=1))
    delivery = await WebhookDelivery.create(dedupe_key="a" * 64, body="{}")
    await WebhookDelivery.filter(id=delivery.id).update(created_at=utcnow() - timedelta(minutes=3))

    # when
    samples = scraped((await client.get("/metrics")).text)

    # then
    assert samples["wagraph_backlog_up"] == 1
    assert samples["wagraph_scheduled_due"] == 1
    assert 600 <= samples["wagraph_scheduled_lateness_seconds"] < 660
    assert samples["wagraph_webhook_inbox_pending"] == 1
    assert 180 <= samples["wagraph_webhook_inbox_oldest_age_seconds"] < 240


async def _scheduled_copy(message: WhatsAppMessage, when: Any) -> None:
    await WhatsAppMessage.create(
        direction=message.direction,
        type=message.type,
        status=MessageStatus.SCHEDULED,
        phone_number_id=message.phone_number_id,
        customer_wa_id=message.customer_wa_id,
        text="later",
        next_attempt_at=when,
        scheduled_for=when,
    )


async def test_a_database_that_does_not_answer_does_not_hang_the_scrape(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given: backlog queries that never finish, and a short bound
    async def never() -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(observability_http, "read_backlog", never)
    endpoint = next(
        r.endpoint  # type: ignore[attr-defined]
        for r in client.app.routes  # type: ignore[attr-defined]
        if getattr(r, "path", "") == "/metrics"
    )
    monkeypatch.setattr(endpoint.__self__, "db_timeout_s", 0.05)

    # when
    response = await asyncio.wait_for(client.get("/metrics"), 5)

    # then: the counters are there, the backlog says it is missing, and one line says why
    samples = scraped(response.text)
    assert response.status_code == 200
    assert samples["wagraph_backlog_up"] == 0
    assert "wagraph_scheduled_due" not in samples
    assert "wagraph_sends_total" in response.text
    assert [r.levelno for r in caplog.records if r.name == "wagraph.metrics"] == [logging.WARNING]


async def test_metrics_need_the_token_when_one_is_set(guarded_client: httpx.AsyncClient) -> None:
    missing = await guarded_client.get("/metrics")
    wrong = await guarded_client.get("/metrics", headers={"Authorization": "Bearer nope"})
    right = await guarded_client.get(
        "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )

    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert missing.json()["error"] == "unauthorized"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert METRICS_TOKEN not in missing.text
    assert "wagraph_sends_total" in right.text


async def test_a_scheduled_send_meta_asks_to_retry_is_counted_as_retried(
    client: httpx.AsyncClient, gql: GraphQL, sandbox_url: str
) -> None:
    # given: a scheduled message, and Meta answering 503 (131016, "try again later") once
    when = utcnow() + timedelta(minutes=5)
    await gql(
        SEND,
        {
            "input": {
                "to": CUSTOMER,
                "content": {"text": {"body": "Later"}},
                "scheduleFor": when.isoformat(),
            }
        },
    )
    retried = value("wagraph_sends_total", status="retried", meta_code="131016")
    async with httpx.AsyncClient(base_url=sandbox_url) as http:
        faults = {"queue": [{"status": 503, "code": 131016}], "path_contains": "messages"}
        (await http.post("/_sandbox/faults", json=faults)).raise_for_status()
    rt = client.app.state.runtime  # type: ignore[attr-defined]

    # when: the sweep tries it
    result = await scheduling.process_scheduled_messages(rt, now=when + timedelta(seconds=1))

    # then
    assert result.retried == 1
    assert value("wagraph_sends_total", status="retried", meta_code="131016") == retried + 1
