"""Subscriptions: live updates over graphql-transport-ws, after commit, from any process.

Each resolver resolves its filter once, subscribes to this process's hub (`app.state.live_hub`)
and maps what arrives. Read scope suffices; the key comes from `connection_init`.

The filter is resolved before the stream exists (a coroutine that returns the generator), so a
bad one fails the subscription as it starts: graphql-transport-ws answers with an `error`
message located at the field, with the code and field of a query's error
(`schema.extensions.WagraphErrorsInQueries`), never a stream that silently matches nothing.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any, TypeVar

import strawberry

from models import ApiKeyScope
from schema.context import Info
from schema.loaders import Loaders
from schema.permissions import NEEDS
from schema.subscriptions import (
    EventUpdate,
    LiveEventFilter,
    MessageUpdate,
    MessageUpdateFilter,
)
from schema.validation import CheckedArguments
from whatsapp.live import filters as live_filters
from whatsapp.live.hub import Hub, Match, Update

T = TypeVar("T")


async def _stream(info: Info, match: Match, of: Callable[[Update], T]) -> AsyncGenerator[T, None]:
    hub: Hub = info.context.request.app.state.live_hub
    subscription = hub.subscribe(match)
    try:
        async for update in subscription:
            # A connection lives long: fresh loaders per update, so relations are current and
            # the cache does not grow for the connection's lifetime.
            info.context.loaders = Loaders()
            yield of(update)
    finally:
        hub.unsubscribe(subscription)


def _id(value: strawberry.ID | None) -> str | None:
    return None if value is None else str(value)


async def message_updated(
    info: Info, filter: MessageUpdateFilter | None = None
) -> AsyncGenerator[MessageUpdate, None]:
    f = filter or MessageUpdateFilter()
    changes = frozenset(c.value for c in f.changes) if f.changes else None
    match = await live_filters.conditions(
        names=changes or frozenset(live_filters.MESSAGE_CHANGES),
        session_id=_id(f.session_id),
        contact_wa_id=f.contact_wa_id,
        message_id=_id(f.message_id),
    )
    return _stream(info, match, MessageUpdate.of)


async def session_timeline(
    info: Info, session_id: strawberry.ID
) -> AsyncGenerator[EventUpdate, None]:
    match = await live_filters.conditions(session_id=str(session_id))
    return _stream(info, match, EventUpdate.of)


async def events(
    info: Info, filter: LiveEventFilter | None = None
) -> AsyncGenerator[EventUpdate, None]:
    f = filter or LiveEventFilter()
    match = await live_filters.conditions(
        name=f.name,
        source=f.source,
        session_id=_id(f.session_id),
        contact_wa_id=f.contact_wa_id,
        message_id=_id(f.message_id),
    )
    return _stream(info, match, EventUpdate.of)


def _subscription(resolver: Callable[..., Any], *, description: str) -> Any:
    return strawberry.subscription(
        resolver=resolver,
        description=description,
        permission_classes=[NEEDS[ApiKeyScope.READ]],
        extensions=[CheckedArguments(lookup=True)],
    )


@strawberry.type(
    description="Live updates over graphql-transport-ws (the API key in connection_init): "
    "each committed change once, from whichever process applied it."
)
class Subscription:
    message_updated: MessageUpdate = _subscription(
        message_updated,
        description="A message was sent, delivered, read, failed, edited, deleted or received.",
    )
    session_timeline: EventUpdate = _subscription(
        session_timeline,
        description="Each new event of this session (its messages' changes included).",
    )
    events: EventUpdate = _subscription(events, description="Each new event matching the filter.")
