"""Templates: the local copy of what Meta has approved, and the checks before a send."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from models import WhatsAppTemplate
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.kit.ids import is_uuid
from whatsapp.runtime import Runtime
from whatsapp.templates import sync as template_sync
from whatsapp.templates.parameters import check_template_parameters

log = logging.getLogger(__name__)

SENDABLE_STATUS = "APPROVED"


async def find_template(
    *, business_id: str | None, name: str, language: str
) -> WhatsAppTemplate | None:
    """The stored template by name and language; removed ones are not found."""
    query = WhatsAppTemplate.filter(name=name, language=language, removed_at__isnull=True)
    if business_id:
        query = query.filter(waba_id=business_id)
    return await query.first()


async def get_template(template_id: str) -> WhatsAppTemplate | None:
    """By our id; anything else simply matches nothing."""
    if not is_uuid(template_id):
        return None
    return await WhatsAppTemplate.get_or_none(id=uuid.UUID(template_id))


async def list_templates(
    *,
    business_id: str | None,
    name: str | None = None,
    language: str | None = None,
    statuses: Sequence[str] = (),
    category: str | None = None,
    include_removed: bool = False,
) -> list[WhatsAppTemplate]:
    """The account's stored templates by name and language; `name` matches any part, any case."""
    query = WhatsAppTemplate.all()
    if business_id:
        query = query.filter(waba_id=business_id)
    if name:
        query = query.filter(name__icontains=name)
    if language:
        query = query.filter(language=language)
    if statuses:
        query = query.filter(status__in=[status.upper() for status in statuses])
    if category:
        query = query.filter(category=category.upper())
    if not include_removed:
        query = query.filter(removed_at__isnull=True)
    return await query.order_by("name", "language")


async def check_template_for_send(
    rt: Runtime,
    *,
    business_id: str | None,
    name: str,
    language: str,
    header: Mapping[str, Any] | None,
    body: Sequence[Mapping[str, Any]],
    buttons: Sequence[Mapping[str, Any]],
    named_header: Mapping[str, Any] | None = None,
    named_body: Sequence[Mapping[str, Any]] | None = None,
) -> WhatsAppTemplate | None:
    """Refuse what Meta would refuse, before Meta is called: unknown, not approved, or
    parameters that do not fit the template's placeholders (by position or by name, as its
    `parameter_format` says) and buttons.

    A template not stored here (never synced, or removed) is looked up at Meta by name and
    stored; one Meta does not have either is TEMPLATE_NOT_FOUND. Without a business account
    id there is nothing to look up, so the send goes ahead and Meta decides (None).
    """
    template = await find_template(business_id=business_id, name=name, language=language)
    if template is None:
        if not business_id:
            return None
        template = await _fetch_from_meta(rt, business_id=business_id, name=name, language=language)
    if template.status != SENDABLE_STATUS:
        raise WagraphError.of(
            ErrorCode.TEMPLATE_NOT_APPROVED,
            f"Template {name} ({language}) is {template.status}; "
            "only APPROVED templates can be sent",
            ("name",),
        )
    check_template_parameters(
        template.components,
        header=header,
        body=body,
        buttons=buttons,
        named_header=named_header,
        named_body=named_body,
        parameter_format=template.parameter_format,
    )
    return template


async def _fetch_from_meta(
    rt: Runtime, *, business_id: str, name: str, language: str
) -> WhatsAppTemplate:
    languages = await template_sync.fetch_templates_named(rt, business_id=business_id, name=name)
    template = await find_template(business_id=business_id, name=name, language=language)
    if template is not None:
        log.info("template %s (%s) fetched from Meta before a send", name, language)
        return template
    elsewhere = f"; it exists in {', '.join(languages)}" if languages else ""
    raise WagraphError.of(
        ErrorCode.TEMPLATE_NOT_FOUND,
        f"Template {name} ({language}) does not exist in this business account{elsewhere}",
        ("name",),
    )
