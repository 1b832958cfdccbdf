"""Logs an operator can read: a client's mistake is one INFO line without a traceback, a bug
one ERROR line with one; every line of a request carries its id, every line of a scheduled
send or a webhook delivery its id; JSON in production; secrets never appear."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.observability.logs import QUIET, QUIET_UNLESS_DEBUG, LogFormat, configure_logging
from app.settings_observability import Observability
from sandbox import Sandbox
from schema import observability as schema_observability
from tests.conftest import ACCESS_TOKEN, CUSTOMER, GraphQL
from tests.resolvers.test_messages_send import SEND
from tests.webhooks.test_whatsapp_webhook import sign
from whatsapp.kit import log_context
from whatsapp.kit.clock import utcnow
from whatsapp.messages import queries as message_queries
from whatsapp.messages import scheduling
from whatsapp.runtime import Runtime

pytestmark = pytest.mark.usefixtures("customer")

NAMED_SEND = SEND.replace("mutation Send(", "mutation GreetCustomer(")
MESSAGE = "query ShowMessage($id: ID!) { message(id: $id) { id text } }"


def content(body: str = "Hi") -> dict[str, Any]:
    return {"text": {"body": body}}


async def post(
    client: httpx.AsyncClient, key: str, query: str, variables: Any = None, **headers: str
) -> httpx.Response:
    return await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {key}", **headers},
    )


def worth_reading(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the server logged at INFO and above (not the test's own HTTP client)."""
    return [r for r in caplog.records if r.levelno >= logging.INFO and r.name != "httpx"]


@contextmanager
def configured(level: str, log_format: LogFormat, **options: Any) -> Iterator[io.StringIO]:
    """Logging as `configure_logging` sets it up, into a string; put back afterwards."""
    stream = io.StringIO()
    names = ["", *QUIET, *QUIET_UNLESS_DEBUG]
    levels = {name: logging.getLogger(name).level for name in names}
    handler = configure_logging(level, log_format=log_format, stream=stream, **options)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)
        for name, previous in levels.items():
            logging.getLogger(name).setLevel(previous)


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """Every log line as production writes it (JSON), at DEBUG, the token as a secret."""
    with configured("DEBUG", "json", secrets=[ACCESS_TOKEN]) as stream:
        yield stream


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


# -- client mistakes and bugs -------------------------------------------------------------------


async def test_a_bad_mutation_is_one_info_line_without_traceback(
    client: httpx.AsyncClient, write_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    response = await post(
        client,
        write_key,
        NAMED_SEND,
        {"input": {"to": "12", "content": content()}},
        **{"X-Request-Id": "req-bad-number"},
    )

    assert response.json()["data"]["sendMessage"]["errors"][0]["code"] == "INVALID_RECIPIENT"
    [record] = worth_reading(caplog)
    assert record.levelno == logging.INFO
    assert record.exc_info is None
    line = record.getMessage()
    assert "INVALID_RECIPIENT" in line
    assert "GreetCustomer" in line
    assert "req-bad-number" in line


@pytest.mark.parametrize(
    "document",
    [
        "query Broken { messages(first: 1) { totalCount ",  # a syntax error
        "query Unknown { nope }",  # a validation error
        "query Costly { "  # QUERY_TOO_COSTLY
        + " ".join(
            f"m{i}: messages(first: 100) {{ edges {{ node {{ id text }} }} }}" for i in range(30)
        )
        + " }",
    ],
    ids=["syntax", "validation", "cost"],
)
async def test_a_document_the_schema_refuses_is_one_info_line(
    client: httpx.AsyncClient, write_key: str, caplog: pytest.LogCaptureFixture, document: str
) -> None:
    caplog.set_level(logging.INFO)

    response = await post(client, write_key, document)

    assert response.json()["errors"]
    [record] = worth_reading(caplog)
    assert (record.name, record.levelno, record.exc_info) == ("wagraph.graphql", logging.INFO, None)
    error = response.json()["errors"][0]
    assert error.get("extensions", {}).get("code", "GRAPHQL_") in record.getMessage()


async def test_a_refused_permission_is_one_info_line(
    client: httpx.AsyncClient, read_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    response = await post(client, read_key, SEND, {"input": {"to": CUSTOMER, "content": content()}})

    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    [record] = worth_reading(caplog)
    assert (record.levelno, record.exc_info) == (logging.INFO, None)
    assert "FORBIDDEN" in record.getMessage()


@pytest.mark.parametrize("key", [None, "wag_not-a-key"])
async def test_a_request_without_a_valid_key_is_one_info_line(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, key: str | None
) -> None:
    caplog.set_level(logging.INFO)
    headers = {"Authorization": f"Bearer {key}"} if key else {}

    response = await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)

    assert response.status_code == 401
    [record] = worth_reading(caplog)
    assert (record.levelno, record.exc_info) == (logging.INFO, None)
    assert "401" in record.getMessage()
    assert response.headers["x-request-id"] in record.getMessage()


async def test_a_bug_is_one_error_line_with_its_traceback_and_the_id_the_client_got(
    client: httpx.AsyncClient,
    read_key: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: a query whose core function breaks
    async def broken(**_: Any) -> None:
        raise RuntimeError("the database said something odd")

    monkeypatch.setattr(message_queries, "get_message", broken)
    caplog.set_level(logging.INFO)

    # when
    response = await post(client, read_key, MESSAGE, {"id": "00000000-0000-0000-0000-000000000000"})

    # then: masked for the client, logged once with the same id
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "odd" not in error["message"]
    [record] = worth_reading(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert error["extensions"]["errorId"] in record.getMessage()
    assert "ShowMessage" in record.getMessage()


async def test_a_database_outage_is_one_warning_without_traceback_not_one_per_request(
    client: httpx.AsyncClient,
    read_key: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: the database refuses connections (as asyncpg says it), for two requests
    async def unreachable(**_: Any) -> None:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    monkeypatch.setattr(message_queries, "get_message", unreachable)
    monkeypatch.setattr(schema_observability, "_last_outage_line", [-1e9])
    caplog.set_level(logging.INFO)
    variables = {"id": "00000000-0000-0000-0000-000000000000"}

    # when
    first = await post(client, read_key, MESSAGE, variables)
    second = await post(client, read_key, MESSAGE, variables)

    # then: both requests get an error; the log has one WARNING line, no traceback
    assert first.json()["errors"] and second.json()["errors"]
    [record] = worth_reading(caplog)
    assert (record.levelno, record.exc_info) == (logging.WARNING, None)
    assert "database is unreachable" in record.getMessage()


# -- request ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("abc-123_DEF.456", True),
        ("has spaces", False),
        ('quote"s', False),
        ("x" * 129, False),
        (None, False),
    ],
)
async def test_a_sane_request_id_is_echoed_and_any_other_replaced(
    client: httpx.AsyncClient, sent: str | None, kept: bool
) -> None:
    headers = {"X-Request-Id": sent} if sent is not None else {}

    response = await client.get("/healthz", headers=headers)

    echoed = response.headers["x-request-id"]
    if kept:
        assert echoed == sent
    else:
        assert echoed != sent
        assert len(echoed) == 32 and echoed.isalnum()


async def test_every_line_of_a_send_carries_the_request_id_and_never_the_token(
    client: httpx.AsyncClient, write_key: str, lines: io.StringIO
) -> None:
    response = await post(
        client,
        write_key,
        SEND,
        {"input": {"to": CUSTOMER, "content": content()}},
        **{"X-Request-Id": "req-send-1"},
    )

    message_id = response.json()["data"]["sendMessage"]["message"]["id"]
    records = parsed(lines)
    [call] = [r for r in records if r["event"].startswith("cloud api POST")]
    assert call["request_id"] == "req-send-1"
    assert call["message_id"] == message_id
    assert call["logger"] == "whatsapp.cloud.client"
    assert {"timestamp", "level"} <= call.keys()
    assert ACCESS_TOKEN not in lines.getvalue()


async def test_a_secret_logged_by_mistake_is_redacted(lines: io.StringIO) -> None:
    logging.getLogger("wagraph.test").warning("oops, the token is %s", ACCESS_TOKEN)

    [record] = parsed(lines)
    assert ACCESS_TOKEN not in record["event"]
    assert "[redacted]" in record["event"]


async def test_a_scheduled_send_logs_with_its_message_id(
    client: httpx.AsyncClient, gql: GraphQL, lines: io.StringIO, sandbox: Sandbox
) -> None:
    # given: a message scheduled for later, now due
    when = utcnow() + timedelta(minutes=5)
    scheduled = await gql(
        SEND, {"input": {"to": CUSTOMER, "content": content(), "scheduleFor": when.isoformat()}}
    )
    message_id = scheduled["data"]["sendMessage"]["message"]["id"]
    rt: Runtime = client.app.state.runtime  # type: ignore[attr-defined]

    # when: the sweep sends it (as a worker does: no request around it)
    result = await scheduling.process_scheduled_messages(rt, now=when + timedelta(seconds=1))

    # then
    assert result.sent == 1
    calls = [r for r in parsed(lines) if r["event"].startswith("cloud api POST")]
    assert [r.get("message_id") for r in calls] == [message_id]
    assert "request_id" not in calls[0]


async def test_webhook_processing_logs_with_its_delivery_id_and_the_posts_request_id(
    client: httpx.AsyncClient, lines: io.StringIO
) -> None:
    # given: two deliveries, each POSTed with its own request id
    for n in (1, 2):
        body = json.dumps({"object": "whatsapp_business_account", "entry": [], "n": n}).encode()
        headers = {"X-Hub-Signature-256": sign(body), "X-Request-Id": f"req-webhook-{n}"}

        # when
        response = await client.post("/webhooks/whatsapp", content=body, headers=headers)
        await client.app.state.background.drain()  # type: ignore[attr-defined]
        assert response.status_code == 200

    # then: each processing line names its delivery and the request that brought it
    processed = [
        r
        for r in parsed(lines)
        if r["logger"] == "whatsapp.inbound.inbox" and "processed" in r["event"]
    ]
    assert [r["request_id"] for r in processed] == ["req-webhook-1", "req-webhook-2"]
    assert all(r["webhook_delivery_id"] in r["event"] for r in processed)


def test_console_lines_are_readable_with_the_ids() -> None:
    with configured("INFO", "console") as stream, log_context.bound(request_id="req-console"):
        logging.getLogger("wagraph.test").info("hello %s", "operator")

    line = stream.getvalue().strip()
    assert "hello operator" in line
    assert "request_id=req-console" in line
    assert not line.startswith("{")


@pytest.mark.parametrize(
    ("environment", "chosen", "expected"),
    [
        ("production", None, "json"),
        ("development", None, "console"),
        ("production", "console", "console"),
        ("development", "json", "json"),
    ],
)
def test_the_log_format_defaults_by_environment(
    environment: str, chosen: str | None, expected: str
) -> None:
    values = {"WAGRAPH_LOG_FORMAT": chosen} if chosen else {}
    settings = Observability(_env_file=None, **values)  # type: ignore[call-arg]

    assert settings.resolved_log_format(environment) == expected


def test_arq_says_only_what_went_wrong_unless_debugging() -> None:
    with configured("INFO", "json") as stream:
        logging.getLogger("arq.worker").info("  0.01s → cron:messages.sweep()")
        logging.getLogger("arq.worker").error("job failed")
        at_info = [r["event"] for r in parsed(stream)]
    with configured("DEBUG", "json") as stream:
        logging.getLogger("arq.worker").info("  0.01s → cron:messages.sweep()")
        at_debug = [r["event"] for r in parsed(stream)]

    assert at_info == ["job failed"]
    assert at_debug == ["  0.01s → cron:messages.sweep()"]
