"""GraphiQL opens signed in with the development key — in development, when `wagraph serve`
made the key file, for a browser on this machine; never otherwise — and the banner links the
dashboard with that key in the URL's fragment."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from strawberry.http.ides import get_graphql_ide_html

from app.cli import serve
from app.graphiql import IDE_FETCHER, IDE_HEADERS, with_key
from app.server import create_app
from models import ApiKeyScope
from tests.conftest import make_settings
from whatsapp.access import api_keys

LOOPBACK = ("127.0.0.1", 51000)
ELSEWHERE = ("203.0.113.9", 51000)
DEFAULT_HEADERS = re.compile(r"const defaultHeaders = (\{.*?\});")


@pytest.fixture
async def dev_key_file(tmp_path: Path) -> tuple[Path, str]:
    """What `wagraph serve` leaves in development: an admin key in ./data/dev-api-key."""
    _, key = await api_keys.create_api_key(name="development", scope=ApiKeyScope.ADMIN)
    path = tmp_path / "dev-api-key"
    path.write_text(key + "\n")
    return path, key


@asynccontextmanager
async def ide(
    db: str, sandbox_url: str, environment: str, client: tuple[str, int], **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    # Production's other requirements (real secrets) are not what is tested here.
    settings = make_settings(db, sandbox_url, graphiql=True, **overrides).model_copy(
        update={"environment": environment}
    )
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            yield http


async def graphiql(http: httpx.AsyncClient) -> httpx.Response:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    return page


def injected_headers(page: httpx.Response) -> dict[str, str]:
    found = DEFAULT_HEADERS.search(page.text)
    assert found is not None
    return json.loads(found.group(1))  # type: ignore[no-any-return]


async def test_development_graphiql_carries_the_key_and_the_key_works(
    db: str, sandbox_url: str, dev_key_file: tuple[Path, str]
) -> None:
    path, key = dev_key_file
    async with ide(db, sandbox_url, "development", LOOPBACK, dev_api_key_file=str(path)) as http:
        # when
        page = await graphiql(http)

        # then: queries, introspection (docs, autocomplete) and subscriptions carry it
        assert injected_headers(page) == {"Authorization": f"Bearer {key}"}
        assert "wsConnectionParams: defaultHeaders" in page.text
        assert page.headers["cache-control"] == "no-store"  # a page holding a key
        # and what GraphiQL sends first, the introspection query, is answered
        introspection = await http.post(
            "/graphql",
            json={"query": "{ __schema { queryType { name } } }"},
            headers=injected_headers(page),
        )
        assert introspection.status_code == 200
        assert introspection.json()["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize(
    ("environment", "client"),
    [
        ("production", LOOPBACK),
        ("test", LOOPBACK),
        ("development", ELSEWHERE),  # bound to 0.0.0.0: another machine gets no key
    ],
)
async def test_graphiql_carries_no_key_outside_local_development(
    db: str,
    sandbox_url: str,
    dev_key_file: tuple[Path, str],
    environment: str,
    client: tuple[str, int],
) -> None:
    path, key = dev_key_file
    async with ide(db, sandbox_url, environment, client, dev_api_key_file=str(path)) as http:
        page = await graphiql(http)
    assert key not in page.text
    assert injected_headers(page) == {}
    assert "cache-control" not in page.headers


@pytest.mark.parametrize("content", [None, "", "not-a-wagraph-key\n"])
async def test_graphiql_carries_no_key_without_a_key_file(
    db: str, sandbox_url: str, tmp_path: Path, content: str | None
) -> None:
    path = tmp_path / "dev-api-key"
    if content is not None:
        path.write_text(content)
    async with ide(db, sandbox_url, "development", LOOPBACK, dev_api_key_file=str(path)) as http:
        page = await graphiql(http)
    assert injected_headers(page) == {}


def test_strawberrys_page_still_has_the_shape_the_key_is_filled_into() -> None:
    # Fails when an upgrade of strawberry changes its GraphiQL template: adapt IDE_HEADERS.
    html = get_graphql_ide_html("graphiql")
    assert html.count(IDE_HEADERS) == 1
    assert html.count(IDE_FETCHER) == 1


def test_a_key_cannot_close_the_script_it_is_written_into() -> None:
    html = with_key(get_graphql_ide_html("graphiql"), "wag_</script><script>alert(1)//")
    assert "</script><script>alert(1)" not in html
    assert '"Bearer wag_\\u003c/script>\\u003cscript>alert(1)//"' in html


def test_a_page_of_another_shape_is_served_as_is_and_said(
    caplog: pytest.LogCaptureFixture,
) -> None:
    html = "<html><script>const headers = {};</script></html>"
    with caplog.at_level(logging.WARNING, logger="wagraph.server"):
        assert with_key(html, "wag_abc") == html
    assert "the development key is not filled in" in caplog.text


# -- the banner ---------------------------------------------------------------------------------


def test_the_banner_links_the_dashboard_signed_in_through_the_fragment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings("sqlite://:memory:", "http://127.0.0.1:9", port=8123)
    serve.banner(settings, "wag_dev+key/1")
    out = capsys.readouterr().err
    # in the fragment, never the query: a browser does not send it, no log records it
    assert "dashboard: http://127.0.0.1:8123/dashboard#key=wag_dev%2Bkey%2F1" in out
    assert "?key=" not in out


def test_the_banner_links_the_plain_dashboard_without_a_key(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings("sqlite://:memory:", "http://127.0.0.1:9", port=8123)
    serve.banner(settings, None)
    assert "dashboard: http://127.0.0.1:8123/dashboard\n" in capsys.readouterr().err
    serve.banner(settings.model_copy(update={"dashboard_enabled": False}), "wag_x")
    assert "dashboard" not in capsys.readouterr().err
