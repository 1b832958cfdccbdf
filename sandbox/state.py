"""The `Sandbox`: all simulated Meta state behind one server, and its lifecycle."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.calls import CallRegistry
from sandbox.config import SandboxConfig
from sandbox.customer_seed import seed_customers
from sandbox.customers import CustomerRegistry
from sandbox.encryption_keys import EncryptionKeys
from sandbox.faults import FaultInjector
from sandbox.flow_messages import FlowsState
from sandbox.groups import GroupRegistry
from sandbox.ids import IdFactory
from sandbox.media import INBOUND_TTL_S, SEEDED_MEDIA, MediaStore
from sandbox.ratelimit import PairLimiter, ThroughputLimiter
from sandbox.recording import RecordedRequest, Stats
from sandbox.template_seed import seed_templates
from sandbox.templates import TemplateStore
from sandbox.webhooks import WebhookDispatcher
from sandbox.windows import ServiceWindows

if TYPE_CHECKING:
    from starlette.applications import Starlette

CONVERSATION_TTL_S = 24 * 3600


@dataclass(frozen=True, slots=True)
class KnownMessage:
    """A wamid the sandbox issued (outbound) or received (inbound), and its chat.

    `wa_id` is the chat key: the customer's number (hidden or not), a group id, or a BSUID
    nobody owns. Inbound messages also keep what a later edit or revoke needs: their type,
    content (the `<type>` object), when they were sent and whether they were revoked.
    """

    phone_number_id: str
    wa_id: str
    inbound: bool
    type: str | None = None
    content: dict[str, Any] | None = None
    sent_at: float = 0.0
    group_id: str | None = None
    revoked: bool = False


class Sandbox:
    """Holds the state of one simulated Cloud API; one per server.

    `clock` (unix seconds) drives rate limits, windows and media expiry; tests inject a fake one
    to step through time without sleeping.
    """

    def __init__(
        self, config: SandboxConfig | None = None, *, clock: Callable[[], float] | None = None
    ) -> None:
        self.config = config if config is not None else SandboxConfig()
        self.clock: Callable[[], float] = clock or time.time
        self.ids = IdFactory(self.config.seed)
        self.media = MediaStore(self.config.app_secret)
        self.templates = TemplateStore()
        self.customers = CustomerRegistry(self.config.waba_id)
        self.windows = ServiceWindows()
        self.throughput = ThroughputLimiter()
        self.pairs = PairLimiter()
        self.faults = FaultInjector(self.config, self.config.seed)
        self.webhooks = WebhookDispatcher(self.config)
        self.stats_counters = Stats()
        self.requests: list[RecordedRequest] = []
        self.messages: dict[str, KnownMessage] = {}
        self.conversations: dict[tuple[str, str, str], tuple[str, int]] = {}
        self.groups = GroupRegistry()
        self.calls = CallRegistry()
        self.encryption_keys = EncryptionKeys()  # §8.1: each number's business public key
        self.flows = FlowsState()  # what the simulated WhatsApp clients know of Flows
        self._app: Starlette | None = None
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the seeded state: no traffic, no faults queued, seeded windows/templates/media,
        no groups or calls, no business public keys and nothing the clients knew of Flows.

        Runtime config changes (`PUT /_sandbox/config`) are kept; pending webhook deliveries are
        cancelled, since they belong to the state being thrown away.
        """
        seed = self.config.seed
        self.webhooks.cancel_all()
        self.webhooks.reset_counters()
        self.ids.reseed(seed)
        self.faults.reset(seed)
        self.stats_counters.reset()
        self.requests.clear()
        self.messages.clear()
        self.conversations.clear()
        self.groups.clear()
        self.calls.clear()
        self.encryption_keys.clear()
        self.flows.clear()
        self.throughput.clear()
        self.pairs.clear()
        self.windows.reset(self.config.open_window_for)
        self.customers.clear()
        if self.config.seed_customers:
            for customer in seed_customers():
                self.customers.put(customer)
        self._seed_media()
        self.templates.clear()
        if self.config.seed_templates:
            for data in seed_templates():
                self.ids.reserve(data["id"])
                self.templates.put(data)

    def _seed_media(self) -> None:
        self.media.clear()
        now = self.clock()
        for media_id, mime, data, filename in SEEDED_MEDIA:
            self.ids.reserve(media_id)
            self.media.add(
                media_id,
                phone_number_id=self.config.default_phone_number_id,
                mime_type=mime,
                data=data,
                now=now,
                ttl_s=10 * 365 * 24 * 3600,
                filename=filename,
            )

    def app(self) -> Starlette:
        """The ASGI app serving this sandbox (built once)."""
        if self._app is None:
            from sandbox.app import build_app

            self._app = build_app(self)
        return self._app

    def release_holds(self) -> None:
        """Answer requests held by a `timeout` fault now (call before stopping a server)."""
        self.faults.release_holds()

    async def drain(self, timeout: float = 5.0) -> bool:  # noqa: ASYNC109 - the brief's API
        """Wait for every scheduled webhook delivery to finish; False on timeout."""
        return await self.webhooks.drain(timeout)

    async def aclose(self) -> None:
        """Release held requests, cancel pending webhook tasks, close the HTTP client."""
        self.release_holds()
        await self.webhooks.aclose()

    # -- helpers used by the routes --------------------------------------------------------

    def now(self) -> float:
        return self.clock()

    def post(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Deliver one webhook in the background (when a URL is set); returns the payload."""
        if self.config.webhook_url is not None:
            self.webhooks.send(payload)
        return payload

    def display_number(self, pnid: str) -> str:
        return self.config.phone_numbers[pnid]

    def media_kind(self, media_id: str) -> str | None:
        item = self.media.get(media_id, self.clock())
        return item.kind if item is not None else None

    def add_inbound_media(self, pnid: str, mime: str, data: bytes, filename: str | None) -> str:
        media_id = self.ids.numeric()
        self.media.add(
            media_id,
            phone_number_id=pnid,
            mime_type=mime,
            data=data,
            now=self.clock(),
            ttl_s=INBOUND_TTL_S,
            filename=filename,
        )
        return media_id

    def conversation(self, pnid: str, wa_id: str, origin: str, now: float) -> tuple[str, int]:
        """The open conversation of this kind with this customer (a new one when expired)."""
        key = (pnid, wa_id, origin)
        current = self.conversations.get(key)
        if current is None or current[1] <= now:
            current = (self.ids.hex(32), int(now) + CONVERSATION_TTL_S)
            self.conversations[key] = current
        return current

    def stats(self) -> dict[str, Any]:
        counters = self.stats_counters
        per_phone = {
            pnid: {
                "accepted": counters.phone(pnid).accepted,
                "peak_mps": self.throughput.peak(pnid),
                "rate_limited": counters.phone(pnid).rate_limited,
                "pair_limited": counters.phone(pnid).pair_limited,
            }
            for pnid in self.config.phone_numbers
        }
        return {
            "accepted": counters.accepted,
            "rejected": counters.rejected,
            "faulted": counters.faulted,
            "errors_by_code": {str(code): n for code, n in counters.errors_by_code.items()},
            "messages": {
                "accepted": counters.messages_accepted,
                "failed_later": counters.failed_later,
                "by_type": dict(counters.messages_by_type),
            },
            "per_phone_number": per_phone,
            "sends_per_recipient": dict(counters.sends_per_recipient),
            "sends_per_callback_data": dict(counters.sends_per_callback_data),
            "duplicate_callback_data": {
                data: n for data, n in counters.sends_per_callback_data.items() if n > 1
            },
            "webhooks": self.webhooks.stats(),
            "templates": len(self.templates),
            "media": len(self.media),
            "customers": len(self.customers),
            "groups": len(self.groups),
            "calls": len(self.calls.all()),
        }
