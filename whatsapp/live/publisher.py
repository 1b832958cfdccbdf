"""After-commit publishing: the event log's subscriber that hands event ids on only once the
transaction that wrote them has committed.

`whatsapp.events.log` calls its subscribers inside the writer's transaction, where a rolled-back
write must publish nothing. So the hook only collects ids on the outermost transaction and
publishes them when that transaction's `commit` returns; a rollback drops them with the
transaction. (Tortoise has no on-commit hook: the transaction wrapper's `commit` is wrapped, on
that one wrapper object, for its lifetime.) A savepoint rolled back inside a transaction that
commits would still publish its ids: the hub re-reads committed rows by id, so those never
reach a subscriber.

Publishing is fire-and-forget: a sink that raises is logged and never fails the writer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient

from models import WhatsAppAnalyticsEvent

log = logging.getLogger(__name__)

Sink = Callable[[Sequence[str]], None]
"""Takes committed event ids; must not block (schedule the work) and should not raise."""

_sinks: list[Sink] = []
_PENDING = "_wagraph_live_pending"


def add_sink(sink: Sink) -> None:
    """Send committed event ids to `sink` from now on (a hub, or a Redis publisher)."""
    if sink not in _sinks:
        _sinks.append(sink)


def remove_sink(sink: Sink) -> None:
    if sink in _sinks:
        _sinks.remove(sink)


async def on_events_recorded(
    events: Sequence[WhatsAppAnalyticsEvent], conn: BaseDBAsyncClient
) -> None:
    """The event log subscriber (`app.runtime.subscribe_core`): ids now or after commit."""
    if not _sinks or not events:
        return
    ids = [str(event.id) for event in events]
    root = _outermost_transaction(conn)
    if root is None:  # autocommitted: already visible
        publish(ids)
        return
    pending: list[str] | None = getattr(root, _PENDING, None)
    if pending is None:
        pending = []
        setattr(root, _PENDING, pending)
        _publish_after_commit(root, pending)
    pending.extend(ids)


def _outermost_transaction(conn: BaseDBAsyncClient) -> TransactionalDBClient | None:
    """Nested transactions (savepoints) are wrappers whose `_parent` is the enclosing one."""
    node: Any = conn
    root: TransactionalDBClient | None = None
    while isinstance(node, TransactionalDBClient):
        root = node
        node = getattr(node, "_parent", None)
    return root


def _publish_after_commit(root: TransactionalDBClient, pending: list[str]) -> None:
    commit = root.commit

    async def commit_then_publish() -> None:
        await commit()
        publish(list(pending))
        pending.clear()

    setattr(root, "commit", commit_then_publish)  # noqa: B010 (an instance, not the class)


def publish(ids: Sequence[str]) -> None:
    """Hand committed ids to every sink; a failing sink is logged, never raised."""
    for sink in tuple(_sinks):
        try:
            sink(ids)
        except Exception:
            log.warning("live sink %r failed; %d ids not published", sink, len(ids), exc_info=True)
