"""flowStats against a brute-force count over the same generated sessions (both databases)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models import SessionStatus, WhatsAppSession
from whatsapp.analytics.flows_stats import flow_stats
from whatsapp.kit.errors import ErrorCode, WagraphError

SINCE = datetime(2026, 11, 1, tzinfo=UTC)
UNTIL = datetime(2026, 12, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 2, tzinfo=UTC)
TTL = timedelta(days=7)
FLOWS = ["booking", "survey", None]
DESTINATIONS = ["Lisbon", "Porto", "Faro", "Madeira"]


def _answers(rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    if rng.random() < 0.8:
        answers["DESTINATION"] = {"destination": rng.choice(DESTINATIONS)}
    if rng.random() < 0.6:
        answers["TRAVELLERS"] = {
            "adults": rng.randint(1, 3),
            "pets": rng.choice([True, False]),
            "rooms": [1, 2],  # a list: not counted
            "note": rng.choice(["", "window", None]),
        }
    return answers


async def seed_sessions(seed: int, n: int = 200) -> list[WhatsAppSession]:
    rng = random.Random(seed)
    span = (UNTIL - SINCE).total_seconds()
    rows = []
    for _ in range(n):
        started = SINCE + timedelta(seconds=rng.uniform(-0.1 * span, 1.1 * span))
        context: dict[str, Any] = {"flowState": {"answers": _answers(rng)}}
        if rng.random() < 0.1:
            context = {}
        rows.append(
            WhatsAppSession(
                flow=rng.choice(FLOWS),
                status=rng.choice(list(SessionStatus)),
                started_at=started,
                context=context,
            )
        )
    await WhatsAppSession.bulk_create(rows)
    return rows


def brute_value(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


def brute(rows: list[WhatsAppSession], top: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for flow in sorted({s.flow for s in rows if s.flow}):
        mine = [s for s in rows if s.flow == flow and SINCE <= s.started_at < UNTIL]
        if not mine:
            continue
        done = sum(s.status == SessionStatus.COMPLETED for s in mine)
        gone = sum(
            s.status in (SessionStatus.EXPIRED, SessionStatus.CANCELLED)
            or (s.status == SessionStatus.ACTIVE and s.started_at < NOW - TTL)
            for s in mine
        )
        values: dict[tuple[str, str], Counter[str]] = {}
        for s in mine:
            for screen, data in (s.context.get("flowState", {}).get("answers") or {}).items():
                for field, value in data.items():
                    text = brute_value(value)
                    if text is not None:
                        values.setdefault((screen, field), Counter())[text] += 1
        answers = {
            key: (sum(c.values()), sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:top])
            for key, c in values.items()
        }
        out[flow] = (len(mine), done, gone, answers)
    return out


def produced(stats: list[Any]) -> dict[str, Any]:
    return {
        f.flow: (
            f.started,
            f.completed,
            f.abandoned,
            {
                (a.screen, a.field): (a.answered, [(t.value, t.count) for t in a.top])
                for a in f.answers
            },
        )
        for f in stats
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("top", [1, 3])
async def test_flow_stats_match_brute_force(seed: int, top: int) -> None:
    # given
    rows = await seed_sessions(seed)
    # when
    stats = await flow_stats(since=SINCE, until=UNTIL, top=top, now=NOW, token_ttl=TTL)
    # then
    assert produced(stats) == brute(rows, top)
    for f in stats:
        assert f.active == f.started - f.completed - f.abandoned >= 0


async def test_one_flow_only() -> None:
    rows = await seed_sessions(4)
    stats = await flow_stats(since=SINCE, until=UNTIL, flow="survey", now=NOW, token_ttl=TTL)
    assert produced(stats) == {"survey": brute(rows, 5)["survey"]}


async def test_an_active_journey_is_abandoned_once_its_token_expired() -> None:
    # given: two ACTIVE journeys, one started before the token lifetime ran out
    await WhatsAppSession.create(
        flow="booking", status=SessionStatus.ACTIVE, started_at=NOW - timedelta(days=8)
    )
    await WhatsAppSession.create(
        flow="booking", status=SessionStatus.ACTIVE, started_at=NOW - timedelta(days=2)
    )
    # when
    [stats] = await flow_stats(since=NOW - timedelta(days=30), until=NOW, now=NOW, token_ttl=TTL)
    # then
    assert (stats.started, stats.abandoned, stats.active) == (2, 1, 1)
    assert stats.completion_rate == 0


@pytest.mark.parametrize("top", [0, 51])
async def test_top_is_bounded(top: int) -> None:
    with pytest.raises(WagraphError) as caught:
        await flow_stats(since=SINCE, until=UNTIL, top=top)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.problems[0].field == ("top",)
