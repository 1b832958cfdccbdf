"""How customers get through Flows: per flow, journeys started, completed and abandoned, and
what they answered — aggregated in SQL on SQLite and PostgreSQL alike.

Which sessions: those with a `flow` whose `started_at` lies in [since, until). A session is
- **started**: every such session;
- **completed**: status COMPLETED;
- **abandoned**: status EXPIRED or CANCELLED, or still ACTIVE although its flow token is past
  its lifetime (`started_at` older than the token TTL at `now`: the customer can no longer go on);
- **active**: the rest (ACTIVE, token still good).

Answers come from `context.flowState.answers` (`{screen: {field: value}}`, the data each
screen submitted last): per (screen, field), the `top` most frequent values with their counts,
ties broken by value. Only scalar values are counted (strings; numbers and booleans as their JSON
text: `3`, `true`); lists, objects and nulls are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from whatsapp.analytics import statements
from whatsapp.analytics.messages_stats import check_range
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import invalid
from whatsapp.kit.sql import Dialect, Params, dialect

DEFAULT_TOKEN_TTL = timedelta(days=7)
MAX_TOP = 50
DEFAULT_TOP = 5

_token_ttl = DEFAULT_TOKEN_TTL


def use_token_ttl(ttl: timedelta) -> None:
    """Set the flow token lifetime that marks an ACTIVE journey abandoned (from the settings)."""
    global _token_ttl
    _token_ttl = ttl


@dataclass(frozen=True, slots=True)
class AnswerCount:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class FieldAnswers:
    screen: str
    field: str
    answered: int  # sessions with a scalar answer for this field
    top: list[AnswerCount]


@dataclass(frozen=True, slots=True)
class FlowStats:
    flow: str
    started: int
    completed: int
    abandoned: int
    active: int
    answers: list[FieldAnswers]

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.started if self.started else None


async def flow_stats(
    *,
    since: datetime,
    until: datetime,
    flow: str | None = None,
    top: int = DEFAULT_TOP,
    now: datetime | None = None,
    token_ttl: timedelta | None = None,
) -> list[FlowStats]:
    """One entry per flow with sessions started in [since, until), by flow name."""
    start, end = check_range(since, until)
    if not 1 <= top <= MAX_TOP:
        raise invalid(f"top must be 1-{MAX_TOP}", "top")
    stale_before = (now or utcnow()) - (token_ttl or _token_ttl)
    d = dialect()
    counts = await _counts(d, start, end, flow, stale_before)
    answers = await _answers(d, start, end, flow, top)
    return [
        FlowStats(
            name,
            started,
            completed,
            abandoned,
            started - completed - abandoned,
            answers.get(name, []),
        )
        for name, (started, completed, abandoned) in counts.items()
    ]


def _where(p: Params, start: datetime, end: datetime, flow: str | None, alias: str = "") -> str:
    a = f"{alias}." if alias else ""
    sql = f"{a}flow IS NOT NULL AND {a}started_at >= {p(start)} AND {a}started_at < {p(end)}"
    return sql + (f" AND {a}flow = {p(flow)}" if flow is not None else "")


async def _counts(
    d: Dialect, start: datetime, end: datetime, flow: str | None, stale_before: datetime
) -> dict[str, tuple[int, int, int]]:
    p = Params(d)
    abandoned = (
        f"status IN ('EXPIRED','CANCELLED') OR (status = 'ACTIVE' AND started_at < "
        f"{p(stale_before)})"
    )
    where = _where(p, start, end, flow)  # after: placeholders are bound in order of appearance
    sql = (
        f"SELECT flow, COUNT(*) AS started, COUNT(*) FILTER (WHERE status = 'COMPLETED') AS done, "
        f"COUNT(*) FILTER (WHERE {abandoned}) AS gone FROM whatsapp_session WHERE {where} "
        f"GROUP BY flow ORDER BY flow"
    )
    rows = await statements.fetch(sql, p.values)
    return {r["flow"]: (int(r["started"]), int(r["done"]), int(r["gone"])) for r in rows}


def _answer_rows(d: Dialect, p: Params, start: datetime, end: datetime, flow: str | None) -> str:
    """(flow, screen, field, value) for every scalar answer, value as text."""
    where = _where(p, start, end, flow, "s")
    if d == "postgres":
        return (
            "SELECT s.flow, sc.key AS screen, f.key AS field, f.value #>> '{}' AS value "
            "FROM whatsapp_session s "
            "CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(s.context #> "
            "'{flowState,answers}') = 'object' THEN s.context #> '{flowState,answers}' "
            "ELSE '{}'::jsonb END) sc "
            "CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(sc.value) = 'object' "
            "THEN sc.value ELSE '{}'::jsonb END) f "
            f"WHERE {where} AND jsonb_typeof(f.value) IN ('string','number','boolean')"
        )
    return (
        "SELECT s.flow, sc.key AS screen, f.key AS field, "
        "CASE f.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
        "ELSE CAST(f.value AS TEXT) END AS value "
        "FROM whatsapp_session s, json_each(s.context, '$.flowState.answers') sc, "
        "json_each(sc.value) f "
        f"WHERE {where} AND sc.type = 'object' "
        "AND f.type IN ('text','integer','real','true','false')"
    )


async def _answers(
    d: Dialect, start: datetime, end: datetime, flow: str | None, top: int
) -> dict[str, list[FieldAnswers]]:
    p = Params(d)
    rows_sql = _answer_rows(d, p, start, end, flow)
    order_value = 'value COLLATE "C"' if d == "postgres" else "value"
    sql = (
        "SELECT flow, screen, field, value, n, answered FROM "
        "(SELECT flow, screen, field, value, n, "
        "SUM(n) OVER (PARTITION BY flow, screen, field) AS answered, ROW_NUMBER() OVER "
        f"(PARTITION BY flow, screen, field ORDER BY n DESC, {order_value}) AS rn FROM "
        f"(SELECT flow, screen, field, value, COUNT(*) AS n FROM ({rows_sql}) AS a "
        f"GROUP BY flow, screen, field, value) AS counted) AS ranked WHERE rn <= {p(top)} "
        "ORDER BY flow, screen, field, rn"
    )
    out: dict[str, list[FieldAnswers]] = {}
    for r in await statements.fetch(sql, p.values):
        fields = out.setdefault(r["flow"], [])
        if not fields or (fields[-1].screen, fields[-1].field) != (r["screen"], r["field"]):
            fields.append(FieldAnswers(r["screen"], r["field"], int(r["answered"]), []))
        fields[-1].top.append(AnswerCount(str(r["value"]), int(r["n"])))
    return out
