"""On PostgreSQL, eventSeries property filters are index ranges: a template, phone number or
flow through its expression index (EXPLAIN with sequential scans priced out, as in
test_explain_postgres; the key is written inline so the expression equals the index's)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from tortoise.transactions import in_transaction

from whatsapp.analytics.predicates import EventSelection
from whatsapp.analytics.series import _statement
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
    sql = _statement(p, spans, where, None, SINCE, UNTIL)
    async with in_transaction() as connection:
        await connection.execute_script("SET LOCAL enable_seqscan = off")
        _, rows = await connection.execute_query(f"EXPLAIN {sql}", p.values)
    plan = "\n".join(str(dict(row)["QUERY PLAN"]) for row in rows)
    assert "Seq Scan on whatsapp_analytics_event" not in plan, plan
    assert index in plan, plan
