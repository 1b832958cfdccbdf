"""OpenTelemetry: a webhook POST, its processing and the Graph API call form one trace; a send
is a Graph API client span without the token; with no exporter, tracing is off entirely."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.observability.traces import provider_with, start_tracing, stop_tracing
from tests.conftest import (
    ACCESS_TOKEN,
    CUSTOMER,
    PHONE_NUMBER_ID,
    GraphQL,
    make_settings,
    start_server,
    stop_server,
)
from tests.resolvers.test_messages_send import SEND
from tests.webhooks.test_whatsapp_webhook import post_webhook
from whatsapp.kit import tracing

pytestmark = pytest.mark.usefixtures("customer")

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = provider_with(exporter, "wagraph-test", batch=False)
    try:
        yield exporter
    finally:
        tracing.use_provider(None)
        provider.shutdown()


def named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == name]


def status_payload(wamid: str) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": PHONE_NUMBER_ID},
                            "statuses": [
                                {
                                    "id": wamid,
                                    "status": "delivered",
                                    "timestamp": "1700000000",
                                    "recipient_id": CUSTOMER,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


async def test_each_webhook_post_and_its_processing_are_one_trace(
    client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    for wamid in ("wamid.unknown-1", "wamid.unknown-2"):
        response = await post_webhook(client, status_payload(wamid))
        assert response.status_code == 200

    posts = named(spans, "POST /webhooks/whatsapp")
    processings = named(spans, "webhook processing")
    assert len(posts) == len(processings) == 2
    for post, processing in zip(posts, processings, strict=True):
        assert post.kind == SpanKind.SERVER
        assert post.attributes is not None and post.attributes["http.response.status_code"] == 200
        assert processing.parent is not None and post.context is not None
        assert processing.context is not None
        assert processing.context.trace_id == post.context.trace_id
        assert processing.parent.span_id == post.context.span_id
    assert posts[0].context.trace_id != posts[1].context.trace_id  # type: ignore[union-attr]


async def test_a_send_is_a_graph_api_client_span_under_its_request(
    client: httpx.AsyncClient, write_key: str, spans: InMemorySpanExporter
) -> None:
    # given: the caller's trace (a W3C traceparent)
    headers = {
        "Authorization": f"Bearer {write_key}",
        "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01",
    }

    # when
    response = await client.post(
        "/graphql",
        json={
            "query": SEND,
            "variables": {"input": {"to": CUSTOMER, "content": {"text": {"body": "Hi"}}}},
        },
        headers=headers,
    )

    # then: POST /graphql continues the caller's trace; the Graph API call is its child
    assert response.json()["data"]["sendMessage"]["message"]["status"] == "SENT"
    [request] = named(spans, "POST /graphql")
    [call] = named(spans, "POST messages")
    assert request.context is not None and call.context is not None and call.parent is not None
    assert format(request.context.trace_id, "032x") == TRACE_ID
    assert call.context.trace_id == request.context.trace_id
    assert call.kind == SpanKind.CLIENT
    attributes = dict(call.attributes or {})
    assert attributes["http.request.method"] == "POST"
    assert attributes["http.response.status_code"] == 200
    assert str(attributes["url.full"]).endswith(f"/{PHONE_NUMBER_ID}/messages")
    assert all(ACCESS_TOKEN not in str(v) for v in attributes.values())


async def test_a_graph_api_refusal_marks_its_span_failed(
    gql: GraphQL, sandbox_url: str, spans: InMemorySpanExporter
) -> None:
    async with httpx.AsyncClient(base_url=sandbox_url) as http:
        faults = {"queue": [{"kind": "error", "code": 131026}], "path_contains": "messages"}
        (await http.post("/_sandbox/faults", json=faults)).raise_for_status()

    await gql(SEND, {"input": {"to": CUSTOMER, "content": {"text": {"body": "Hi"}}}})

    [call] = named(spans, "POST messages")
    assert call.status.status_code == StatusCode.ERROR
    assert "131026" in (call.status.description or "")


async def test_without_an_exporter_nothing_is_traced(client: httpx.AsyncClient) -> None:
    assert not tracing.enabled()
    with tracing.span("anything") as span:
        assert span is None

    response = await client.get(
        "/healthz", headers={"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"}
    )

    assert response.status_code == 200


async def test_an_otlp_endpoint_gets_the_spans(db: str, sandbox_url: str) -> None:
    # given: a collector (anything answering POST /v1/traces) and OTEL_EXPORTER_OTLP_ENDPOINT
    received: list[bytes] = []

    async def collect(request: Request) -> Response:
        received.append(await request.body())
        return Response(b"", media_type="application/x-protobuf")

    collector = Starlette(routes=[Route("/v1/traces", collect, methods=["POST"])])
    server, task, url = await start_server(collector)
    settings = make_settings(db, sandbox_url, otel_endpoint=url)
    try:
        # when: tracing starts as the server starts it, a span ends, the exporter flushes
        provider = start_tracing(settings, "wagraph-test")
        assert provider is not None and tracing.enabled()
        with tracing.span("exported"):
            pass
        await asyncio.to_thread(stop_tracing)
    finally:
        await stop_server(server, task)

    # then: the collector got it, and tracing is off again
    assert received and b"exported" in received[0]
    assert not tracing.enabled()
