"""messageStats, flowStats and automationStats over GraphQL with a read key: the figures match a
brute-force count over the same generated data, and bad bounds come back as INVALID_INPUT."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import GraphQL
from tests.whatsapp.analytics import test_automations_stats as runs_data
from tests.whatsapp.analytics import test_flows_stats as flows_data
from tests.whatsapp.analytics import test_messages_stats as messages_data
from whatsapp.analytics import flows_stats, messages_stats
from whatsapp.analytics.messages_stats import MessageGroupBy, PricingRates

MESSAGE_STATS = """
query M($since: DateTime!, $until: DateTime!, $groupBy: MessageStatsGroupBy, $tz: String!) {
  messageStats(since: $since, until: $until, groupBy: $groupBy, timeZone: $tz) {
    timeZone
    totals { key total sent delivered read failed deliveryRate readRate failureRate }
    groups { key total sent delivered read failed }
    failures { code title count }
    medianSecondsToDelivered medianSecondsToRead
    pricing { category type count charged amount }
    currency
  }
}"""

FLOW_STATS = """
query F($since: DateTime!, $until: DateTime!, $flow: String, $top: Int!) {
  flowStats(since: $since, until: $until, flow: $flow, top: $top) {
    flow started completed abandoned active completionRate
    answers { screen field answered top { value count } }
  }
}"""

AUTOMATION_STATS = """
query A($since: DateTime!, $until: DateTime!) {
  automationStats(since: $since, until: $until) {
    automationId name runs byStatus { status count } errorRate medianDurationMs
  }
}"""


@pytest.fixture
def reader(client: httpx.AsyncClient, read_key: str) -> GraphQL:
    return GraphQL(client, read_key)


@pytest.fixture
def rates() -> Iterator[PricingRates]:
    table = PricingRates("EUR", {"marketing": 0.05})
    messages_stats.use_rates(table)
    yield table
    messages_stats.use_rates(None)


def window(since: str, until: str) -> dict[str, str]:
    return {"since": since, "until": until}


async def test_message_stats_by_day_in_a_time_zone(reader: GraphQL, rates: PricingRates) -> None:
    # given
    rows = await messages_data.seed_messages(11)
    chosen = messages_data.in_range(rows)
    zone = messages_data.ZoneInfo("Europe/Paris")
    variables = {
        **window(messages_data.SINCE.isoformat(), messages_data.UNTIL.isoformat()),
        "groupBy": "DAY",
        "tz": "Europe/Paris",
    }
    # when
    result = await reader(MESSAGE_STATS, variables)
    # then
    assert "errors" not in result, result
    stats = result["data"]["messageStats"]
    total, sent, delivered, read, failed = messages_data.brute_counts(chosen)
    assert stats["totals"] | {"deliveryRate": None, "readRate": None, "failureRate": None} == {
        "key": None,
        "total": total,
        "sent": sent,
        "delivered": delivered,
        "read": read,
        "failed": failed,
        "deliveryRate": None,
        "readRate": None,
        "failureRate": None,
    }
    assert stats["totals"]["deliveryRate"] == pytest.approx(delivered / sent)
    days: dict[str, list[object]] = {}
    for m in chosen:
        days.setdefault(str(messages_data.brute_key(m, MessageGroupBy.DAY, zone)), []).append(m)
    assert {g["key"]: g["total"] for g in stats["groups"]} == {k: len(v) for k, v in days.items()}
    marketing = [p for p in stats["pricing"] if p["category"] == "marketing"]
    assert stats["currency"] == "EUR"
    assert all(p["amount"] == pytest.approx(0.05 * p["charged"]) for p in marketing)


async def test_flow_stats(reader: GraphQL) -> None:
    # given: "now" is the real clock here, long after the generated journeys
    rows = await flows_data.seed_sessions(12)
    variables = {
        **window(flows_data.SINCE.isoformat(), flows_data.UNTIL.isoformat()),
        "flow": "booking",
        "top": 2,
    }
    # when
    result = await reader(FLOW_STATS, variables)
    # then
    assert "errors" not in result, result
    [booking] = result["data"]["flowStats"]
    started, completed, _abandoned, answers = flows_data.brute(rows, 2)["booking"]
    assert (booking["started"], booking["completed"]) == (started, completed)
    assert booking["abandoned"] + booking["active"] == started - completed
    assert {
        (a["screen"], a["field"]): (a["answered"], [(t["value"], t["count"]) for t in a["top"]])
        for a in booking["answers"]
    } == answers
    assert flows_stats.DEFAULT_TOKEN_TTL.days == 7


async def test_automation_stats(reader: GraphQL) -> None:
    # given
    automations, runs = await runs_data.seed_runs(13)
    # when
    result = await reader(
        AUTOMATION_STATS, window(runs_data.SINCE.isoformat(), runs_data.UNTIL.isoformat())
    )
    # then
    assert "errors" not in result, result
    got = {a["name"]: a for a in result["data"]["automationStats"]}
    for automation in automations:
        mine = [
            r
            for r in runs
            if r.automation_id == automation.id
            and runs_data.SINCE <= r.created_at < runs_data.UNTIL
        ]
        entry = got[automation.name]
        assert entry["runs"] == len(mine)
        assert {c["status"]: c["count"] for c in entry["byStatus"]} == {
            s.value: sum(r.status == s for r in mine) for s in runs_data.AutomationRunStatus
        }


@pytest.mark.parametrize(
    ("document", "variables", "field"),
    [
        (
            MESSAGE_STATS,
            {**window("2026-01-01T00:00:00Z", "2027-01-03T00:00:00Z"), "tz": "UTC"},
            "until",
        ),
        (
            MESSAGE_STATS,
            {**window("2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z"), "tz": "Nowhere/Else"},
            "timeZone",
        ),
        (FLOW_STATS, {**window("2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z"), "top": 5}, "until"),
        (FLOW_STATS, {**window("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"), "top": 99}, "top"),
        (AUTOMATION_STATS, window("2025-01-01T00:00:00Z", "2026-06-01T00:00:00Z"), "until"),
    ],
)
async def test_bounds_are_invalid_input(
    reader: GraphQL, document: str, variables: dict[str, object], field: str
) -> None:
    result = await reader(document, variables)
    [error] = result["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": [field]}
    assert result["data"] is None


async def test_a_key_is_needed(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={
            "query": AUTOMATION_STATS,
            "variables": window("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
        },
    )
    assert response.status_code == 401
