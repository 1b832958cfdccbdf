"""Templates: the local copy of what Meta has approved, and the checks before a send."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from models import WhatsAppTemplate
from whatsapp import payloads
from whatsapp.errors import ErrorCode, WagraphError

SENDABLE_STATUS = "APPROVED"


async def find_template(
    *, business_id: str | None, name: str, language: str
) -> WhatsAppTemplate | None:
    query = WhatsAppTemplate.filter(name=name, language=language, removed_at__isnull=True)
    if business_id:
        query = query.filter(waba_id=business_id)
    return await query.first()


async def check_template_for_send(
    *,
    business_id: str | None,
    name: str,
    language: str,
    header: Mapping[str, Any] | None,
    body: Sequence[Mapping[str, Any]],
    buttons: Sequence[Mapping[str, Any]],
) -> WhatsAppTemplate | None:
    """Refuse what Meta would refuse, when we know the template; unknown ones go to Meta.

    Templates unknown locally are not refused: the local copy may simply not be synced yet, and
    Meta answers 132001 for a template that really does not exist.
    """
    template = await find_template(business_id=business_id, name=name, language=language)
    if template is None:
        return None
    if template.status != SENDABLE_STATUS:
        raise WagraphError.of(
            ErrorCode.TEMPLATE_NOT_APPROVED,
            f"Template {name} ({language}) is {template.status}; "
            "only APPROVED templates can be sent",
            ("name",),
        )
    payloads.check_template_parameters(
        template.components, header=header, body=body, buttons=buttons
    )
    return template
