"""The secrets stored in automations, seen whole: how they are sealed, and a key rotation.

`rotate_secrets` re-seals every stored secret with the current key (`WAGRAPH_SECRETS_KEY`),
including plaintext left from before secrets were sealed; afterwards `secrets_status` shows
none sealed with a previous key, and the previous key can be dropped from the settings. Each
automation is rewritten in its own transaction, its row locked (PostgreSQL) so an update made
meanwhile is not overwritten. An automation whose secret no configured key opens is left as
it is and reported.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from models import WhatsAppAutomation
from whatsapp.automations import actions as _actions
from whatsapp.kit.secrets import SealState, UnreadableSecret


@dataclass(slots=True)
class Rotation:
    """What a rotation did."""

    automations: int = 0
    resealed: int = 0
    unreadable: list[uuid.UUID] = field(default_factory=list)


async def secrets_status() -> Counter[SealState]:
    """How many stored secret values are plaintext, sealed with the current key, with a
    previous key, or with no configured key."""
    counts: Counter[SealState] = Counter()
    for actions in await WhatsAppAutomation.all().values_list("actions", flat=True):
        counts.update(_actions.secret_states(list(actions or [])))
    return counts


async def rotate_secrets() -> Rotation:
    """Re-seal every automation's secrets with the current key."""
    done = Rotation()
    for automation_id in await WhatsAppAutomation.all().values_list("id", flat=True):
        done.automations += 1
        async with in_transaction():
            row = await WhatsAppAutomation.select_for_update().get_or_none(id=automation_id)
            if row is None:
                continue  # deleted meanwhile
            stored = list(row.actions or [])
            if not _actions.secret_states(stored):
                continue
            try:
                resealed = _actions.reseal_secrets(stored)
            except UnreadableSecret:
                done.unreadable.append(row.id)
                continue
            await WhatsAppAutomation.filter(id=row.id).update(actions=resealed)
            done.resealed += 1
    return done
