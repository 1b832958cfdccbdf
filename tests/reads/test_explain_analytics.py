"""On PostgreSQL, eventSeries property filters are index ranges: a template, phone number or
flow through its expression index (EXPLAIN with sequential scans priced out, as in
test_explain_postgres; the key is written inline so the expression equals the index's), and the
hours the rollup covers are a range on its hour index."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from tortoise.transactions import in_transaction

from whatsapp.analytics.predicates import EventSelection
from whatsapp.analytics.series import _Split, _statement
from whatsapp.analytics.timezones import BucketUnit, buckets, zone
from whatsapp.kit.sql import Params

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="EXPLAIN plans are PostgreSQL's",
)

SINCE, UNTIL = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC)
CASES = {
    "template": (EventSelection(template="t1"), "idx_event_prop_template"),
    "phone number": (EventSelection(phone_number_id="P1"), "idx_event_prop_number"),
    "flow": (EventSelection(flow="signup"), "idx_event_prop_flow"),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_an_event_series_filter_is_an_index_range(case: str) -> None:
    where, index = CASES[case]
    p = Params("postgres")
    spans = buckets(SINCE, UNTIL, BucketUnit.DAY, zone("UTC", "timeZone"), limit=100)
    sql = _statement(p, spans, where, None, _Split(None, [(SINCE, UNTIL)]))
    plan = await explain(sql, p)
    assert "Seq Scan on whatsapp_analytics_event" not in plan, plan
    assert index in plan, plan


async def test_covered_hours_are_an_index_range_on_the_rollup_and_the_rest_on_the_log() -> None:
    p = Params("postgres")
    spans = buckets(SINCE, UNTIL, BucketUnit.DAY, zone("UTC", "timeZone"), limit=100)
    covered_until = datetime(2026, 11, 7, 5, tzinfo=UTC)
    split = _Split((SINCE, covered_until), [(covered_until, UNTIL)])
    sql = _statement(p, spans, EventSelection(name="message.*"), None, split)
    plan = await explain(sql, p)
    assert "idx_event_rollup_hour" in plan, plan
    assert "Seq Scan" not in plan, plan


async def explain(sql: str, p: Params) -> str:
    async with in_transaction() as connection:
        await connection.execute_script("SET LOCAL enable_seqscan = off")
        _, rows = await connection.execute_query(f"EXPLAIN {sql}", p.values)
    return "\n".join(str(dict(row)["QUERY PLAN"]) for row in rows)
