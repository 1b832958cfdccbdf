"""graphql-transport-ws with a current key: a socket's rights follow its key while it is open.

A socket authenticates once, at `connection_init` (or with the upgrade request's header), and
may stay open for days. Without more, a key revoked or down-scoped meanwhile would keep its
rights on it. So the key is re-checked (through the process's `KeyCache`, so mostly without a
query) before every new operation and every `interval_s` while the socket is open: a new
scope replaces the old one in the socket's context (in-flight and later operations see it),
and a revoked or expired key ends every operation and closes the socket with 4401.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from schema.context import Context
from whatsapp.access.cache import KeyCache

log = logging.getLogger("wagraph.server")

REVOKED_CODE = 4401
REVOKED_REASON = "API key revoked or expired"
MIN_INTERVAL_S = 0.2


class KeyCheckingHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """The view (`GraphQLApp`) gives the cache (`keys`) and the re-check interval."""

    async def handle(self) -> None:
        watcher = asyncio.create_task(self._watch())
        try:
            await super().handle()
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and not await self._key_is_current():
            return
        await super().handle_subscribe(message)

    async def _watch(self) -> None:
        view: Any = self.view
        interval = max(float(view.keys.ttl_s), MIN_INTERVAL_S)
        while True:
            await asyncio.sleep(interval)
            if not self.connection_acknowledged:
                continue
            try:
                if not await self._key_is_current():
                    return
            except Exception as exc:  # the database away: keep the socket, try again
                log.warning("websocket key re-check failed (%s); retrying", exc)

    async def _key_is_current(self) -> bool:
        """Refresh the context's key; False (and the socket closed) once it is refused."""
        held = self.context.api_key
        if held is None:
            return True  # not authenticated yet: connection_init decides
        keys: KeyCache = self.view.keys  # type: ignore[attr-defined]
        current = await keys.current(held)
        if current is not None:
            self.context.api_key = current
            return True
        log.info("closing a websocket of key %s: revoked or expired", held.prefix)
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        with contextlib.suppress(Exception):
            await self.websocket.close(code=REVOKED_CODE, reason=REVOKED_REASON)
        return False
