"""On PostgreSQL, every list query's filter is served by an index: EXPLAIN with sequential
scans priced out (`enable_seqscan = off` leaves a Seq Scan only where no index can serve)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import (
    MessageType,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomationRun,
    WhatsAppContact,
    WhatsAppMessage,
    WhatsAppSession,
)
from whatsapp.conversations.contact_queries import matching, tagged
from whatsapp.events.queries import named
from whatsapp.kit.paging import _windowed_sql, parameterized

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="EXPLAIN plans are PostgreSQL's",
)


def page(query: QuerySet[Any], stamp: str = "created_at") -> QuerySet[Any]:
    return query.order_by(f"-{stamp}", "-id").limit(21)


KEYS = [uuid.uuid4(), uuid.uuid4()]
CASES: dict[str, Callable[[], tuple[str, list[Any]]]] = {
    "events by pattern": lambda: parameterized(page(WhatsAppAnalyticsEvent.filter(named("m.*")))),
    "events by name": lambda: parameterized(page(WhatsAppAnalyticsEvent.filter(named("m.sent")))),
    "events by source": lambda: parameterized(page(WhatsAppAnalyticsEvent.filter(source="x"))),
    "events by message": lambda: parameterized(
        page(WhatsAppAnalyticsEvent.filter(message_id=KEYS[0]))
    ),
    "events by session": lambda: parameterized(
        page(WhatsAppAnalyticsEvent.filter(session_id=KEYS[0]))
    ),
    "messages by type": lambda: parameterized(page(WhatsAppMessage.filter(type=MessageType.IMAGE))),
    "messages by number": lambda: parameterized(page(WhatsAppMessage.filter(phone_number_id="1"))),
    "messages by template": lambda: parameterized(page(WhatsAppMessage.filter(template_name="t"))),
    "messages by customer": lambda: parameterized(page(WhatsAppMessage.filter(customer_wa_id="1"))),
    "sessions by tag": lambda: parameterized(
        page(WhatsAppSession.filter(tagged("vip")), "updated_at")
    ),
    "sessions by number": lambda: parameterized(
        page(WhatsAppSession.filter(phone_number_id="1"), "updated_at")
    ),
    "sessions by contact search": lambda: parameterized(
        page(
            WhatsAppSession.filter(
                contact_id__in=Subquery(WhatsAppContact.filter(matching("lidd")).values("id"))
            ),
            "updated_at",
        )
    ),
    "automation runs of a contact": lambda: parameterized(
        page(WhatsAppAutomationRun.filter(contact_id=KEYS[0]))
    ),
    "automation runs of a session": lambda: parameterized(
        page(
            WhatsAppAutomationRun.filter(
                event_id__in=Subquery(
                    WhatsAppAnalyticsEvent.filter(session_id=KEYS[0]).values("id")
                )
            )
        )
    ),
    "contacts by tag": lambda: parameterized(page(WhatsAppContact.filter(tagged("vip")))),
    "contacts by name": lambda: parameterized(page(WhatsAppContact.filter(matching("lidd")))),
    "contacts by number": lambda: parameterized(page(WhatsAppContact.filter(matching("1555")))),
    "sessions' messages": lambda: _windowed_sql(
        WhatsAppMessage.filter(session_id__in=KEYS), "session_id", ("-created_at", "-id"), 21
    ),
    "contacts' events": lambda: _windowed_sql(
        WhatsAppAnalyticsEvent.filter(contact_id__in=KEYS), "contact_id", ("created_at", "id"), 21
    ),
}


INDEX = {
    "events by pattern": "idx_event_name_c_created",
    "events by name": "idx_event_name_created",
    "events by source": "idx_event_source_created",
    "events by message": "idx_event_message",
    "events by session": "idx_event_session_created",
    "messages by type": "idx_message_type_created",
    "messages by number": "idx_message_number_created",
    "messages by template": "idx_message_template_created",
    "messages by customer": "idx_message_customer_created",
    "sessions by tag": "idx_session_tags_gin",
    "sessions by number": "idx_session_number_updated",
    "sessions by contact search": "idx_contact_profile_name_trgm",
    "automation runs of a contact": "idx_run_contact_created",
    "automation runs of a session": "idx_run_event",
    "contacts by tag": "idx_contact_tags_gin",
    "contacts by name": "idx_contact_profile_name_trgm",
    "contacts by number": "whatsapp_contact_wa_id_key",
    "sessions' messages": "idx_message_session_created",
    "contacts' events": "idx_event_contact_created",
}
"""The index each list query should use."""


@pytest.mark.parametrize("case", sorted(CASES))
async def test_the_list_query_uses_an_index(case: str) -> None:
    sql, params = CASES[case]()
    async with in_transaction() as connection:
        await connection.execute_script("SET LOCAL enable_seqscan = off")
        _, rows = await connection.execute_query(f"EXPLAIN {sql}", params)
    plan = "\n".join(str(dict(row)["QUERY PLAN"]) for row in rows)
    assert "Seq Scan" not in plan, plan
    assert INDEX[case] in plan, plan


async def test_a_name_pattern_is_a_range_on_the_name_index() -> None:
    query = WhatsAppAnalyticsEvent.filter(named("message.*")).only("id")
    sql, params = parameterized(query)
    async with in_transaction() as connection:
        await connection.execute_script("SET LOCAL enable_seqscan = off")
        _, rows = await connection.execute_query(f"EXPLAIN {sql}", params)
    plan = "\n".join(str(dict(row)["QUERY PLAN"]) for row in rows)
    assert "idx_event_name_c_created" in plan, plan
    assert "Index Cond" in plan, plan
