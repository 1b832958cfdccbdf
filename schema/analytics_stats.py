"""GraphQL face of the delivery, Flow and automation statistics (`whatsapp.analytics.*_stats`).

The figures' exact definitions are in the descriptions, as clients rely on them.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

import schema.automations  # noqa: F401  (registers AutomationRunStatus as a GraphQL enum)
from models.enums import AutomationRunStatus
from whatsapp.analytics import automations_stats, flows_stats, messages_stats
from whatsapp.analytics.messages_stats import MessageGroupBy

strawberry.enum(
    MessageGroupBy,
    name="MessageStatsGroupBy",
    description="One dimension to split message figures by; DAY is the local day in `timeZone`.",
)


@strawberry.type(
    description="Outbound messages created in the range: `sent` = Meta accepted it (status "
    "SENT/DELIVERED/READ or a sent time), `delivered` = status DELIVERED/READ or a delivered "
    "time, `read` = status READ or a read time, `failed` = status FAILED (a message sent and "
    "failed later counts in both). Rates are null over zero."
)
class DeliveryCounts:
    key: str | None = strawberry.field(
        description="The group's value (template name, type, phone number id or YYYY-MM-DD); "
        "null for the totals and for messages without one (no template)."
    )
    total: int = strawberry.field(description="Every outbound message, whatever its status.")
    sent: int = strawberry.field(description="Accepted by Meta.")
    delivered: int = strawberry.field(description="Reached the phone.")
    read: int = strawberry.field(description="Read by the customer.")
    failed: int = strawberry.field(description="Status FAILED.")
    delivery_rate: float | None = strawberry.field(description="delivered / sent.")
    read_rate: float | None = strawberry.field(description="read / delivered.")
    failure_rate: float | None = strawberry.field(description="failed / total.")

    @classmethod
    def of(cls, c: messages_stats.DeliveryCounts) -> DeliveryCounts:
        return cls(
            key=c.key,
            total=c.total,
            sent=c.sent,
            delivered=c.delivered,
            read=c.read,
            failed=c.failed,
            delivery_rate=c.delivery_rate,
            read_rate=c.read_rate,
            failure_rate=c.failure_rate,
        )


@strawberry.type(description="A Cloud API error code among failed messages, most frequent first.")
class FailureCodeCount:
    code: int = strawberry.field(description="Meta's error code.")
    title: str | None = strawberry.field(description="Meta's title for it.")
    count: int = strawberry.field(description="Failed messages with this code.")


@strawberry.type(
    description="Messages Meta priced with one category and type (from the status `pricing`)."
)
class PricingCount:
    category: str | None = strawberry.field(description="Meta's pricing category.")
    type: str | None = strawberry.field(description="Meta's pricing type (regular, free_…).")
    count: int = strawberry.field(description="Messages.")
    charged: int = strawberry.field(description="Those whose type does not start with free.")
    amount: float | None = strawberry.field(
        description="charged times the configured rate for the category (WAGRAPH_PRICING_RATES); "
        "null without a rate."
    )


@strawberry.type(description="Delivery figures for outbound messages created in [since, until).")
class MessageStats:
    since: datetime = strawberry.field(description="Inclusive.")
    until: datetime = strawberry.field(description="Exclusive.")
    time_zone: str = strawberry.field(description="The IANA zone DAY groups are counted in.")
    totals: DeliveryCounts = strawberry.field(description="Over the whole range.")
    groups: list[DeliveryCounts] = strawberry.field(description="One per `groupBy` value.")
    failures: list[FailureCodeCount] = strawberry.field(description="The 10 commonest codes.")
    median_seconds_to_delivered: float | None = strawberry.field(
        description="Median of delivered time minus sent time over messages with both."
    )
    median_seconds_to_read: float | None = strawberry.field(
        description="Median of read time minus sent time over messages with both."
    )
    pricing: list[PricingCount] = strawberry.field(description="The cost view, largest first.")
    currency: str | None = strawberry.field(description="The rate table's currency, if any.")

    @classmethod
    def of(cls, s: messages_stats.MessageStats) -> MessageStats:
        return cls(
            since=s.since,
            until=s.until,
            time_zone=s.time_zone,
            totals=DeliveryCounts.of(s.totals),
            groups=[DeliveryCounts.of(g) for g in s.groups],
            failures=[
                FailureCodeCount(code=f.code, title=f.title, count=f.count) for f in s.failures
            ],
            median_seconds_to_delivered=s.median_seconds_to_delivered,
            median_seconds_to_read=s.median_seconds_to_read,
            pricing=[
                PricingCount(
                    category=p.category,
                    type=p.type,
                    count=p.count,
                    charged=p.charged,
                    amount=p.amount,
                )
                for p in s.pricing
            ],
            currency=s.currency,
        )


@strawberry.type(description="A value customers submitted for a field, and how many did.")
class AnswerCount:
    value: str = strawberry.field(description="Strings as given; numbers and booleans as JSON.")
    count: int = strawberry.field(description="Sessions that submitted it.")


@strawberry.type(description="What customers answered in one field of one screen.")
class FieldAnswers:
    screen: str = strawberry.field(description="The screen's id.")
    field: str = strawberry.field(description="The field's name in the screen's data.")
    answered: int = strawberry.field(description="Sessions with a scalar answer for it.")
    top: list[AnswerCount] = strawberry.field(
        description="The `top` commonest values, most frequent first, ties by value."
    )


@strawberry.type(
    description="One Flow's journeys started in the range: `completed` = status COMPLETED; "
    "`abandoned` = EXPIRED or CANCELLED, or ACTIVE past the flow token's lifetime "
    "(WAGRAPH_FLOW_TOKEN_TTL_DAYS); `active` = the rest. Answers come from each session's "
    "last submission per screen; lists, objects and nulls are not counted."
)
class FlowStats:
    flow: str = strawberry.field(description="The flow's name.")
    started: int = strawberry.field(description="Sessions started in the range.")
    completed: int = strawberry.field(description="Completed.")
    abandoned: int = strawberry.field(description="Given up or expired.")
    active: int = strawberry.field(description="Still able to go on.")
    completion_rate: float | None = strawberry.field(description="completed / started.")
    answers: list[FieldAnswers] = strawberry.field(description="Per screen and field.")

    @classmethod
    def of(cls, f: flows_stats.FlowStats) -> FlowStats:
        return cls(
            flow=f.flow,
            started=f.started,
            completed=f.completed,
            abandoned=f.abandoned,
            active=f.active,
            completion_rate=f.completion_rate,
            answers=[
                FieldAnswers(
                    screen=a.screen,
                    field=a.field,
                    answered=a.answered,
                    top=[AnswerCount(value=t.value, count=t.count) for t in a.top],
                )
                for a in f.answers
            ],
        )


@strawberry.type(description="Runs in one status.")
class AutomationRunCount:
    status: AutomationRunStatus = strawberry.field(description="The runs' status.")
    count: int = strawberry.field(description="How many.")


@strawberry.type(
    description="One automation's runs created in the range. `errorRate` = FAILED / (SUCCEEDED "
    "+ FAILED), null when none finished; `medianDurationMs` over runs that recorded a duration."
)
class AutomationStats:
    automation_id: strawberry.ID = strawberry.field(description="The automation.")
    name: str = strawberry.field(description="Its name.")
    runs: int = strawberry.field(description="Runs in the range.")
    by_status: list[AutomationRunCount] = strawberry.field(description="Every status, zeros too.")
    error_rate: float | None = strawberry.field(description="Failed share of finished runs.")
    median_duration_ms: float | None = strawberry.field(description="Median run duration.")

    @classmethod
    def of(cls, a: automations_stats.AutomationStats) -> AutomationStats:
        return cls(
            automation_id=strawberry.ID(a.automation_id),
            name=a.name,
            runs=a.runs,
            by_status=[AutomationRunCount(status=s, count=n) for s, n in a.by_status.items()],
            error_rate=a.error_rate,
            median_duration_ms=a.median_duration_ms,
        )
