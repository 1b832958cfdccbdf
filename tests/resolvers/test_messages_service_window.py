"""The 24-hour rule: free-form content needs a customer message in the last 24 hours."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from models import WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import GraphQL, open_service_window
from tests.resolvers.test_messages_send import SEND, graph_requests
from tests.resolvers.test_messages_template_reaction_read import TEMPLATE
from whatsapp.kit.clock import utcnow

TEXT = {"to": "15557654321", "content": {"text": {"body": "hello"}}}


async def test_free_form_outside_the_window_is_refused_without_calling_meta(
    gql: GraphQL, sandbox: Sandbox
) -> None:
    result = await gql(SEND, {"input": TEXT})

    errors = result["data"]["sendMessage"]["errors"]
    assert errors[0]["code"] == "OUTSIDE_SERVICE_WINDOW"
    assert errors[0]["field"] == ["input", "to"]
    assert graph_requests(sandbox) == []
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 0


async def test_a_window_older_than_24_hours_is_closed(gql: GraphQL, sandbox: Sandbox) -> None:
    await open_service_window("15557654321", at=utcnow() - timedelta(hours=24, minutes=1))

    result = await gql(SEND, {"input": TEXT})

    assert result["data"]["sendMessage"]["errors"][0]["code"] == "OUTSIDE_SERVICE_WINDOW"


async def test_inside_the_window_free_form_is_sent(gql: GraphQL, sandbox: Sandbox) -> None:
    await open_service_window("15557654321", at=utcnow() - timedelta(hours=23))

    result = await gql(SEND, {"input": TEXT})

    assert result["data"]["sendMessage"]["errors"] == []
    assert len(graph_requests(sandbox)) == 1


async def test_templates_are_allowed_outside_the_window(gql: GraphQL, sandbox: Sandbox) -> None:
    result = await gql(
        TEMPLATE, {"input": {"to": "15557654321", "name": "hello_world", "language": "en_US"}}
    )

    assert result["data"]["sendTemplate"]["errors"] == []
    assert len(graph_requests(sandbox)) == 1


@pytest.fixture
def window_check_off(client: httpx.AsyncClient) -> Iterator[None]:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    runtime.enforce_service_window = False
    yield
    runtime.enforce_service_window = True


@pytest.mark.usefixtures("window_check_off")
async def test_the_pre_check_can_be_turned_off(gql: GraphQL, sandbox: Sandbox) -> None:
    result = await gql(SEND, {"input": TEXT})

    assert result["data"]["sendMessage"]["errors"] == []
    assert len(graph_requests(sandbox)) == 1
