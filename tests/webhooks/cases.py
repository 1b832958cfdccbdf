"""The webhook corpus (`corpus/*.json`): Meta's 2026 payloads, one case per file, composed from
the reference (§7.3-7.5, §11.2, §11.5), posted signed to `/webhooks/whatsapp`.

Times are relative so a customer's 24-hour window is open when a test runs: a string
`"$now"` or `"$now-600"` becomes that Unix time (a string, as Meta writes message and status
timestamps; an integer in `user_preferences` items, as Meta writes those).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx

from tests.webhooks.test_whatsapp_webhook import post_webhook

CORPUS = Path(__file__).parent / "corpus"
_NOW = re.compile(r"\$now(?P<shift>[+-]\d+)?")


def load_case(name: str, now: int | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((CORPUS / f"{name}.json").read_text())
    return _resolve(payload, int(time.time()) if now is None else now, in_preferences=False)


async def post_case(client: httpx.AsyncClient, name: str, now: int | None = None) -> None:
    response = await post_webhook(client, load_case(name, now))
    assert response.status_code == 200, response.text


def _resolve(node: Any, now: int, *, in_preferences: bool) -> Any:
    if isinstance(node, dict):
        return {
            key: _resolve(value, now, in_preferences=in_preferences or key == "user_preferences")
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_resolve(item, now, in_preferences=in_preferences) for item in node]
    if isinstance(node, str) and (match := _NOW.fullmatch(node)):
        value = now + int(match["shift"] or 0)
        return value if in_preferences else str(value)
    return node
