"""automationStats against a brute-force count over the same generated runs (both databases)."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest

from models import AutomationRunStatus, WhatsAppAutomation, WhatsAppAutomationRun
from whatsapp.analytics.automations_stats import automation_stats
from whatsapp.kit.errors import ErrorCode, WagraphError

SINCE = datetime(2026, 11, 1, tzinfo=UTC)
UNTIL = datetime(2026, 11, 8, tzinfo=UTC)


async def seed_runs(
    seed: int, n: int = 300
) -> tuple[list[WhatsAppAutomation], list[WhatsAppAutomationRun]]:
    rng = random.Random(seed)
    automations = [
        await WhatsAppAutomation.create(name=name, trigger="message.received")
        for name in ("notify", "tag", "welcome")
    ]
    span = (UNTIL - SINCE).total_seconds()
    runs = []
    for _ in range(n):
        status = rng.choice(list(AutomationRunStatus))
        finished = status in (AutomationRunStatus.SUCCEEDED, AutomationRunStatus.FAILED)
        runs.append(
            WhatsAppAutomationRun(
                automation=rng.choice(automations),
                status=status,
                created_at=SINCE + timedelta(seconds=rng.uniform(-0.1 * span, 1.1 * span)),
                duration_ms=rng.randint(1, 5000) if finished and rng.random() < 0.9 else None,
            )
        )
    await WhatsAppAutomationRun.bulk_create(runs)
    return automations, runs


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_automation_stats_match_brute_force(seed: int) -> None:
    # given
    automations, runs = await seed_runs(seed)
    # when
    stats = await automation_stats(since=SINCE, until=UNTIL)
    # then
    expected = {}
    for a in automations:
        mine = [r for r in runs if r.automation_id == a.id and SINCE <= r.created_at < UNTIL]
        by_status = {s: sum(r.status == s for r in mine) for s in AutomationRunStatus}
        durations = [r.duration_ms for r in mine if r.duration_ms is not None]
        finished = by_status[AutomationRunStatus.FAILED] + by_status[AutomationRunStatus.SUCCEEDED]
        expected[str(a.id)] = (
            a.name,
            len(mine),
            by_status,
            statistics.median(durations) if durations else None,
            by_status[AutomationRunStatus.FAILED] / finished if finished else None,
        )
    assert {
        s.automation_id: (s.name, s.runs, s.by_status, s.median_duration_ms, s.error_rate)
        for s in stats
    } == expected
    assert [s.name for s in stats] == sorted(s.name for s in stats)


async def test_no_runs_no_entries() -> None:
    await WhatsAppAutomation.create(name="idle", trigger="message.received")
    assert await automation_stats(since=SINCE, until=UNTIL) == []


async def test_a_reversed_range_is_invalid_input() -> None:
    with pytest.raises(WagraphError) as caught:
        await automation_stats(since=UNTIL, until=SINCE)
    assert caught.value.code == ErrorCode.INVALID_INPUT
