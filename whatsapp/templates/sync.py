"""Template sync (the seed's `syncWhatsAppTemplates`): the local copy in step with Meta's listing.

Every page is fetched before anything is written, so a listing that fails half-way changes
nothing. The writes then share one transaction with the `template.synced` event and take a
fixed number of queries whatever the number of templates (one SELECT of the account's rows,
batched INSERTs and UPDATEs of `BATCH_SIZE` rows), never one query per template.

A template the full listing no longer has is *removed*: `removed_at` is set and its status
becomes DELETED (Meta's word for it), so code that looks only at the status cannot send it
either. The row stays (messages refer to it); if Meta lists it again, Meta's status comes back
and `removed_at` is cleared. `synced_at` is when Meta last listed the template.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import WhatsAppTemplate
from whatsapp.cloud.client import CloudError
from whatsapp.cloud.problems import problem_from_cloud
from whatsapp.events.log import emit_event
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, Problem, WagraphError
from whatsapp.runtime import Runtime

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # Meta's largest page for this edge
BATCH_SIZE = 500  # rows per INSERT/UPDATE: well inside SQLite's and asyncpg's parameter limits
REMOVED_STATUS = "DELETED"
# What Meta's listing decides; a difference in any of them makes the row "updated".
SYNCED_FIELDS = (
    "meta_id",
    "status",
    "category",
    "parameter_format",
    "components",
    "quality_score",
    "rejected_reason",
)
MISSING_BUSINESS_ID = (
    "Set META_WHATSAPP_BUSINESS_ID (or META_WHATSAPP_BUSINESS_ACCOUNT_ID) to sync templates"
)

Progress = Callable[[int, int | None], None]
Key = tuple[str, str]  # (name, language): unique within an account


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one sync did; `fetched` counts distinct templates in Meta's listing.

    Two syncs racing on PostgreSQL may both count a template as created (the second insert
    becomes an update); the rows are right either way.
    """

    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    pages: int = 0

    def counts(self) -> dict[str, int]:
        return asdict(self)


@dataclass(slots=True)
class _Plan:
    """The writes that bring the stored rows in line with a listing."""

    new: list[WhatsAppTemplate] = field(default_factory=list)
    changed: list[WhatsAppTemplate] = field(default_factory=list)
    unchanged: list[WhatsAppTemplate] = field(default_factory=list)
    gone: list[WhatsAppTemplate] = field(default_factory=list)


def require_business_id(rt: Runtime) -> str:
    if not rt.business_id:
        raise WagraphError.of(ErrorCode.CONFIGURATION_ERROR, MISSING_BUSINESS_ID)
    return rt.business_id


async def sync_templates(
    rt: Runtime,
    *,
    progress: Progress | None = None,
    page_size: int = PAGE_SIZE,
    source: str = "api",
) -> SyncResult:
    """Pull every template of the account from Meta and upsert, update and mark removed.

    `progress(count so far, total or None)` is called after each page. Cloud API failures
    raise WagraphError carrying Meta's code, and nothing is written. This is the seed's
    `syncWhatsAppTemplates` (it needs `META_WHATSAPP_BUSINESS_ID`).

    Faces: GraphQL `syncTemplates` (admin), CLI `wagraph templates sync`, the worker's hourly
    `templates.sync` job.
    """
    waba_id = require_business_id(rt)
    listed, pages = await _fetch(rt, waba_id, page_size=page_size, progress=progress)
    now = utcnow()
    async with in_transaction() as conn:
        stored = await WhatsAppTemplate.filter(waba_id=waba_id).using_db(conn)
        plan = _plan(waba_id, listed, stored, now, remove_missing=True)
        await _write(plan, now, conn)
        result = SyncResult(
            fetched=len(listed),
            created=len(plan.new),
            updated=len(plan.changed),
            unchanged=len(plan.unchanged),
            removed=len(plan.gone),
            pages=pages,
        )
        await emit_event(
            "template.synced",
            source=source,
            properties={"wabaId": waba_id, **result.counts()},
            using_db=conn,
        )
    log.info("template sync of %s: %s", waba_id, result.counts())
    return result


async def fetch_templates_named(rt: Runtime, *, business_id: str, name: str) -> list[str]:
    """Ask Meta for one template name (every language) and upsert what it has.

    For a send of a template that was never synced. Returns the languages Meta has it in;
    nothing is marked removed (the listing is filtered, not complete).
    """
    listed, _ = await _fetch(rt, business_id, page_size=PAGE_SIZE, name=name)
    # Meta's name filter matches substrings: keep the exact name only.
    exact = {key: fields for key, fields in listed.items() if key[0] == name}
    if exact:
        now = utcnow()
        async with in_transaction() as conn:
            stored = await WhatsAppTemplate.filter(waba_id=business_id, name=name).using_db(conn)
            await _write(_plan(business_id, exact, stored, now, remove_missing=False), now, conn)
    return sorted(language for _, language in exact)


async def _fetch(
    rt: Runtime,
    waba_id: str,
    *,
    page_size: int,
    progress: Progress | None = None,
    name: str | None = None,
) -> tuple[dict[Key, dict[str, Any]], int]:
    """Every page of the listing, as stored fields by (name, language); and the page count."""
    listed: dict[Key, dict[str, Any]] = {}
    seen = pages = 0
    try:
        async for page in rt.cloud.iter_templates(waba_id, limit=page_size, name=name):
            pages += 1
            seen += len(page.templates)
            for item in page.templates:
                parsed = from_meta(item)
                if parsed is None:
                    log.warning("template without name or language skipped: %r", item.get("id"))
                    continue
                # Cursors can shift while we page; a template seen twice keeps its later state.
                listed[(parsed["name"], parsed["language"])] = parsed
            if progress is not None:
                progress(seen, page.total)
    except CloudError as exc:
        problem = problem_from_cloud(exc)
        raise WagraphError(
            [
                Problem(
                    problem.code,
                    f"Listing templates failed after {pages} page(s): {problem.message}",
                    None,
                    problem.cloud_api_code,
                )
            ]
        ) from exc
    return listed, pages


def from_meta(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """A template in Meta's listing shape as our columns; None without name or language."""
    name, language = item.get("name"), item.get("language")
    if not name or not language:
        return None
    quality = item.get("quality_score")
    score = quality.get("score") if isinstance(quality, Mapping) else quality
    reason = item.get("rejected_reason")
    return {
        "name": str(name),
        "language": str(language),
        "meta_id": str(item["id"]) if item.get("id") is not None else None,
        "status": str(item.get("status") or "PENDING").upper(),
        "category": str(item["category"]).upper() if item.get("category") else None,
        "parameter_format": str(item.get("parameter_format") or "POSITIONAL").upper(),
        "components": list(item.get("components") or []),
        "quality_score": str(score) if score else None,
        # Meta says NONE when there is no reason; the webhook handler stores that as null too.
        "rejected_reason": str(reason) if reason and reason != "NONE" else None,
    }


def _plan(
    waba_id: str,
    listed: Mapping[Key, dict[str, Any]],
    stored: Iterable[WhatsAppTemplate],
    now: datetime,
    *,
    remove_missing: bool,
) -> _Plan:
    plan = _Plan()
    by_key = {(row.name, row.language): row for row in stored}
    for key, fields in listed.items():
        row = by_key.pop(key, None)
        if row is None:
            plan.new.append(WhatsAppTemplate(waba_id=waba_id, **fields, synced_at=now))
        elif row.removed_at is not None or _differs(row, fields):
            for name in SYNCED_FIELDS:
                setattr(row, name, fields[name])
            row.removed_at, row.synced_at = None, now
            plan.changed.append(row)
        else:
            plan.unchanged.append(row)
    if remove_missing:
        plan.gone = [row for row in by_key.values() if row.removed_at is None]
    return plan


def _differs(row: WhatsAppTemplate, fields: Mapping[str, Any]) -> bool:
    return any(getattr(row, name) != fields[name] for name in SYNCED_FIELDS)


async def _write(plan: _Plan, now: datetime, conn: BaseDBAsyncClient) -> None:
    if plan.new:
        # An upsert, so a send's fetch of the same template meanwhile cannot fail the sync.
        await WhatsAppTemplate.bulk_create(
            plan.new,
            batch_size=BATCH_SIZE,
            on_conflict=("waba_id", "name", "language"),
            update_fields=(*SYNCED_FIELDS, "synced_at", "removed_at", "updated_at"),
            using_db=conn,
        )
    if plan.changed:
        await WhatsAppTemplate.bulk_update(
            plan.changed,
            fields=(*SYNCED_FIELDS, "synced_at", "removed_at", "updated_at"),
            batch_size=BATCH_SIZE,
            using_db=conn,
        )
    for ids in _chunks([row.id for row in plan.unchanged]):
        await WhatsAppTemplate.filter(id__in=ids).using_db(conn).update(synced_at=now)
    for ids in _chunks([row.id for row in plan.gone]):
        await (
            WhatsAppTemplate.filter(id__in=ids)
            .using_db(conn)
            .update(status=REMOVED_STATUS, removed_at=now, updated_at=now)
        )


def _chunks(ids: list[Any]) -> Iterable[list[Any]]:
    return (ids[start : start + BATCH_SIZE] for start in range(0, len(ids), BATCH_SIZE))
