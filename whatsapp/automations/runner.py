"""Running automation runs: claim, lease, execute, record — safe in any number of processes.

`run_pending` claims PENDING runs, and RUNNING ones whose lease expired (their worker died),
each with a conditional UPDATE that only one process can win; the lease is the run's
`locked_until`, renewed before each action, and the outcome is written only while the lease is
still ours. Actions run in order and stop at the first failure; each leaves one entry in the
run's `results`. A run is a job by id: executing it twice is prevented by the lease, and an
action re-executed after a crash is made idempotent by its own keys (a send's idempotency key,
a webhook's delivery id). An action the customer's consent forbids (a MARKETING template to
someone who opted out) is skipped, with its reason in the results; a run whose every action
was skipped is SKIPPED.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from tortoise.expressions import Q

from models import (
    AutomationRunStatus,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomation,
    WhatsAppAutomationRun,
    WhatsAppContact,
    WhatsAppSession,
)
from whatsapp.automations import actions as _actions
from whatsapp.automations.actions import ActionContext, ActionFailed
from whatsapp.kit import log_context, metrics
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.kit.secrets import UnreadableSecret
from whatsapp.runtime import Runtime

log = logging.getLogger(__name__)

# How long a claimed run is ours; renewed before each action, which is bounded well below it
# (a webhook's worst case is 5 attempts x 30 s plus backoff).
LEASE = timedelta(minutes=5)
RUN_CONCURRENCY = 8
# An action refused with one of these is skipped, not failed: the run goes on, and says why.
SKIP_CODES = frozenset({ErrorCode.OPTED_OUT.value})


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
            with log_context.bound(automation_run_id=claim.run_id):
                await _execute(rt, claim)

    outcomes = await asyncio.gather(*(execute(c) for c in claimed), return_exceptions=True)
    for claim, outcome in zip(claimed, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            # The run stays RUNNING until its lease expires, then it is tried again.
            log.error("automation run %s crashed", claim.run_id, exc_info=outcome)
            metrics.AUTOMATION_RUNS.labels("crashed").inc()
    return len(claimed)


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
    metrics.AUTOMATION_RUNS.labels(status.value if kept else "lease_lost").inc()
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
    if error is None and results and all(entry.get("skipped") for entry in results):
        status, error = AutomationRunStatus.SKIPPED, results[0]["detail"].get("reason")
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
        detail = await module.run(ctx, _actions.config_of(_plaintext(action)))
    except ActionFailed as exc:
        failure, detail = exc.message, {"error": exc.message, **exc.detail}
    except WagraphError as exc:
        failure, detail = str(exc), {"error": str(exc), "code": exc.code.value}
    except Exception:
        error_id = uuid.uuid4().hex[:12]
        log.exception(
            "automation run %s: action %d (%s) raised (error id %s)",
            ctx.run_id,
            ctx.index + 1,
            type_name,
            error_id,
        )
        failure = f"Unexpected error (id {error_id}); it has been logged"
        detail = {"error": failure}
    entry: dict[str, Any] = {
        "type": type_name,
        "ok": failure is None,
        "detail": _jsonable(detail),
        "durationMs": round((time.monotonic() - started) * 1000),
    }
    if failure is not None and detail.get("code") in SKIP_CODES:
        # Not a failure: the customer said no (the send was refused before Meta was called).
        entry.update(ok=True, skipped=True, detail={**entry["detail"], "reason": failure})
        entry["detail"].pop("error", None)
        return entry, None
    return entry, failure


def _plaintext(action: Mapping[str, Any]) -> dict[str, Any]:
    """The action with its secrets opened (they are sealed at rest), or ActionFailed saying
    which settings to fix when the key that sealed one is no longer configured."""
    try:
        [opened] = _actions.open_secrets([action])
    except UnreadableSecret as exc:
        raise ActionFailed(str(exc)) from None
    return opened


def _jsonable(value: Any) -> Any:
    """What an action returned, as JSON (an odd value is stringified, never fails the save)."""
    return orjson.loads(orjson.dumps(value, default=str))
