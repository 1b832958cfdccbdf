"""Tags on contacts and sessions: validated names, changed under a row lock.

The tag list is a JSON column, so a change is read-modify-write; the row is locked for it
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite serialises writers anyway), so two concurrent
changes never lose one another's tags.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import WhatsAppContact, WhatsAppSession
from whatsapp.conversations import contact_queries
from whatsapp.kit.errors import ErrorCode, FieldPath, Problem, WagraphError

TAG = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
MAX_TAGS_PER_CHANGE = 50

Tagged = TypeVar("Tagged", WhatsAppContact, WhatsAppSession)


def validate_tags(tags: Any, field: FieldPath) -> list[Problem]:
    """Problems with one list of tags (`add` or `remove`), with paths under `field`."""
    if tags is None:
        return []
    if not isinstance(tags, list):
        return [Problem(ErrorCode.INVALID_INPUT, "Tags must be a list of strings", field)]
    if len(tags) > MAX_TAGS_PER_CHANGE:
        return [
            Problem(ErrorCode.INVALID_INPUT, f"At most {MAX_TAGS_PER_CHANGE} tags at once", field)
        ]
    return [
        Problem(
            ErrorCode.INVALID_INPUT,
            "A tag is 1-64 letters, digits or _ . : -",
            (*field, str(index)),
        )
        for index, tag in enumerate(tags)
        if not isinstance(tag, str) or not TAG.fullmatch(tag)
    ]


def validate_change(add: Any, remove: Any, prefix: FieldPath = ()) -> list[Problem]:
    """Both lists checked, and no tag both added and removed."""
    problems = validate_tags(add, (*prefix, "add")) + validate_tags(remove, (*prefix, "remove"))
    if problems:
        return problems
    both = sorted(set(add or ()) & set(remove or ()))
    if both:
        problems.append(
            Problem(
                ErrorCode.INVALID_INPUT,
                f"Tags both added and removed: {', '.join(both)}",
                (*prefix, "remove"),
            )
        )
    return problems


def apply_change(
    current: Iterable[str] | None, add: Sequence[str], remove: Sequence[str]
) -> list[str]:
    """Current tags without `remove`, plus `add`, sorted."""
    return sorted((set(current or ()) - set(remove)) | set(add))


async def tag_contact_by(
    *,
    contact_id: str | None = None,
    wa_id: str | None = None,
    bsuid: str | None = None,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> WhatsAppContact:
    """Tag the contact named by exactly one of our id, a number and a BSUID (`tagContact`)."""
    problems = validate_change(list(add), list(remove))
    if problems:
        raise WagraphError(problems)
    contact = await contact_queries.find(contact_id=contact_id, wa_id=wa_id, bsuid=bsuid)
    return await tag_contact(contact.id, add=add, remove=remove)


async def tag_contact(
    contact_id: uuid.UUID,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    using_db: BaseDBAsyncClient | None = None,
) -> WhatsAppContact:
    """Add and remove tags on a known contact (find it with `contact_queries.find`)."""
    problems = validate_change(list(add), list(remove))
    if problems:
        raise WagraphError(problems)
    contact = await _change(WhatsAppContact, {"id": contact_id}, add, remove, using_db)
    if contact is None:
        raise WagraphError.of(ErrorCode.NOT_FOUND, "No contact with that id", ("contactId",))
    return contact


async def tag_session(
    session_id: uuid.UUID,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    using_db: BaseDBAsyncClient | None = None,
) -> WhatsAppSession:
    """Add and remove tags on a session."""
    problems = validate_change(list(add), list(remove))
    if problems:
        raise WagraphError(problems)
    session = await _change(WhatsAppSession, {"id": session_id}, add, remove, using_db)
    if session is None:
        raise WagraphError.of(ErrorCode.NOT_FOUND, "No session with that id", ("sessionId",))
    return session


async def _change(
    model: type[Tagged],
    key: dict[str, Any],
    add: Sequence[str],
    remove: Sequence[str],
    using_db: BaseDBAsyncClient | None,
) -> Tagged | None:
    if using_db is None:
        async with in_transaction() as conn:
            return await _change(model, key, add, remove, conn)
    row = await model.filter(**key).select_for_update().using_db(using_db).first()
    if row is None:
        return None
    tags = apply_change(row.tags, add, remove)
    if tags != list(row.tags or []):
        row.tags = tags
        await row.save(update_fields=["tags", "updated_at"], using_db=using_db)
    return row
