"""`tag`: add or remove tags on the event's contact and/or session.

Config: `{add?: [tag], remove?: [tag], target?: "contact" | "session" | "both"}` (default
both: whichever of the two the event has; at least one must exist).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.transactions import in_transaction

from whatsapp.automations.actions._base import ActionContext, ActionFailed
from whatsapp.conversations import tags
from whatsapp.kit.errors import ErrorCode, Problem

TYPE = "tag"
TARGETS = ("contact", "session", "both")
_KEYS = frozenset({"add", "remove", "target"})


def validate(config: Mapping[str, Any]) -> list[Problem]:
    problems = [
        Problem(ErrorCode.INVALID_INPUT, f"Unknown key {key!r} for a tag action", (key,))
        for key in config
        if key not in _KEYS
    ]
    problems.extend(tags.validate_change(config.get("add"), config.get("remove")))
    if not problems and not (config.get("add") or config.get("remove")):
        problems.append(Problem(ErrorCode.INVALID_INPUT, "Give tags to add or remove", ("add",)))
    if config.get("target", "both") not in TARGETS:
        problems.append(
            Problem(
                ErrorCode.INVALID_INPUT, f"target must be one of {', '.join(TARGETS)}", ("target",)
            )
        )
    return problems


async def run(ctx: ActionContext, config: Mapping[str, Any]) -> dict[str, Any]:
    add, remove = list(config.get("add") or ()), list(config.get("remove") or ())
    on_contact, on_session = _targets(ctx, config)
    detail: dict[str, Any] = {}
    async with in_transaction() as conn:
        if on_contact and ctx.contact is not None:
            contact = await tags.tag_contact(ctx.contact.id, add=add, remove=remove, using_db=conn)
            detail["contactTags"] = contact.tags
        if on_session and ctx.session is not None:
            session = await tags.tag_session(ctx.session.id, add=add, remove=remove, using_db=conn)
            detail["sessionTags"] = session.tags
    return detail


async def preview(ctx: ActionContext, config: Mapping[str, Any]) -> dict[str, Any]:
    """The tags before and after, on each target (as they are now; nothing is written)."""
    add, remove = list(config.get("add") or ()), list(config.get("remove") or ())
    on_contact, on_session = _targets(ctx, config)
    detail: dict[str, Any] = {}
    for name, row, wanted in (
        ("contact", ctx.contact, on_contact),
        ("session", ctx.session, on_session),
    ):
        if wanted and row is not None:
            before = list(row.tags or [])
            detail[f"{name}Tags"] = {
                "before": before,
                "after": tags.apply_change(before, add, remove),
            }
    return detail


def _targets(ctx: ActionContext, config: Mapping[str, Any]) -> tuple[bool, bool]:
    """Whether the contact and the session are tagged; ActionFailed when neither can be."""
    target = config.get("target", "both")
    on_contact = target in ("contact", "both") and ctx.contact is not None
    on_session = target in ("session", "both") and ctx.session is not None
    if target == "contact" and not on_contact:
        raise ActionFailed(f"Event {ctx.event.name} has no contact to tag")
    if target == "session" and not on_session:
        raise ActionFailed(f"Event {ctx.event.name} has no session to tag")
    if not (on_contact or on_session):
        raise ActionFailed(f"Event {ctx.event.name} has neither a contact nor a session to tag")
    return on_contact, on_session
