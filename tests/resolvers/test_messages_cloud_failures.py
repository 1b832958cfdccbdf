"""Meta saying no: errors mapped and stored, retryable ones retried, permanent ones not."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models import MessageStatus, WhatsAppAnalyticsEvent, WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import GraphQL
from tests.resolvers.test_messages_send import SEND, graph_requests

pytestmark = pytest.mark.usefixtures("customer")

TEXT = {"to": "15551234567", "content": {"text": {"body": "hello"}}}


async def queue_faults(sandbox_url: str, *faults: dict[str, Any]) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{sandbox_url}/_sandbox/faults",
            json={"queue": list(faults), "path_contains": "/messages"},
        )
    response.raise_for_status()


@pytest.mark.parametrize(
    ("fault", "code", "error_code"),
    [
        ({"status": 400, "code": 131030}, 131030, "INVALID_RECIPIENT"),
        ({"status": 400, "code": 131009}, 131009, "CLOUD_API_ERROR"),
        ({"status": 400, "code": 132015}, 132015, "TEMPLATE_NOT_APPROVED"),
        ({"status": 401, "code": 190}, 190, "CLOUD_API_ERROR"),
    ],
)
async def test_permanent_meta_error_is_stored_and_not_retried(
    gql: GraphQL,
    sandbox: Sandbox,
    sandbox_url: str,
    fault: dict[str, Any],
    code: int,
    error_code: str,
) -> None:
    await queue_faults(sandbox_url, fault, fault)

    result = await gql(SEND, {"input": TEXT})

    payload = result["data"]["sendMessage"]
    assert payload["errors"] == [
        {
            "code": error_code,
            "message": payload["errors"][0]["message"],
            "field": None,
            "cloudApiCode": code,
        }
    ]
    assert payload["message"]["status"] == "FAILED"
    assert payload["message"]["errorCode"] == code
    assert payload["message"]["errorTitle"]
    assert sandbox.stats()["faulted"] == 1  # one attempt: the second queued fault is unused
    row = await WhatsAppMessage.get(id=payload["message"]["id"])
    assert (row.status, row.error_code, row.wamid) == (MessageStatus.FAILED, code, None)
    assert await WhatsAppAnalyticsEvent.filter(name="message.failed").count() == 1


async def test_retryable_errors_are_retried_until_meta_accepts(
    gql: GraphQL, sandbox: Sandbox, sandbox_url: str
) -> None:
    await queue_faults(
        sandbox_url,
        {"status": 503, "code": 131016},
        {"status": 500, "code": 131000},
        {"status": 400, "code": 130429},
    )

    result = await gql(SEND, {"input": TEXT})

    payload = result["data"]["sendMessage"]
    assert payload["errors"] == []
    assert payload["message"]["status"] == "SENT"
    assert sandbox.stats()["faulted"] == 3
    assert len(graph_requests(sandbox)) == 1  # accepted exactly once


async def test_a_timeout_is_retried(gql: GraphQL, sandbox: Sandbox, sandbox_url: str) -> None:
    await queue_faults(sandbox_url, {"kind": "timeout", "timeout_s": 5})

    result = await gql(SEND, {"input": TEXT})

    assert result["data"]["sendMessage"]["message"]["status"] == "SENT"
    assert len(graph_requests(sandbox)) == 1
    sandbox.release_holds()


async def test_retries_are_bounded(gql: GraphQL, sandbox: Sandbox, sandbox_url: str) -> None:
    await queue_faults(sandbox_url, *[{"status": 503, "code": 131016}] * 6)

    result = await gql(SEND, {"input": TEXT})

    payload = result["data"]["sendMessage"]
    assert payload["message"]["status"] == "FAILED"
    assert payload["errors"][0]["cloudApiCode"] == 131016
    assert sandbox.stats()["faulted"] == 4  # WAGRAPH_CLOUD_MAX_ATTEMPTS
    assert graph_requests(sandbox) == []
