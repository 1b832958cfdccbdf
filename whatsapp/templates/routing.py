"""Which Graph API edge sends a template: Meta's routing guide (reference §11.4).

With the Marketing Messages API on (`Runtime.marketing_messages_api`), MARKETING templates go
to `POST /{PNID}/marketing_messages` and everything else to `/messages`. The route follows the
*stored* template's category when the message is sent, so a completed
`template_category_update` (`updates.py`) reroutes later sends, scheduled ones included, and an
impending one does not. A template send without a stored template (no business account id to
look it up) goes to `/messages`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from models import MessageType, WhatsAppMessage, WhatsAppTemplate
from whatsapp.cloud.client import MARKETING_MESSAGES, MESSAGES, Edge
from whatsapp.kit.ids import from_db
from whatsapp.runtime import Runtime

MARKETING = "MARKETING"


def edge_for(rt: Runtime, template: WhatsAppTemplate | None) -> Edge:
    """The edge for a send of `template` (already loaded: no query)."""
    if rt.marketing_messages_api and template is not None and template.category == MARKETING:
        return MARKETING_MESSAGES
    return MESSAGES


async def marketing_message_ids(rt: Runtime, messages: Iterable[WhatsAppMessage]) -> set[uuid.UUID]:
    """The messages of a batch that go to the Marketing Messages API: none when it is off."""
    if not rt.marketing_messages_api:
        return set()
    return await marketing_templates(messages)


async def marketing_templates(messages: Iterable[WhatsAppMessage]) -> set[uuid.UUID]:
    """The messages of a batch whose stored template is MARKETING now: one query for the whole
    batch, none when it holds no stored template. The scheduler routes and checks consent
    with the same answer."""
    by_template: dict[uuid.UUID, list[uuid.UUID]] = {}
    for message in messages:
        if message.type == MessageType.TEMPLATE and message.template_id is not None:
            by_template.setdefault(message.template_id, []).append(message.id)
    if not by_template:
        return set()
    marketing = await WhatsAppTemplate.filter(
        id__in=list(by_template), category=MARKETING
    ).values_list("id", flat=True)
    return {message_id for raw in marketing for message_id in by_template.get(from_db(raw), ())}
