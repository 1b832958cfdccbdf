"""Automations: an event that matches a trigger and its conditions runs a list of actions.

Three parts, each safe to run in any number of processes:

- **Definitions** — create / update / enable / delete, validated whole before anything is
  written (the trigger, the conditions, and each action by its own module's `validate`).
- **Enqueueing** — `emit_event` calls `enqueue_matching` in the event's own transaction, so an
  event and its runs commit together or not at all. It loads the enabled automations (a small
  table) and matches triggers in Python: an exact name, or an fnmatch pattern (`flow.*`). An
  event caused by an automation run triggers nothing (loop safety). The per-contact cooldown is
  checked after locking the automation's row (`SELECT … FOR UPDATE`; SQLite serialises writers
  anyway), so a burst of concurrent events for one contact yields one run; the others are
  recorded as SKIPPED with the reason. Runs that fired (anything but SKIPPED) count towards the
  cooldown, failed ones included, so a failing webhook is not hammered. Events without a
  contact have no cooldown.
- **Running** — `run_pending` claims PENDING runs, and RUNNING ones whose lease expired (their
  worker died), each with a conditional UPDATE that only one process can win; the lease is the
  run's `locked_until`, renewed before each action, and the outcome is written only while the
  lease is still ours. Actions run in order and stop at the first failure; each leaves one
  entry in the run's `results`.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import fnmatch
import logging
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models import (
    AutomationRunStatus,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomation,
    WhatsAppAutomationRun,
    WhatsAppContact,
    WhatsAppSession,
)
from whatsapp.automations import actions as _actions
from whatsapp.automations import conditions as _conditions
from whatsapp.automations.actions import ActionContext, ActionFailed
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, Problem, WagraphError, invalid
from whatsapp.kit.paging import Page, keyset_page
from whatsapp.runtime import Runtime

log = logging.getLogger(__name__)

# How long a claimed run is ours; renewed before each action, which is bounded well below it
# (a webhook's worst case is 5 attempts x 30 s plus backoff).
LEASE = timedelta(minutes=5)
RUN_CONCURRENCY = 8
NAME_MAX = 128
DESCRIPTION_MAX = 2000
COOLDOWN_MAX_S = 30 * 24 * 3600
_TRIGGER = re.compile(r"[A-Za-z0-9_.:*?\[\]!-]{1,128}")
_PATTERN_CHARS = frozenset("*?[")


class _Keep(enum.Enum):
    KEEP = "KEEP"


KEEP = _Keep.KEEP
"""An update argument left as it is."""


# -- definitions -------------------------------------------------------------------------------


def trigger_matches(trigger: str, event_name: str) -> bool:
    """An exact event name, or an fnmatch pattern (case-sensitive): `flow.*`, `message.*ed`."""
    if trigger == event_name:
        return True
    return bool(_PATTERN_CHARS & set(trigger)) and fnmatch.fnmatchcase(event_name, trigger)


def public_actions(automation: WhatsAppAutomation) -> list[dict[str, Any]]:
    """The actions as they may be shown to a client: secrets masked."""
    return _actions.mask_secrets(automation.actions or [])


async def create_automation(
    *,
    name: str,
    trigger: str,
    actions: Sequence[Mapping[str, Any]],
    description: str | None = None,
    conditions: Sequence[Mapping[str, Any]] = (),
    enabled: bool = True,
    cooldown_seconds: int = 60,
) -> WhatsAppAutomation:
    values = _definition(
        name=name,
        description=description,
        trigger=trigger,
        conditions=conditions,
        actions=actions,
        enabled=enabled,
        cooldown_seconds=cooldown_seconds,
    )
    return await WhatsAppAutomation.create(**values)


async def update_automation(
    automation_id: uuid.UUID | str,
    *,
    name: str | _Keep = KEEP,
    description: str | _Keep | None = KEEP,
    trigger: str | _Keep = KEEP,
    conditions: Sequence[Mapping[str, Any]] | _Keep = KEEP,
    actions: Sequence[Mapping[str, Any]] | _Keep = KEEP,
    enabled: bool | _Keep = KEEP,
    cooldown_seconds: int | _Keep = KEEP,
) -> WhatsAppAutomation:
    """Change the given fields; the result is validated whole and saved in one statement.

    A secret sent back masked (as the API shows it) keeps the stored secret.
    """
    row = await _get(automation_id)
    changes: dict[str, Any] = {
        key: value
        for key, value in {
            "name": name,
            "description": description,
            "trigger": trigger,
            "conditions": conditions,
            "actions": actions,
            "enabled": enabled,
            "cooldown_seconds": cooldown_seconds,
        }.items()
        if value is not KEEP
    }
    secret_problems: list[Problem] = []
    if "actions" in changes:
        changes["actions"], secret_problems = _restore_secrets(changes["actions"], row.actions)
    merged = {key: changes.get(key, getattr(row, key)) for key in _FIELDS}
    try:
        values = _definition(**merged)
    except WagraphError as exc:
        raise WagraphError([*secret_problems, *exc.problems]) from None
    if secret_problems:
        raise WagraphError(secret_problems)
    for key in changes:
        setattr(row, key, values[key])
    if changes:
        await row.save(update_fields=[*changes, "updated_at"])
    return row


async def set_automation_enabled(
    automation_id: uuid.UUID | str, *, enabled: bool
) -> WhatsAppAutomation:
    row = await _get(automation_id)
    if row.enabled != enabled:
        row.enabled = enabled
        await row.save(update_fields=["enabled", "updated_at"])
    return row


async def delete_automation(automation_id: uuid.UUID | str) -> uuid.UUID:
    """Delete an automation and its run log; returns its id."""
    row = await _get(automation_id)
    await row.delete()
    return row.id


async def get_automation(automation_id: uuid.UUID | str) -> WhatsAppAutomation | None:
    try:
        key = _parse_id(automation_id)
    except WagraphError:
        return None
    return await WhatsAppAutomation.get_or_none(id=key)


async def list_automations() -> list[WhatsAppAutomation]:
    return await WhatsAppAutomation.all().order_by("created_at", "id")


async def list_runs(
    *,
    automation_id: uuid.UUID | str | None = None,
    statuses: Sequence[AutomationRunStatus] = (),
    first: int | None = None,
    after: str | None = None,
) -> Page[WhatsAppAutomationRun]:
    """Runs, newest first, keyset-paginated."""
    query = WhatsAppAutomationRun.all()
    if automation_id is not None:
        query = query.filter(automation_id=_parse_id(automation_id, "automationId"))
    if statuses:
        query = query.filter(status__in=list(statuses))
    return await keyset_page(query, first=first, after=after)


_FIELDS = (
    "name",
    "description",
    "trigger",
    "conditions",
    "actions",
    "enabled",
    "cooldown_seconds",
)


def _definition(**values: Any) -> dict[str, Any]:
    """A definition checked whole; every problem is reported at once, with its path."""
    problems: list[Problem] = []
    name = values["name"]
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
        problems.append(_invalid(f"name must be 1-{NAME_MAX} characters", "name"))
    description = values["description"]
    if description is not None and (
        not isinstance(description, str) or len(description) > DESCRIPTION_MAX
    ):
        problems.append(
            _invalid(f"description must be at most {DESCRIPTION_MAX} characters", "description")
        )
    trigger = values["trigger"]
    if not isinstance(trigger, str) or not _TRIGGER.fullmatch(trigger):
        problems.append(
            _invalid(
                "trigger is an event name or an fnmatch pattern like flow.* "
                "(letters, digits and _ . : - * ? [ ] !)",
                "trigger",
            )
        )
    condition_list = _plain(values["conditions"])
    problems.extend(_conditions.validate(condition_list))
    action_list = _plain(values["actions"])
    problems.extend(_actions.validate_actions(action_list))
    cooldown = values["cooldown_seconds"]
    if (
        not isinstance(cooldown, int)
        or isinstance(cooldown, bool)
        or not 0 <= cooldown <= COOLDOWN_MAX_S
    ):
        problems.append(
            _invalid(f"cooldownSeconds must be between 0 and {COOLDOWN_MAX_S}", "cooldownSeconds")
        )
    if not isinstance(values["enabled"], bool):
        problems.append(_invalid("enabled must be true or false", "enabled"))
    if problems:
        raise WagraphError(problems)
    return {
        "name": name.strip(),
        "description": description,
        "trigger": trigger,
        "conditions": condition_list,
        "actions": action_list,
        "enabled": values["enabled"],
        "cooldown_seconds": cooldown,
    }


def _plain(value: Any) -> Any:
    """Sequences of mappings as the lists of dicts that are stored (other shapes kept, and
    reported by validation)."""
    if isinstance(value, list | tuple):
        return [dict(item) if isinstance(item, Mapping) else item for item in value]
    return value


def _restore_secrets(given: Any, stored: Any) -> tuple[Any, list[Problem]]:
    return _actions.restore_secrets(_plain(given), list(stored or []))


def _invalid(message: str, field: str) -> Problem:
    return Problem(ErrorCode.INVALID_INPUT, message, (field,))


def _parse_id(value: uuid.UUID | str, field: str = "id") -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid("Not a valid automation id", field) from None


async def _get(automation_id: uuid.UUID | str) -> WhatsAppAutomation:
    row = await WhatsAppAutomation.get_or_none(id=_parse_id(automation_id))
    if row is None:
        raise WagraphError.of(ErrorCode.NOT_FOUND, "No automation with that id", ("id",))
    return row


# -- enqueueing --------------------------------------------------------------------------------


async def any_enabled(using_db: BaseDBAsyncClient | None = None) -> bool:
    return await WhatsAppAutomation.filter(enabled=True).using_db(using_db).exists()


async def enqueue_matching(
    event: WhatsAppAnalyticsEvent, *, using_db: BaseDBAsyncClient | None = None
) -> list[WhatsAppAutomationRun]:
    """Insert a run (PENDING, or SKIPPED by cooldown) per automation the event triggers.

    Runs in the event's transaction when `using_db` is given, else in its own.
    """
    if event.caused_by_automation_run_id is not None:
        return []
    if using_db is None:
        async with in_transaction() as conn:
            return await enqueue_matching(event, using_db=conn)
    matched = await _matching(event, using_db)
    if not matched:
        return []
    guarded = {a.id for a in matched if a.cooldown_seconds > 0 and event.contact_id is not None}
    still_enabled = set(guarded)
    if guarded:
        # Locked in id order, so concurrent transactions queue up instead of deadlocking; a
        # second event for the same contact waits here until the first one's run is committed.
        # Whole rows: Tortoise drops FOR UPDATE from values()/values_list() queries.
        locked = (
            await WhatsAppAutomation.filter(id__in=sorted(guarded), enabled=True)
            .select_for_update()
            .order_by("id")
            .using_db(using_db)
        )
        still_enabled = {row.id for row in locked}
    now = utcnow()
    runs = []
    for automation in sorted(matched, key=lambda a: a.id):
        if automation.id in guarded and automation.id not in still_enabled:
            continue  # disabled or deleted while we waited for the lock
        reason = None
        if automation.id in guarded:
            reason = await _cooldown_reason(automation, event.contact_id, now, using_db)
        runs.append(await _insert_run(automation, event, reason, now, using_db))
    return runs


async def _matching(
    event: WhatsAppAnalyticsEvent, conn: BaseDBAsyncClient
) -> list[WhatsAppAutomation]:
    enabled = await WhatsAppAutomation.filter(enabled=True).using_db(conn)
    candidates = [a for a in enabled if trigger_matches(a.trigger, event.name)]
    if not candidates:
        return []
    document = _conditions.event_document(event.name, event.source, event.properties or {})
    return [a for a in candidates if _holds(a, document)]


def _holds(automation: WhatsAppAutomation, document: Mapping[str, Any]) -> bool:
    # Definitions are validated when written; a row edited by hand must still never break the
    # send (or webhook) whose event is being recorded.
    try:
        return _conditions.matches(automation.conditions or [], document)
    except Exception:
        log.exception("automation %s: conditions could not be evaluated; skipped", automation.id)
        return False


async def _cooldown_reason(
    automation: WhatsAppAutomation,
    contact_id: uuid.UUID | None,
    now: datetime,
    conn: BaseDBAsyncClient,
) -> str | None:
    since = now - timedelta(seconds=automation.cooldown_seconds)
    last = (
        await WhatsAppAutomationRun.filter(
            automation_id=automation.id, contact_id=contact_id, created_at__gte=since
        )
        .exclude(status=AutomationRunStatus.SKIPPED)
        .order_by("-created_at")
        .using_db(conn)
        .first()
    )
    if last is None:
        return None
    return (
        f"Cooldown: run {last.id} fired for this contact at {last.created_at.isoformat()}, "
        f"less than {automation.cooldown_seconds}s ago"
    )


async def _insert_run(
    automation: WhatsAppAutomation,
    event: WhatsAppAnalyticsEvent,
    skip_reason: str | None,
    now: datetime,
    conn: BaseDBAsyncClient,
) -> WhatsAppAutomationRun:
    common: dict[str, Any] = {
        "automation_id": automation.id,
        "event_id": event.id,
        "event_name": event.name,
        "contact_id": event.contact_id,
    }
    if skip_reason is None:
        return await WhatsAppAutomationRun.create(
            **common, status=AutomationRunStatus.PENDING, using_db=conn
        )
    return await WhatsAppAutomationRun.create(
        **common,
        status=AutomationRunStatus.SKIPPED,
        error=skip_reason,
        started_at=now,
        finished_at=now,
        duration_ms=0,
        using_db=conn,
    )


# -- running -----------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    return Q(status=AutomationRunStatus.PENDING) | Q(
        status=AutomationRunStatus.RUNNING, locked_until__lt=now
    )


async def run_pending(rt: Runtime, *, limit: int = 50) -> int:
    """Claim and execute up to `limit` due runs; returns how many this call executed."""
    now = utcnow()
    candidates = (
        await WhatsAppAutomationRun.filter(_due(now))
        .order_by("created_at")
        .limit(limit)
        .values_list("id", flat=True)
    )
    claimed: list[_Claim] = []
    for run_id in candidates:
        claim = await _claim(run_id)  # type: ignore[arg-type]
        if claim is not None:
            claimed.append(claim)
    if not claimed:
        return 0
    gate = asyncio.Semaphore(RUN_CONCURRENCY)

    async def execute(claim: _Claim) -> None:
        async with gate:
            await _execute(rt, claim)

    outcomes = await asyncio.gather(*(execute(c) for c in claimed), return_exceptions=True)
    for claim, outcome in zip(claimed, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            # The run stays RUNNING until its lease expires, then it is tried again.
            log.error("automation run %s crashed", claim.run_id, exc_info=outcome)
    return len(claimed)


async def run_automation_loop(
    rt: Runtime, stop: asyncio.Event, interval_s: float = 0.5, *, limit: int = 50
) -> None:
    """Run due automation runs until `stop` is set; idle for `interval_s` when there are none."""
    while not stop.is_set():
        executed = 0
        try:
            executed = await run_pending(rt, limit=limit)
        except Exception:
            log.exception("automation runner pass failed; retrying")
        if executed < limit:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)


@dataclass(slots=True)
class _Claim:
    """A run we hold: its id and our lease (also the token that proves it is still ours)."""

    run_id: uuid.UUID
    lease: datetime
    started: float = 0.0


async def _claim(run_id: uuid.UUID) -> _Claim | None:
    now = utcnow()
    lease = now + LEASE
    won = await WhatsAppAutomationRun.filter(_due(now), id=run_id).update(
        status=AutomationRunStatus.RUNNING, locked_until=lease, started_at=now
    )
    return _Claim(run_id, lease, time.monotonic()) if won else None


async def _renew(claim: _Claim) -> bool:
    """Extend the lease before an action; False when another worker took the run over."""
    lease = utcnow() + LEASE
    kept = await WhatsAppAutomationRun.filter(
        id=claim.run_id, status=AutomationRunStatus.RUNNING, locked_until=claim.lease
    ).update(locked_until=lease)
    if kept:
        claim.lease = lease
    return bool(kept)


async def _finish(
    claim: _Claim,
    status: AutomationRunStatus,
    *,
    results: list[dict[str, Any]] | None = None,
    error: str | None = None,
) -> None:
    finished = utcnow()
    kept = await WhatsAppAutomationRun.filter(
        id=claim.run_id, status=AutomationRunStatus.RUNNING, locked_until=claim.lease
    ).update(
        status=status,
        results=results or [],
        error=error,
        finished_at=finished,
        duration_ms=round((time.monotonic() - claim.started) * 1000),
        locked_until=None,
    )
    if not kept:
        log.warning("automation run %s: lease lost before its outcome was written", claim.run_id)
    elif status == AutomationRunStatus.FAILED:
        log.warning("automation run %s failed: %s", claim.run_id, error)
    else:
        log.debug("automation run %s %s", claim.run_id, status.value)


async def _execute(rt: Runtime, claim: _Claim) -> None:
    run = await WhatsAppAutomationRun.get_or_none(id=claim.run_id)
    automation = await WhatsAppAutomation.get_or_none(id=run.automation_id) if run else None
    if run is None or automation is None:
        return  # the automation was deleted, and its runs with it
    if not automation.enabled:
        await _finish(
            claim,
            AutomationRunStatus.SKIPPED,
            error="The automation was disabled before this run started",
        )
        return
    event = await WhatsAppAnalyticsEvent.get_or_none(id=run.event_id) if run.event_id else None
    if event is None:
        await _finish(claim, AutomationRunStatus.FAILED, error="The event no longer exists")
        return
    contact = await WhatsAppContact.get_or_none(id=run.contact_id) if run.contact_id else None
    session = await WhatsAppSession.get_or_none(id=event.session_id) if event.session_id else None
    results: list[dict[str, Any]] = []
    error: str | None = None
    for index, action in enumerate(automation.actions or []):
        type_name = str(action.get("type"))
        if error is not None:
            results.append(
                {"type": type_name, "ok": False, "detail": {"skipped": "an earlier action failed"}}
            )
            continue
        if not await _renew(claim):
            log.warning("automation run %s: lease lost; another worker has it", run.id)
            return
        ctx = ActionContext(rt, run, automation, event, contact, session, index)
        entry, failure = await _run_action(ctx, action)
        results.append(entry)
        if failure is not None:
            error = f"Action {index + 1} ({type_name}): {failure}"
    status = AutomationRunStatus.FAILED if error else AutomationRunStatus.SUCCEEDED
    await _finish(claim, status, results=results, error=error)


async def _run_action(
    ctx: ActionContext, action: Mapping[str, Any]
) -> tuple[dict[str, Any], str | None]:
    """One action's results entry, and its failure message (None when it succeeded)."""
    type_name = str(action.get("type"))
    module = _actions.get(type_name)
    started = time.monotonic()
    failure: str | None = None
    try:
        if module is None:
            raise ActionFailed(f"Unknown action type {type_name!r}")
        detail = await module.run(ctx, _actions.config_of(action))
    except ActionFailed as exc:
        failure, detail = exc.message, {"error": exc.message, **exc.detail}
    except WagraphError as exc:
        failure, detail = str(exc), {"error": str(exc), "code": exc.code.value}
    except Exception:
        error_id = uuid.uuid4().hex[:12]
        log.exception(
            "automation run %s: action %d (%s) raised (error id %s)",
            ctx.run.id,
            ctx.index + 1,
            type_name,
            error_id,
        )
        failure = f"Unexpected error (id {error_id}); it has been logged"
        detail = {"error": failure}
    entry = {
        "type": type_name,
        "ok": failure is None,
        "detail": _jsonable(detail),
        "durationMs": round((time.monotonic() - started) * 1000),
    }
    return entry, failure


def _jsonable(value: Any) -> Any:
    """What an action returned, as JSON (an odd value is stringified, never fails the save)."""
    return orjson.loads(orjson.dumps(value, default=str))
