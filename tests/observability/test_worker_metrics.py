"""A worker's metrics port (WAGRAPH_WORKER_METRICS_PORT): opened with the worker, behind the
same token as the server's /metrics, closed with it; a port in use is one line, not a crash."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import httpx
import pytest

from app.observability.worker_metrics import start_worker_metrics
from jobs.worker import shutdown, startup
from tests.conftest import make_settings

METRICS_TOKEN = "scrape-secret-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_a_worker_opens_its_metrics_port_and_closes_it_on_shutdown(
    db: str, sandbox_url: str
) -> None:
    # given: a worker configured with a metrics port and a token
    port = free_port()
    settings = make_settings(
        db, sandbox_url, worker_metrics_port=port, metrics_token=METRICS_TOKEN, redis_url=None
    )
    ctx: dict[str, Any] = {"settings": settings, "stopping": asyncio.Event(), "redis": None}
    url = f"http://127.0.0.1:{port}/metrics"

    # when: it starts, is scraped, stops
    await startup(ctx)
    try:
        async with httpx.AsyncClient() as http:
            scrape = await http.get(url, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    finally:
        await shutdown(ctx)

    # then: the scrape had the worker's counters, and the port is free again
    assert scrape.status_code == 200
    assert "wagraph_sends_total" in scrape.text
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not a listener
        again.bind(("127.0.0.1", port))


async def test_the_worker_serves_its_own_metrics_behind_the_same_token() -> None:
    # given: a worker's metrics port (an ephemeral one here)
    server = start_worker_metrics("127.0.0.1", 0, METRICS_TOKEN)
    assert server is not None
    url = f"http://127.0.0.1:{server.port}/metrics"
    try:
        # when
        async with httpx.AsyncClient() as http:
            refused = await http.get(url)
            allowed = await http.get(url, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    finally:
        await asyncio.to_thread(server.stop)

    # then
    assert refused.status_code == 401
    assert allowed.status_code == 200
    assert "wagraph_sends_total" in allowed.text


def test_a_worker_metrics_port_in_use_is_one_line_and_no_crash(
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = start_worker_metrics("127.0.0.1", 0, None)
    assert first is not None
    try:
        second = start_worker_metrics("127.0.0.1", first.port, None)
    finally:
        first.stop()

    assert second is None
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "WAGRAPH_WORKER_METRICS_PORT" in errors[0].getMessage()
    assert errors[0].exc_info is None
