"""GraphiQL in development opens signed in with the development key, so its schema docs and
autocomplete work on first load instead of answering 401 until someone pastes a header."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from starlette.requests import Request

from app.settings import Settings
from whatsapp.access import api_keys

log = logging.getLogger("wagraph.server")

# strawberry's GraphiQL page (static/graphiql.html) builds its fetcher from these headers,
# for queries, introspection and (as connection_init's payload) subscriptions.
IDE_HEADERS = "const defaultHeaders = {};"
IDE_FETCHER = "headers: defaultHeaders,"


def dev_ide_key(settings: Settings, request: Request) -> str | None:
    """The development key for the GraphiQL page, or None: only in development, only when
    `wagraph serve` made the key file, and only for a browser on this machine. The page is
    open without a key, so this hands an admin key to whoever loads it: acceptable for the
    development server, which binds to loopback by default and whose banner prints the same
    key; the loopback check keeps it so when someone binds development to 0.0.0.0."""
    client = request.client.host if request.client else ""
    if settings.environment != "development" or client not in ("127.0.0.1", "::1"):
        return None
    path = Path(settings.dev_api_key_file)
    key = path.read_text().strip() if path.is_file() else ""
    return key if api_keys.well_formed(key) else None


def with_key(html: str, key: str) -> str:
    """The page with `Authorization: Bearer <key>` in its fetcher's headers and websocket
    `connection_init`. If strawberry's template ever changes shape, the page is served as is
    (and a warning says why GraphiQL asks for a key again)."""
    if IDE_HEADERS not in html or IDE_FETCHER not in html:
        log.warning("GraphiQL's page changed shape: the development key is not filled in")
        return html
    headers = json.dumps({"Authorization": f"Bearer {key}"}).replace("<", "\\u003c")
    html = html.replace(IDE_HEADERS, f"const defaultHeaders = {headers};", 1)
    return html.replace(IDE_FETCHER, f"{IDE_FETCHER} wsConnectionParams: defaultHeaders,", 1)
