"""Interactive messages (the seed's `sendInteractiveMessage`): reply buttons, lists,
call-to-action URLs and Flows, built into Graph API payloads by `payloads.interactive`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from whatsapp.kit.errors import invalid
from whatsapp.messages import payloads
from whatsapp.messages.payloads.content import INTERACTIVE_TYPES
from whatsapp.messages.sending import SendResult, send_message
from whatsapp.runtime import Runtime

INTERACTIVE_KINDS: tuple[str, ...] = tuple(INTERACTIVE_TYPES)


async def send_interactive_message(
    rt: Runtime, *, to: str | None = None, content: Mapping[str, Any], **options: Any
) -> SendResult:
    """Send one interactive message (`buttons`, `list`, `ctaUrl` or `flow` content), now or at
    `schedule_for`; every option of `send_message` applies, and is passed to it unchanged.

    Meta refuses interactive messages in groups: a `group` option is refused before anything
    is stored (`recipients.free_form_addressee`).

    Faces: GraphQL `sendMessage(input: {content: {buttons | list | ctaUrl | flow}})`; automations
    send templates, not interactive messages (Meta allows those only inside the window).
    """
    kind = payloads.content_kind(content)
    if kind not in INTERACTIVE_KINDS:
        allowed = ", ".join(INTERACTIVE_KINDS)
        raise invalid(f"Interactive content is one of {allowed}; this is {kind}", "content")
    return await send_message(rt, to=to, content=content, **options)
