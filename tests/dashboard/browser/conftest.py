"""The dashboard in a real browser: Debian's Chromium driven by Playwright (no browser
download), against a real wagraph server on a socket with the sandbox as Meta.

One server and one browser serve the whole session (each test gets a fresh browser context, a
fresh key and empty tables); the database is the suite's (SQLite, or PostgreSQL with
DATABASE_URL) and live updates go through Redis when REDIS_URL is set.

Without Chromium (or the playwright package) the tests skip, saying what to install; with
WAGRAPH_REQUIRE_SERVICES set (CI) they fail instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.server import create_app
from sandbox import Sandbox
from tests.conftest import make_settings, start_server, stop_server
from tests.dashboard.browser.helpers import Dashboard

CHROMIUM = Path(os.environ.get("WAGRAPH_CHROMIUM", "/usr/bin/chromium"))
VIEWPORT = {"width": 1280, "height": 800}
# Chromium logs every HTTP error answer to fetch(); the tests provoke some on purpose.
EXPECTED_CONSOLE = ("Failed to load resource",)


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    return None


@pytest.fixture(scope="session")
def chromium() -> Path:
    problem = missing_browser()
    if problem:
        if os.environ.get("WAGRAPH_REQUIRE_SERVICES"):
            pytest.fail(f"browser tests cannot run: {problem}", pytrace=False)
        pytest.skip(f"browser tests skipped: {problem}")
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium))
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture(scope="session")
async def server(db: str, sandbox_server: tuple[Sandbox, str]) -> AsyncIterator[Dashboard]:
    """wagraph on a free port; Redis (a channel and queue of its own) when REDIS_URL is set."""
    sandbox, sandbox_url = sandbox_server
    redis_url = os.environ.get("REDIS_URL") or None
    suffix = secrets.token_hex(4)
    settings = make_settings(
        db,
        sandbox_url,
        redis_url=redis_url,
        live_channel=f"wagraph:test:live:{suffix}",
        queue_name=f"wagraph:test:{suffix}",
    )
    app = create_app(settings)
    handle = await start_server(app)
    try:
        yield Dashboard(app, handle[2], sandbox, sandbox_url)
    finally:
        await stop_server(handle[0], handle[1])
        if redis_url:
            from tests.workers import forget_queue

            await forget_queue(redis_url, suffix)


@pytest.fixture
async def dashboard(
    server: Dashboard, sandbox: Sandbox, admin_key: str
) -> AsyncIterator[Dashboard]:
    """The server with a fresh sandbox posting its webhooks to it, synced templates, and an
    admin key (the dashboard's key in every test). The sandbox's knobs are put back after."""
    knobs = sandbox.config.public()
    sandbox.config.update({"webhook_url": f"{server.url}/webhooks/whatsapp", "read_receipts": True})
    server.key = admin_key
    synced = await server.gql("mutation { syncTemplates { errors { message } } }")
    assert synced["syncTemplates"]["errors"] == []
    yield server
    sandbox.config.update(
        {name: knobs[name] for name in ("webhook_url", "read_receipts", "status_delays_s")}
    )


@pytest.fixture
async def page(browser: Any, dashboard: Dashboard) -> AsyncIterator[Any]:
    """A fresh browser context at 1280x800; the test fails on any script error of the page."""
    context = await browser.new_context(viewport=VIEWPORT, base_url=dashboard.url)
    page = await context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def console(message: Any) -> None:
        if message.type == "error" and not message.text.startswith(EXPECTED_CONSOLE):
            problems.append(f"console error: {message.text}")

    page.on("console", console)
    try:
        yield page
    finally:
        await context.close()
    assert problems == [], problems
