"""DataLoaders, built per request, so a page of N messages costs one query per relation."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from models import (
    WhatsAppContact,
    WhatsAppContactIdentity,
    WhatsAppGroup,
    WhatsAppGroupReceipt,
    WhatsAppMessage,
    WhatsAppMessageStatus,
    WhatsAppSession,
    WhatsAppTemplate,
)
from whatsapp.messages.statuses import status_histories

M = TypeVar("M", bound=Model)
MessageStatusRow = WhatsAppMessageStatus | WhatsAppGroupReceipt


def by_id_loader(model: type[M]) -> DataLoader[uuid.UUID, M | None]:
    async def load(keys: Sequence[uuid.UUID]) -> list[M | None]:
        rows: dict[Any, M] = {row.pk: row for row in await model.filter(id__in=list(keys))}
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


@dataclass(slots=True)
class Loaders:
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
    contact_identities: DataLoader[uuid.UUID, list[WhatsAppContactIdentity]] = field(
        default_factory=contact_identities_loader
    )
    group: DataLoader[uuid.UUID, WhatsAppGroup | None] = field(
        default_factory=lambda: by_id_loader(WhatsAppGroup)
    )
    message_statuses: DataLoader[uuid.UUID, list[MessageStatusRow]] = field(
        default_factory=message_statuses_loader
    )
