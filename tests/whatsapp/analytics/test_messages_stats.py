"""messageStats against a brute-force count over the same generated messages (both databases)."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tortoise.transactions import in_transaction

from models import MessageDirection, MessageStatus, MessageType, WhatsAppMessage
from whatsapp.analytics.messages_stats import (
    MessageGroupBy,
    PricingRates,
    message_stats,
)
from whatsapp.kit.errors import ErrorCode, WagraphError

# Across Europe/Paris's spring DST change (2026-03-29 02:00 local).
SINCE = datetime(2026, 3, 26, 21, 0, tzinfo=UTC)
UNTIL = datetime(2026, 4, 2, 3, 0, tzinfo=UTC)
TEMPLATES = ["welcome", "reminder", None]
PNIDS = ["106540352242922", "106540352242999"]
ERRORS = {131026: "Message undeliverable", 131049: "Ecosystem engagement", 130472: "Experiment"}
PRICING = [
    None,
    {"billable": True, "pricing_model": "PMP", "category": "marketing", "type": "regular"},
    {"billable": True, "pricing_model": "PMP", "category": "utility", "type": "regular"},
    {
        "billable": False,
        "pricing_model": "PMP",
        "category": "service",
        "type": "free_customer_service",
    },
]
STATUSES = [
    MessageStatus.SCHEDULED,
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.READ,
    MessageStatus.FAILED,
    MessageStatus.CANCELLED,
]


def _message(rng: random.Random, created: datetime, direction: MessageDirection) -> WhatsAppMessage:
    status = (
        rng.choice(STATUSES) if direction == MessageDirection.OUTBOUND else MessageStatus.RECEIVED
    )
    sent = delivered = read = None
    if status in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ) or (
        status == MessageStatus.FAILED and rng.random() < 0.3
    ):
        sent = created + timedelta(seconds=rng.randint(0, 5))
    if status in (MessageStatus.DELIVERED, MessageStatus.READ) and sent:
        delivered = sent + timedelta(milliseconds=rng.randint(100, 90_000))
    if status == MessageStatus.READ and delivered:
        read = delivered + timedelta(seconds=rng.randint(1, 3600))
    code = rng.choice([*ERRORS, None]) if status == MessageStatus.FAILED else None
    return WhatsAppMessage(
        direction=direction,
        type=rng.choice([MessageType.TEXT, MessageType.TEMPLATE, MessageType.IMAGE]),
        status=status,
        phone_number_id=rng.choice(PNIDS),
        customer_wa_id="15551234567",
        template_name=rng.choice(TEMPLATES),
        created_at=created,
        sent_at=sent,
        delivered_at=delivered,
        read_at=read,
        error_code=code,
        error_title=ERRORS.get(code) if code else None,
        pricing=rng.choice(PRICING) if sent else None,
    )


async def seed_messages(seed: int, n: int = 300) -> list[WhatsAppMessage]:
    """Messages spread over a little more than [SINCE, UNTIL), some inbound, all kinds of status."""
    rng = random.Random(seed)
    span = (UNTIL - SINCE).total_seconds()
    rows = []
    for _ in range(n):
        created = SINCE + timedelta(seconds=rng.uniform(-0.1 * span, 1.1 * span))
        direction = MessageDirection.INBOUND if rng.random() < 0.1 else MessageDirection.OUTBOUND
        rows.append(_message(rng, created, direction))
    await WhatsAppMessage.bulk_create(rows)
    return rows


# -- brute force -------------------------------------------------------------------------------


def in_range(rows: list[WhatsAppMessage]) -> list[WhatsAppMessage]:
    return [
        m
        for m in rows
        if m.direction == MessageDirection.OUTBOUND and SINCE <= m.created_at < UNTIL
    ]


def brute_counts(rows: list[WhatsAppMessage]) -> tuple[int, int, int, int, int]:
    sent = [m for m in rows if m.status in ("SENT", "DELIVERED", "READ") or m.sent_at]
    delivered = [m for m in rows if m.status in ("DELIVERED", "READ") or m.delivered_at]
    read = [m for m in rows if m.status == "READ" or m.read_at]
    failed = [m for m in rows if m.status == "FAILED"]
    return len(rows), len(sent), len(delivered), len(read), len(failed)


def brute_key(m: WhatsAppMessage, group_by: MessageGroupBy, zone: ZoneInfo) -> str | None:
    if group_by == MessageGroupBy.TEMPLATE:
        return m.template_name
    if group_by == MessageGroupBy.TYPE:
        return m.type.value
    if group_by == MessageGroupBy.PHONE_NUMBER:
        return m.phone_number_id
    return m.created_at.astimezone(zone).date().isoformat()


def brute_median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def counts_of(stats: Any) -> tuple[int, int, int, int, int]:
    return (stats.total, stats.sent, stats.delivered, stats.read, stats.failed)


# -- tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("group_by", list(MessageGroupBy))
async def test_counts_and_groups_match_brute_force(seed: int, group_by: MessageGroupBy) -> None:
    # given
    rows = await seed_messages(seed)
    zone = ZoneInfo("Europe/Paris")
    # when
    stats = await message_stats(
        since=SINCE, until=UNTIL, group_by=group_by, time_zone="Europe/Paris"
    )
    # then
    chosen = in_range(rows)
    assert counts_of(stats.totals) == brute_counts(chosen)
    expected: dict[str | None, list[WhatsAppMessage]] = {}
    for m in chosen:
        expected.setdefault(brute_key(m, group_by, zone), []).append(m)
    assert {g.key: counts_of(g) for g in stats.groups} == {
        k: brute_counts(v) for k, v in expected.items()
    }
    t = stats.totals
    assert t.delivery_rate == pytest.approx(t.delivered / t.sent)
    assert t.read_rate == pytest.approx(t.read / t.delivered)
    assert t.failure_rate == pytest.approx(t.failed / t.total)


async def test_days_follow_the_time_zone_across_dst() -> None:
    # given: 23:30 UTC is the next local day in Paris before the change (+1), 22:00 after (+2);
    # 2026-03-29 00:30 UTC is 01:30 (CET), 01:30 UTC is 03:30 (CEST), the same local day.
    at = [
        datetime(2026, 3, 27, 23, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 21, 59, tzinfo=UTC),
        datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
    ]
    await WhatsAppMessage.bulk_create(
        [
            WhatsAppMessage(
                direction=MessageDirection.OUTBOUND,
                type=MessageType.TEXT,
                status=MessageStatus.SENT,
                phone_number_id=PNIDS[0],
                created_at=t,
            )
            for t in at
        ]
    )
    # when
    stats = await message_stats(
        since=SINCE, until=UNTIL, group_by=MessageGroupBy.DAY, time_zone="Europe/Paris"
    )
    utc = await message_stats(since=SINCE, until=UNTIL, group_by=MessageGroupBy.DAY)
    # then
    assert {g.key: g.total for g in stats.groups} == {
        "2026-03-28": 1,
        "2026-03-29": 3,
        "2026-03-30": 1,
    }
    assert {g.key: g.total for g in utc.groups} == {
        "2026-03-27": 1,
        "2026-03-29": 4,
    }


@pytest.mark.parametrize(
    ("zone", "change"),
    [
        ("America/Havana", datetime(2026, 3, 8, 5, tzinfo=UTC)),  # 23:59 -> 01:00, no midnight
        ("America/Havana", datetime(2026, 11, 1, 5, tzinfo=UTC)),  # 00:59 -> 00:00, two
        ("America/Santiago", datetime(2026, 9, 6, 4, tzinfo=UTC)),  # 23:59 -> 01:00
        ("Asia/Beirut", datetime(2026, 10, 24, 21, tzinfo=UTC)),  # 23:59 -> 23:00
    ],
)
async def test_days_follow_clock_changes_at_midnight(zone: str, change: datetime) -> None:
    # given: a message every 7 minutes for a day either side of a change at local midnight
    since, until = change - timedelta(days=1, hours=3), change + timedelta(days=1, hours=3)
    at = [
        since + timedelta(minutes=7 * i) for i in range(int((until - since).total_seconds()) // 420)
    ]
    await WhatsAppMessage.bulk_create(
        [
            WhatsAppMessage(
                direction=MessageDirection.OUTBOUND,
                type=MessageType.TEXT,
                status=MessageStatus.SENT,
                phone_number_id=PNIDS[0],
                created_at=t,
            )
            for t in at
        ]
    )
    # when
    stats = await message_stats(
        since=since, until=until, group_by=MessageGroupBy.DAY, time_zone=zone
    )
    # then
    local = Counter(t.astimezone(ZoneInfo(zone)).date().isoformat() for t in at)
    assert [(g.key, g.total) for g in stats.groups] == sorted(local.items())


@pytest.mark.parametrize("seed", [4, 5])
async def test_failures_and_medians_match_brute_force(seed: int) -> None:
    # given
    rows = await seed_messages(seed)
    # when
    stats = await message_stats(since=SINCE, until=UNTIL)
    # then
    chosen = in_range(rows)
    codes = Counter(m.error_code for m in chosen if m.status == "FAILED" and m.error_code)
    assert [(f.code, f.title, f.count) for f in stats.failures] == [
        (code, ERRORS[code], n) for code, n in sorted(codes.items(), key=lambda c: (-c[1], c[0]))
    ]
    to_delivered = [
        (m.delivered_at - m.sent_at).total_seconds() for m in chosen if m.sent_at and m.delivered_at
    ]
    to_read = [(m.read_at - m.sent_at).total_seconds() for m in chosen if m.sent_at and m.read_at]
    assert stats.median_seconds_to_delivered == pytest.approx(brute_median(to_delivered), abs=1e-3)
    assert stats.median_seconds_to_read == pytest.approx(brute_median(to_read), abs=1e-3)


async def test_cost_view_counts_by_category_and_prices_only_with_rates() -> None:
    # given
    rows = await seed_messages(6)
    rates = PricingRates.parse('{"currency": "EUR", "rates": {"MARKETING": 0.05}}')
    # when
    plain = await message_stats(since=SINCE, until=UNTIL, rates=None)
    priced = await message_stats(since=SINCE, until=UNTIL, rates=rates)
    # then
    chosen = [m for m in in_range(rows) if m.pricing]
    counts = Counter((m.pricing["category"], m.pricing["type"]) for m in chosen if m.pricing)
    assert {(p.category, p.type): p.count for p in plain.pricing} == dict(counts)
    assert all(p.amount is None for p in plain.pricing) and plain.currency is None
    by_key = {(p.category, p.type): p for p in priced.pricing}
    assert priced.currency == "EUR"
    marketing = by_key[("marketing", "regular")]
    assert marketing.charged == counts[("marketing", "regular")]
    assert marketing.amount == pytest.approx(0.05 * marketing.charged)
    assert by_key[("utility", "regular")].amount is None  # no rate for it
    assert by_key[("service", "free_customer_service")].charged == 0


async def test_inside_a_transaction_the_statements_share_its_connection() -> None:
    # given: the statements run together, which a transaction's one connection must serialize
    await seed_messages(7)
    outside = await message_stats(since=SINCE, until=UNTIL, group_by=MessageGroupBy.DAY)
    # when
    async with in_transaction():
        inside = await message_stats(since=SINCE, until=UNTIL, group_by=MessageGroupBy.DAY)
    # then
    assert inside == outside


async def test_an_empty_range_reports_zeros_and_no_rates() -> None:
    stats = await message_stats(since=SINCE, until=UNTIL, group_by=MessageGroupBy.TEMPLATE)
    assert counts_of(stats.totals) == (0, 0, 0, 0, 0)
    assert stats.totals.delivery_rate is None and stats.groups == []
    assert stats.median_seconds_to_delivered is None and stats.pricing == []


@pytest.mark.parametrize(
    ("since", "until", "tz", "field"),
    [
        (SINCE, SINCE, "UTC", "until"),
        (SINCE, SINCE + timedelta(days=367), "UTC", "until"),
        (SINCE, UNTIL, "Mars/Olympus", "timeZone"),
    ],
)
async def test_bad_bounds_are_invalid_input(
    since: datetime, until: datetime, tz: str, field: str
) -> None:
    with pytest.raises(WagraphError) as caught:
        await message_stats(since=since, until=until, time_zone=tz)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.problems[0].field == (field,)


def test_rate_tables_are_checked() -> None:
    with pytest.raises(ValueError, match="currency"):
        PricingRates.parse('{"rates": {"marketing": 0.05}}')
    with pytest.raises(ValueError, match="non-negative"):
        PricingRates.parse('{"currency": "EUR", "rates": {"marketing": -1}}')
