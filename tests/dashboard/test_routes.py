"""The dashboard's routes: the page and its files open without a key, each answer with a
strict Content-Security-Policy and the other security headers, cached only as the files
allow; `/` leads to it; `WAGRAPH_DASHBOARD=false` takes all of it away."""

from __future__ import annotations

import httpx
import pytest

from tests.hardening.test_cost_limits import app_with

SECURITY_HEADERS = {
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


def policy(response: httpx.Response) -> dict[str, str]:
    """The CSP as {directive: sources}."""
    parts = (
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_guarded(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = policy(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no host
    assert csp["style-src"] == "'self'"
    assert csp["img-src"] == "'self' blob: data:"
    assert csp["media-src"] == "'self' blob:"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["form-action"] == "'self'"


async def test_the_page_needs_no_key_and_carries_the_security_headers(
    client: httpx.AsyncClient,
) -> None:
    # when: a browser opens the dashboard, no Authorization header
    page = await client.get("/dashboard")

    # then
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text
    assert_guarded(page)
    assert page.headers["cache-control"] == "no-cache"
    # the live updates' websocket, to this host only, for browsers whose 'self' omits ws:
    assert policy(page)["connect-src"] == "'self' ws://wagraph wss://wagraph"


async def test_a_host_header_unfit_for_the_policy_is_left_out_of_it(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/dashboard", headers={"Host": "evil.example; script-src *"})
    assert page.status_code == 200
    assert policy(page)["connect-src"] == "'self'"
    assert "evil" not in page.headers["content-security-policy"]


async def test_assets_are_cached_but_revalidated_by_their_etag(client: httpx.AsyncClient) -> None:
    # given: any file under dashboard/static is an asset (index.html is always there)
    first = await client.get("/dashboard/assets/index.html")
    assert first.status_code == 200
    assert_guarded(first)
    assert first.headers["cache-control"] == "public, no-cache"
    etag = first.headers["etag"]

    # when: the browser revalidates its copy
    again = await client.get("/dashboard/assets/index.html", headers={"If-None-Match": etag})

    # then: unchanged, nothing is sent again
    assert again.status_code == 304
    assert again.content == b""


async def test_a_missing_asset_is_404_with_the_same_headers(client: httpx.AsyncClient) -> None:
    missing = await client.get("/dashboard/assets/no-such-file.js")
    assert missing.status_code == 404
    assert_guarded(missing)
    escaping = await client.get("/dashboard/assets/%2e%2e/routes.py")
    assert escaping.status_code == 404


@pytest.mark.parametrize("path", ["/", "/dashboard/"])
async def test_the_root_and_the_trailing_slash_lead_to_the_dashboard(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 307
    assert response.headers["location"] == "/dashboard"


async def test_graphql_still_needs_a_key(client: httpx.AsyncClient) -> None:
    # the dashboard's routes are open; the gate in front of /graphql is not
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_dashboard_turned_off_is_not_there(db: str, sandbox_url: str) -> None:
    async with app_with(db, sandbox_url, dashboard_enabled=False) as client:
        for path in ("/", "/dashboard", "/dashboard/", "/dashboard/assets/index.html"):
            response = await client.get(path)
            assert response.status_code == 404, path
            assert "content-security-policy" not in response.headers
