"""eventSeries and funnel over GraphQL: a read key gets the figures, bad arguments come back as
INVALID_INPUT errors naming the argument, and a request without a key is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from models import WhatsAppAnalyticsEvent, WhatsAppContact
from tests.conftest import GraphQL

SERIES = """
query S($since: DateTime!, $until: DateTime!, $bucket: SeriesBucket!, $tz: String!,
        $filter: EventSeriesFilter, $groupBy: SeriesGroupBy) {
  eventSeries(since: $since, until: $until, bucket: $bucket, timeZone: $tz, filter: $filter,
              groupBy: $groupBy) {
    bucket timeZone groupCount
    series { key total points { start end count } }
  }
}"""

FUNNEL = """
query F($steps: [FunnelStepInput!]!, $since: DateTime!, $until: DateTime!, $window: Int!,
        $per: FunnelSubject!) {
  funnel(steps: $steps, since: $since, until: $until, windowSeconds: $window, per: $per) {
    name where count conversionFromFirst conversionFromPrevious medianSecondsFromPrevious
  }
}"""

# Lisbon goes from WEST back to WET at 01:00 UTC on 25 October 2026.
AUTUMN = datetime(2026, 10, 25, 1, tzinfo=UTC)


@pytest.fixture
def reader(client: httpx.AsyncClient, read_key: str) -> GraphQL:
    return GraphQL(client, read_key)


async def test_a_reader_gets_daily_counts_per_template_across_the_dst_change(
    reader: GraphQL,
) -> None:
    # given: template sends on 24, 25 (twice) and 26 October, Lisbon time
    stamps = [
        AUTUMN - timedelta(hours=3),
        AUTUMN,
        AUTUMN + timedelta(hours=22),
        AUTUMN + timedelta(hours=24),
    ]
    templates = ["welcome", "welcome", "promo", "welcome"]
    await WhatsAppAnalyticsEvent.bulk_create(
        [
            WhatsAppAnalyticsEvent(
                name="template.sent", source="api", properties={"template": t}, created_at=at
            )
            for at, t in zip(stamps, templates, strict=True)
        ]
        + [WhatsAppAnalyticsEvent(name="message.sent", source="api", created_at=AUTUMN)]
    )

    # when
    result = await reader(
        SERIES,
        {
            "since": "2026-10-23T23:00:00Z",
            "until": "2026-10-27T00:00:00Z",
            "bucket": "DAY",
            "tz": "Europe/Lisbon",
            "filter": {"name": "template.*"},
            "groupBy": "TEMPLATE",
        },
    )

    # then
    assert "errors" not in result, result
    body = result["data"]["eventSeries"]
    assert (body["bucket"], body["timeZone"], body["groupCount"]) == ("DAY", "Europe/Lisbon", 2)
    welcome, promo = body["series"]
    assert (welcome["key"], welcome["total"], promo["key"], promo["total"]) == (
        "welcome",
        3,
        "promo",
        1,
    )
    assert [p["count"] for p in welcome["points"]] == [1, 1, 1]
    assert [p["count"] for p in promo["points"]] == [0, 1, 0]
    assert [(p["start"], p["end"]) for p in welcome["points"]][1] == (
        "2026-10-24T23:00:00+00:00",
        "2026-10-26T00:00:00+00:00",
    )


async def test_a_reader_gets_a_funnel_per_contact(reader: GraphQL) -> None:
    # given: both contacts sent to, one reads 90 s later
    t0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
    ann = await WhatsAppContact.create(wa_id="15550000001")
    bob = await WhatsAppContact.create(wa_id="15550000002")
    await WhatsAppAnalyticsEvent.bulk_create(
        [
            WhatsAppAnalyticsEvent(
                name="message.sent", source="api", created_at=t0, contact_id=ann.id
            ),
            WhatsAppAnalyticsEvent(
                name="message.sent", source="api", created_at=t0, contact_id=bob.id
            ),
            WhatsAppAnalyticsEvent(
                name="message.read",
                source="webhook",
                properties={"attempt": 1},
                created_at=t0 + timedelta(seconds=90),
                contact_id=ann.id,
            ),
        ]
    )

    # when
    result = await reader(
        FUNNEL,
        {
            "steps": [
                {"name": "message.sent"},
                {"name": "message.*", "where": [{"key": "attempt", "value": "1"}]},
            ],
            "since": "2026-06-01T00:00:00Z",
            "until": "2026-06-02T00:00:00Z",
            "window": 3600,
            "per": "CONTACT",
        },
    )

    # then
    assert "errors" not in result, result
    first, second = result["data"]["funnel"]
    assert (first["count"], first["conversionFromFirst"], first["medianSecondsFromPrevious"]) == (
        2,
        1.0,
        None,
    )
    assert second == {
        "name": "message.*",
        "where": {"attempt": "1"},
        "count": 1,
        "conversionFromFirst": 0.5,
        "conversionFromPrevious": 0.5,
        "medianSecondsFromPrevious": 90.0,
    }


@pytest.mark.parametrize(
    ("document", "variables", "field"),
    [
        (
            SERIES,
            {
                "since": "2026-01-01T00:00:00Z",
                "until": "2026-03-01T00:00:00Z",
                "bucket": "HOUR",
                "tz": "UTC",
            },
            ["until"],
        ),
        (
            SERIES,
            {
                "since": "2026-01-01T00:00:00Z",
                "until": "2026-01-02T00:00:00Z",
                "bucket": "DAY",
                "tz": "Nowhere/City",
            },
            ["timeZone"],
        ),
        (
            FUNNEL,
            {
                "steps": [{"name": "a"}],
                "since": "2026-01-01T00:00:00Z",
                "until": "2026-01-02T00:00:00Z",
                "window": 60,
                "per": "SESSION",
            },
            ["steps"],
        ),
        (
            FUNNEL,
            {
                "steps": [{"name": "a"}, {"name": "b"}],
                "since": "2026-01-01T00:00:00Z",
                "until": "2026-01-02T00:00:00Z",
                "window": 91 * 86400,
                "per": "SESSION",
            },
            ["windowSeconds"],
        ),
    ],
)
async def test_arguments_past_the_bounds_are_invalid_input(
    reader: GraphQL, document: str, variables: dict[str, object], field: list[str]
) -> None:
    result = await reader(document, variables)
    assert result["data"] is None
    assert result["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": field}


async def test_analytics_need_a_key(client: httpx.AsyncClient) -> None:
    variables = {
        "since": "2026-01-01T00:00:00Z",
        "until": "2026-01-02T00:00:00Z",
        "bucket": "DAY",
        "tz": "UTC",
    }
    response = await client.post("/graphql", json={"query": SERIES, "variables": variables})
    assert response.status_code in (200, 401)
    if response.status_code == 200:
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
