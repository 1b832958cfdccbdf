"""DataLoaders, built per request, so a page of N messages costs one query per relation."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection
from tortoise.models import Model

from models import (
    WhatsAppAutomation,
    WhatsAppContact,
    WhatsAppContactIdentity,
    WhatsAppGroup,
    WhatsAppGroupReceipt,
    WhatsAppMessage,
    WhatsAppMessageStatus,
    WhatsAppSession,
    WhatsAppTemplate,
)
from whatsapp.calls import queries as call_queries
from whatsapp.conversations import consent, session_queries, timeline
from whatsapp.conversations.timeline import TimelinePage
from whatsapp.kit.paging import Count, Page
from whatsapp.kit.rows import by_ids
from whatsapp.messages import queries as message_queries
from whatsapp.messages.statuses import status_histories

M = TypeVar("M", bound=Model)
P = TypeVar("P", Page[Any], TimelinePage)
PageKey = tuple[uuid.UUID, int | None, str | None]
"""A page under one parent: (the parent's id, first, after)."""
FetchPages = Callable[..., Awaitable[dict[uuid.UUID, P]]]
FetchCounts = Callable[[Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, Count]]]
MessageStatusRow = WhatsAppMessageStatus | WhatsAppGroupReceipt


def node_fields(info: Info[Any, Any]) -> frozenset[str]:
    """The fields a connection field asks of each node (`edges { node { … } }`, through
    fragments): a page whose nodes ask for no JSON document can leave those columns unread.

    Worked out once per field of the query and request: a page of 50 sessions asks it of
    each session's timeline, and strawberry builds `selected_fields` anew at every call."""
    key = id(info._raw_info.field_nodes[0])  # the query's own node: one per field and request
    loaders = getattr(info.context, "loaders", None)
    memo: dict[int, frozenset[str]] = loaders.node_fields if isinstance(loaders, Loaders) else {}
    if key not in memo:
        memo[key] = frozenset(_node_fields(info.selected_fields))
    return memo[key]


def _node_fields(selected: Sequence[Selection]) -> set[str]:
    names: set[str] = set()
    for connection in _fields(selected):
        for edges in _fields(connection.selections):
            for node in _fields(edges.selections) if edges.name == "edges" else ():
                if node.name == "node":
                    names |= {field.name for field in _fields(node.selections)}
    return names


MESSAGE_JSON_FIELDS = frozenset(
    {"content", "metadata", "payload", "pricing", "revisions", "to", "from"}
)
"""The Message fields that read a JSON column (a group send's recipient is in its payload)."""
SESSION_JSON_FIELDS = frozenset({"context", "flowState"})
"""The Session fields that read its `context` (a Flow's whole journey)."""
EVENT_JSON_FIELDS = frozenset({"properties"})
"""The Event fields that read its JSON column."""


def lean_messages(info: Info[Any, Any]) -> bool:
    """Whether a page of messages may leave their JSON columns unread: none of its nodes'
    fields reads them (a 50-row page on PostgreSQL then reads in a half to a third of the
    time)."""
    return not node_fields(info) & MESSAGE_JSON_FIELDS


def lean_sessions(info: Info[Any, Any]) -> bool:
    """Whether a page of sessions may leave their `context` unread."""
    return not node_fields(info) & SESSION_JSON_FIELDS


def lean_events(info: Info[Any, Any]) -> bool:
    """Whether a page of events may leave their `properties` unread."""
    return not node_fields(info) & EVENT_JSON_FIELDS


def lean_timeline(info: Info[Any, Any]) -> bool:
    """Whether a page of a timeline may leave the JSON of its messages and events unread: its
    nodes' fields (both types' fragments together) read none of them. A page of 50 sessions
    with 20 entries each then decodes in about half the time."""
    return not node_fields(info) & (MESSAGE_JSON_FIELDS | EVENT_JSON_FIELDS)


def unread_is_none(row: Model, column: str) -> Any:
    """A column of `row`, or None when a lean page left it unread (no field asked for it)."""
    return getattr(row, column, None)


def _fields(selections: Sequence[Selection]) -> list[SelectedField]:
    """The fields of a selection, those of its fragments included."""
    found: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            found.append(selection)
        elif isinstance(selection, FragmentSpread | InlineFragment):
            found += _fields(selection.selections)
    return found


def by_id_loader(model: type[M]) -> DataLoader[uuid.UUID, M | None]:
    """Whole rows by id, decoded without Tortoise's per-row machinery (`whatsapp.kit.rows`):
    a page of 50 sessions loads its 50 contacts here."""

    async def load(keys: Sequence[uuid.UUID]) -> list[M | None]:
        rows = await by_ids(model, keys)
        return [rows.get(key) for key in keys]

    return DataLoader(load_fn=load)


def contact_identities_loader() -> DataLoader[uuid.UUID, list[WhatsAppContactIdentity]]:
    """Every id of each contact (a page of contacts: one query)."""

    async def load(keys: Sequence[uuid.UUID]) -> list[list[WhatsAppContactIdentity]]:
        rows = await WhatsAppContactIdentity.filter(contact_id__in=list(keys)).order_by(
            "created_at", "id"
        )
        found: dict[Any, list[WhatsAppContactIdentity]] = {key: [] for key in keys}
        for row in rows:
            found.setdefault(row.contact_id, []).append(row)
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


def message_statuses_loader() -> DataLoader[uuid.UUID, list[MessageStatusRow]]:
    """Every status of each message, in the order they happened (a page of messages: one
    query)."""

    async def load(keys: Sequence[uuid.UUID]) -> list[list[MessageStatusRow]]:
        found = await status_histories(list(keys))
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


class Relation(Generic[P]):
    """A paged relation under each parent of a page (a session's messages, a contact's
    timeline): the parents asking for the same (first, after) are read in one statement,
    and their totalCounts in one more."""

    def __init__(self, fetch_pages: FetchPages[P], fetch_counts: FetchCounts) -> None:
        self._fetch_pages: FetchPages[P] = fetch_pages
        self._fetch_counts = fetch_counts
        self.pages: DataLoader[PageKey, P] = DataLoader(load_fn=self._load_pages)
        self.counts: DataLoader[uuid.UUID, Count] = DataLoader(load_fn=self._load_counts)

    async def load(self, parent: uuid.UUID, first: int | None, after: str | None) -> P:
        return await self.pages.load((parent, first, after))

    async def _load_pages(self, keys: Sequence[PageKey]) -> list[P | BaseException]:
        groups: dict[tuple[int | None, str | None], list[uuid.UUID]] = {}
        for parent, first, after in keys:
            groups.setdefault((first, after), []).append(parent)
        found: dict[PageKey, P | BaseException] = {}
        for (first, after), parents in groups.items():
            try:
                pages = await self._fetch_pages(parents, first=first, after=after)
            except Exception as error:  # a bad cursor or size fails the fields that gave it
                found.update({(parent, first, after): error for parent in parents})
                continue
            for parent, page in pages.items():
                counter = partial(self.counts.load, parent)
                found[(parent, first, after)] = replace(page, counter=counter)
        return [found[key] for key in keys]

    async def _load_counts(self, keys: Sequence[uuid.UUID]) -> list[Count]:
        counts = await self._fetch_counts(list(keys))
        return [counts[key] for key in keys]


def _relation(fetch_pages: FetchPages[P], fetch_counts: FetchCounts) -> Callable[[], Relation[P]]:
    return lambda: Relation(fetch_pages, fetch_counts)


@dataclass(slots=True)
class Loaders:
    node_fields: dict[int, frozenset[str]] = field(default_factory=dict)
    """`node_fields` of each connection field of the request, by its query node."""
    message: DataLoader[uuid.UUID, WhatsAppMessage | None] = field(
        default_factory=lambda: by_id_loader(WhatsAppMessage)
    )
    contact: DataLoader[uuid.UUID, WhatsAppContact | None] = field(
        default_factory=lambda: by_id_loader(WhatsAppContact)
    )
    session: DataLoader[uuid.UUID, WhatsAppSession | None] = field(
        default_factory=lambda: by_id_loader(WhatsAppSession)
    )
    template: DataLoader[uuid.UUID, WhatsAppTemplate | None] = field(
        default_factory=lambda: by_id_loader(WhatsAppTemplate)
    )
    automation: DataLoader[uuid.UUID, WhatsAppAutomation | None] = field(
        default_factory=lambda: by_id_loader(WhatsAppAutomation)
    )
    contact_identities: DataLoader[uuid.UUID, list[WhatsAppContactIdentity]] = field(
        default_factory=contact_identities_loader
    )
    group: DataLoader[uuid.UUID, WhatsAppGroup | None] = field(
        default_factory=lambda: by_id_loader(WhatsAppGroup)
    )
    message_statuses: DataLoader[uuid.UUID, list[MessageStatusRow]] = field(
        default_factory=message_statuses_loader
    )
    session_messages: Relation[Page[Any]] = field(
        default_factory=_relation(
            partial(message_queries.messages_under, "session_id"),
            partial(message_queries.message_counts, "session_id"),
        )
    )
    contact_messages: Relation[Page[Any]] = field(
        default_factory=_relation(
            partial(message_queries.messages_under, "contact_id"),
            partial(message_queries.message_counts, "contact_id"),
        )
    )
    contact_sessions: Relation[Page[Any]] = field(
        default_factory=_relation(
            session_queries.sessions_of_contacts, session_queries.session_counts
        )
    )
    # The same relations without their JSON documents, for pages that show none of them.
    session_messages_lean: Relation[Page[Any]] = field(
        default_factory=_relation(
            partial(message_queries.messages_under, "session_id", lean=True),
            partial(message_queries.message_counts, "session_id"),
        )
    )
    contact_messages_lean: Relation[Page[Any]] = field(
        default_factory=_relation(
            partial(message_queries.messages_under, "contact_id", lean=True),
            partial(message_queries.message_counts, "contact_id"),
        )
    )
    contact_sessions_lean: Relation[Page[Any]] = field(
        default_factory=_relation(
            partial(session_queries.sessions_of_contacts, lean=True),
            session_queries.session_counts,
        )
    )
    session_timeline: Relation[TimelinePage] = field(
        default_factory=_relation(
            partial(timeline.timelines, "session_id"),
            partial(timeline.timeline_counts, "session_id"),
        )
    )
    contact_timeline: Relation[TimelinePage] = field(
        default_factory=_relation(
            partial(timeline.timelines, "contact_id"),
            partial(timeline.timeline_counts, "contact_id"),
        )
    )
    session_timeline_lean: Relation[TimelinePage] = field(
        default_factory=_relation(
            partial(timeline.timelines, "session_id", lean=True),
            partial(timeline.timeline_counts, "session_id"),
        )
    )
    contact_timeline_lean: Relation[TimelinePage] = field(
        default_factory=_relation(
            partial(timeline.timelines, "contact_id", lean=True),
            partial(timeline.timeline_counts, "contact_id"),
        )
    )
    group_messages: Relation[Page[Any]] = field(
        default_factory=_relation(
            partial(message_queries.messages_under, "group_id"),
            partial(message_queries.message_counts, "group_id"),
        )
    )
    contact_calls: Relation[Page[Any]] = field(
        default_factory=_relation(call_queries.calls_of_contacts, call_queries.call_counts)
    )
    contact_consent: Relation[Page[Any]] = field(
        default_factory=_relation(consent.consent_histories, consent.consent_counts)
    )
