"""What the browser tests share: the server under test, GraphQL and sandbox calls to set the
scene, and the screenshots they leave in docs/screenshots."""

from __future__ import annotations

import asyncio
import base64
import struct
import time
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from models import MessageDirection, WhatsAppContact, WhatsAppMessage, WhatsAppSession
from sandbox import Sandbox
from tests.conftest import PHONE_NUMBER_ID
from whatsapp.kit.clock import utcnow

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says what to install: a skip, or a failure in CI
    expect = None

ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / "docs" / "screenshots"
DISPLAY_NUMBER = "15550783881"
DEADLINE_S = 10.0

SEND = """mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { message { id wamid status } errors { code field message } }
}"""
SEND_TEMPLATE = """mutation($input: SendTemplateInput!) {
  sendTemplate(input: $input) { message { id wamid status } errors { code field message } }
}"""
SESSIONS = "{ sessions(first: 1) { edges { node { id } } } }"
MESSAGE = "query($id: ID!) { message(id: $id) { id status wamid } }"


class Dashboard:
    """wagraph on a socket, the sandbox behind it, and the key the test signs in with."""

    def __init__(self, app: Starlette, url: str, sandbox: Sandbox, sandbox_url: str) -> None:
        self.app = app
        self.url = url
        self.sandbox = sandbox
        self.sandbox_url = sandbox_url
        self.key = ""

    def link(self, route: str = "") -> str:
        """The sign-in link `make run` prints (`#key=…`: in the fragment, never the query), or
        one that opens a screen (`#/sessions/<id>?key=…`)."""
        if not route:
            return f"{self.url}/dashboard#key={self.key}"
        return f"{self.url}/dashboard{route}{'&' if '?' in route else '?'}key={self.key}"

    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.url, timeout=DEADLINE_S) as http:
            response = await http.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers={"Authorization": f"Bearer {self.key}"},
            )
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]

    async def control(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        """A `/_sandbox` control call; its webhooks are applied before this returns."""
        async with httpx.AsyncClient(base_url=self.sandbox_url, timeout=DEADLINE_S) as http:
            response = await http.request(method, f"/_sandbox{path}", json=body)
        assert response.status_code == 200, response.text
        await self.settle()
        return response.json()

    async def settle(self) -> None:
        """Every webhook the sandbox scheduled is posted and applied by the server."""
        await self.sandbox.drain(DEADLINE_S)
        await self.app.state.background.drain()

    async def customer_writes(self, number: str, text: str, name: str) -> str:
        """The customer sends a text: their window opens and a session starts; its id."""
        await self.control(
            "POST",
            f"/customers/{number}/messages",
            {"type": "text", "text": {"body": text}, "customer": {"profile_name": name}},
        )
        return await self.latest_session()

    async def wrote_long_ago(self, session_id: str, hours: float = 30) -> None:
        """Move the customer's messages of this session `hours` back: its window closes."""
        then = utcnow() - timedelta(hours=hours)
        session = await WhatsAppSession.get(id=session_id)
        inbound = WhatsAppMessage.filter(
            contact_id=session.contact_id, direction=MessageDirection.INBOUND
        )
        await inbound.update(received_at=then, created_at=then)
        await WhatsAppSession.filter(id=session_id).update(last_inbound_at=then, started_at=then)
        await WhatsAppContact.filter(id=session.contact_id).update(last_inbound_at=then)

    async def customer_sends_photo(self, number: str, caption: str) -> None:
        """The customer sends a picture (a small PNG): the media stays at the sandbox (Meta)."""
        image = {"data_base64": base64.b64encode(png()).decode(), "mime_type": "image/png"}
        await self.control(
            "POST",
            f"/customers/{number}/messages",
            {"type": "image", "image": image | {"caption": caption}},
        )

    async def latest_session(self) -> str:
        """The session updated last (a customer who hides their number has no waId to find)."""
        data = await self.gql(SESSIONS)
        [edge, *_] = data["sessions"]["edges"]
        return str(edge["node"]["id"])

    async def send_text(self, to: str, body: str, session_id: str | None = None) -> dict[str, Any]:
        content = {"text": {"body": body}}
        session = {"id": session_id} if session_id else None
        data = await self.gql(SEND, {"input": {"to": to, "content": content, "session": session}})
        assert data["sendMessage"]["errors"] == [], data
        await self.settle()
        return data["sendMessage"]["message"]

    async def send_template(self, to: str, name: str = "hello_world", **params: Any) -> str:
        data = await self.gql(
            SEND_TEMPLATE, {"input": {"to": to, "name": name, "language": "en_US", **params}}
        )
        assert data["sendTemplate"]["errors"] == [], data
        await self.settle()
        return str(data["sendTemplate"]["message"]["id"])

    async def message_status(self, message_id: str) -> str:
        data = await self.gql(MESSAGE, {"id": message_id})
        return str(data["message"]["status"])

    async def customer_reads(self, wamid: str, to: str) -> None:
        """Meta's `read` status for a message, posted (signed) by the sandbox as Meta would."""
        status = {
            "id": wamid,
            "status": "read",
            "timestamp": str(int(time.time()) + 2),
            "recipient_id": to,
        }
        value = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": DISPLAY_NUMBER,
                "phone_number_id": PHONE_NUMBER_ID,
            },
            "statuses": [status],
        }
        await self.control("POST", "/webhooks/raw", {"field": "messages", "value": value})

    async def subscribers(self, count: int) -> None:
        """Wait until exactly `count` subscriptions are registered on the server (0: the pages
        of earlier tests are gone; then the page's own, once it subscribed)."""
        hub = self.app.state.live_hub
        deadline = asyncio.get_running_loop().time() + DEADLINE_S
        while hub.subscribers != count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{hub.subscribers} subscriptions, not {count}")
            await asyncio.sleep(0.02)


async def screenshot(page: Any, name: str, *, top: bool = False) -> Path:
    """The screen as the test left it (the viewport; `top`: scrolled to the top), for the
    README."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    if top:
        await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path


def png(width: int = 240, height: int = 150) -> bytes:
    """A small PNG: a parcel (a brown box with a tape stripe) on a light background."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            inside = 60 <= x < 180 and 30 <= y < 120
            tape = inside and 112 <= x < 128
            row += bytes((214, 170, 110) if tape else (160, 110, 60) if inside else (235, 240, 245))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )
