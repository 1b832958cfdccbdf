"""The analytics half of bench/reads.py: each analytics GraphQL query beside the aggregate a
person would write by hand in SQL for the same figures, over the rows bench/reads.py seeds.

The raw SQL is what the issue's reference numbers were taken with: plain GROUP BYs on the
tables, no rollups, so "within 1.5x" means the product adds little to the database's own work.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

AUTOMATIONS = 5
TEMPLATES = 7
FLOWS = 5
RUN_STATUSES = ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED", "SKIPPED"]


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def analytics_queries(start: datetime) -> dict[str, tuple[str, str]]:
    """label -> (GraphQL document, raw SQL), over the 30 days from `start` (UTC midnight)."""
    week = (_iso(start + timedelta(days=7)), _iso(start + timedelta(days=14)))
    month = (_iso(start), _iso(start + timedelta(days=30)))
    w_sql = f"created_at >= '{week[0]}' AND created_at < '{week[1]}'"
    m_sql = f"created_at >= '{month[0]}' AND created_at < '{month[1]}'"
    span = f'since: "{month[0]}", until: "{month[1]}"'
    steps = ", ".join(f'{{name: "message.{s}"}}' for s in ("sent", "delivered", "read"))
    five = ("message.sent", "message.delivered", "message.read", "flow.step", "message.sent")
    five_steps = ", ".join(f'{{name: "{name}"}}' for name in five)
    return {
        "eventSeries hourly 7d (Lisbon)": (
            f'{{ eventSeries(since: "{week[0]}", until: "{week[1]}", bucket: HOUR, '
            'timeZone: "Europe/Lisbon") { series { key total points { count } } } }',
            "SELECT date_trunc('hour', created_at AT TIME ZONE 'Europe/Lisbon') AS h, COUNT(*) "
            f"FROM whatsapp_analytics_event WHERE {w_sql} GROUP BY 1",
        ),
        "eventSeries daily message.* by template 30d": (
            f'{{ eventSeries({span}, bucket: DAY, filter: {{name: "message.*"}}, '
            "groupBy: TEMPLATE) { series { key total points { count } } } }",
            "SELECT properties->>'template' AS t, date_trunc('day', created_at AT TIME ZONE "
            "'UTC') AS d, COUNT(*) FROM whatsapp_analytics_event "
            f"WHERE name LIKE 'message.%' AND {m_sql} GROUP BY 1, 2",
        ),
        "eventSeries daily template=t3 30d": (
            f'{{ eventSeries({span}, bucket: DAY, filter: {{template: "t3"}}) '
            "{ series { total points { count } } } }",
            "SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS d, COUNT(*) "
            f"FROM whatsapp_analytics_event WHERE properties->>'template' = 't3' AND {m_sql} "
            "GROUP BY 1",
        ),
        "funnel sent>delivered>read 30d": (
            f"{{ funnel(steps: [{steps}], {span}, windowSeconds: 604800) "
            "{ name count medianSecondsFromPrevious } }",
            _funnel_sql(m_sql),
        ),
        # The costliest funnel the default cost limit admits: five steps over the busiest names.
        "funnel, 5 steps (the most the cost allows)": (
            f"{{ funnel(steps: [{five_steps}], {span}, windowSeconds: 604800) "
            "{ name count medianSecondsFromPrevious } }",
            "",
        ),
        "messageStats by DAY 30d": (
            f"{{ messageStats({span}, groupBy: DAY) {{ totals {{ sent delivered read failed }} "
            "groups { key sent delivered read failed deliveryRate } failures { code count } "
            "medianSecondsToDelivered medianSecondsToRead pricing { category type count } } }",
            "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d, COUNT(*), "
            "COUNT(sent_at), COUNT(delivered_at), COUNT(read_at), "
            "COUNT(*) FILTER (WHERE status = 'FAILED') FROM whatsapp_message "
            f"WHERE direction = 'OUTBOUND' AND {m_sql} GROUP BY 1",
        ),
        "flowStats 30d": (
            f"{{ flowStats({span}) {{ flow started completed abandoned "
            "answers { screen field answered top { value count } } } }",
            _flow_sql(m_sql.replace("created_at", "started_at")),
        ),
        "automationStats 30d": (
            f"{{ automationStats({span}) {{ name runs errorRate medianDurationMs }} }}",
            "SELECT automation_id, status, COUNT(*), "
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) "
            f"FROM whatsapp_automation_run WHERE {m_sql} GROUP BY 1, 2",
        ),
    }


def _flow_sql(range_sql: str) -> str:
    """The journeys per flow and, as the product reports them, every scalar answer per
    (flow, screen, field) counted: both aggregates, in one statement."""
    where = f"s.flow IS NOT NULL AND {range_sql}"
    each = "jsonb_each(s.context->'flowState'->'answers') screen, jsonb_each(screen.value) field"
    return (
        "WITH journeys AS (SELECT flow, COUNT(*) AS started, "
        "COUNT(*) FILTER (WHERE status = 'COMPLETED') AS completed "
        f"FROM whatsapp_session s WHERE {where} GROUP BY flow), "
        "answers AS (SELECT s.flow, screen.key AS screen, field.key AS field, "
        f"field.value AS value, COUNT(*) AS n FROM whatsapp_session s, {each} WHERE {where} "
        "AND jsonb_typeof(field.value) IN ('string', 'number', 'boolean') GROUP BY 1, 2, 3, 4) "
        "SELECT (SELECT json_agg(j) FROM journeys j), (SELECT json_agg(a) FROM answers a)"
    )


def _funnel_sql(m_sql: str) -> str:
    """The reference funnel: each contact's first sent, then its first delivered after it within
    7 days, then its first read after that."""
    return (
        "WITH s1 AS (SELECT contact_id c, MIN(created_at) t1 FROM whatsapp_analytics_event "
        f"WHERE name = 'message.sent' AND contact_id IS NOT NULL AND {m_sql} GROUP BY 1), "
        "s2 AS (SELECT s.c, s.t1, MIN(e.created_at) t FROM s1 s JOIN whatsapp_analytics_event e "
        "ON e.contact_id = s.c AND e.created_at > s.t1 AND e.created_at <= s.t1 + interval "
        "'7 days' WHERE e.name = 'message.delivered' GROUP BY 1, 2), "
        "s3 AS (SELECT s.c, MIN(e.created_at) t FROM s2 s JOIN whatsapp_analytics_event e "
        "ON e.contact_id = s.c AND e.created_at > s.t AND e.created_at <= s.t1 + interval "
        "'7 days' WHERE e.name = 'message.read' GROUP BY 1) "
        "SELECT (SELECT COUNT(*) FROM s1), (SELECT COUNT(*) FROM s2), (SELECT COUNT(*) FROM s3)"
    )


def message_extras(i: int, k: int, at: datetime) -> tuple[Any, ...]:
    """(direction, status, template_name, sent_at, delivered_at, read_at, error_code,
    error_title, pricing) of session i's k-th message: three outbound, one inbound; outbound
    ones mostly read, some delivered or sent, one in 20 failed."""
    if k == 3:
        return ("INBOUND", "READ", None, None, None, None, None, None, None)
    status = ["READ"] * 12 + ["DELIVERED"] * 4 + ["SENT"] * 3 + ["FAILED"]
    state = status[(i * 3 + k) % 20]
    sent = at + timedelta(seconds=1) if state != "FAILED" else None
    delivered = at + timedelta(seconds=3 + i % 7) if state in ("READ", "DELIVERED") else None
    read = at + timedelta(seconds=60 + i % 600) if state == "READ" else None
    error = (131026, "Message undeliverable") if state == "FAILED" else (None, None)
    pricing = json.dumps({"category": "marketing" if k else "utility", "type": "regular"})
    template = f"t{i % TEMPLATES}"
    return ("OUTBOUND", state, template, sent, delivered, read, *error, sent and pricing)


def session_extras(i: int) -> tuple[Any, ...]:
    """(flow, context) of session i: one in four ran a Flow with two answered fields."""
    if i % 4:
        return (None, "{}")
    answers = {"A": {"size": ["S", "M", "L"][i % 3], "qty": i % 4}, "B": {"ok": i % 2 == 0}}
    return (f"flow{i % FLOWS}", json.dumps({"flowState": {"answers": answers}}))


def automation_rows(
    start: datetime, contacts: list[uuid.UUID], days: int = 30
) -> dict[str, list[tuple[Any, ...]]]:
    """A few automations and one run per contact, spread over the range."""
    automations = [uuid.uuid4() for _ in range(AUTOMATIONS)]
    rows = [
        (a, start, start, f"auto{n}", "message.read", "[]", "[]", True, 60)
        for n, a in enumerate(automations)
    ]
    runs = []
    for i, contact in enumerate(contacts):
        at = start + timedelta(seconds=i * days * 86400 / len(contacts))
        status = RUN_STATUSES[i % len(RUN_STATUSES)]
        duration = 20 + i % 300 if status != "SKIPPED" else None
        runs.append(
            (uuid.uuid4(), at, status, "[]", automations[i % AUTOMATIONS], contact, duration)
        )
    return {"whatsapp_automation": rows, "whatsapp_automation_run": runs}


AUTOMATION_COLUMNS = {
    "whatsapp_automation": [
        "id",
        "created_at",
        "updated_at",
        "name",
        "trigger",
        "conditions",
        "actions",
        "enabled",
        "cooldown_seconds",
    ],
    "whatsapp_automation_run": [
        "id",
        "created_at",
        "status",
        "results",
        "automation_id",
        "contact_id",
        "duration_ms",
    ],
}
