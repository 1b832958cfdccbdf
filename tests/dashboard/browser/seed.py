"""Rows written straight to the database for the browser tests: many sessions to page through,
a Flow session part-way through its screens, automations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from models import SessionStatus, WhatsAppAnalyticsEvent, WhatsAppSession
from tests.conftest import PHONE_NUMBER_ID
from tests.dashboard.browser.helpers import Dashboard
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.events.log import emit_event
from whatsapp.kit.clock import utcnow

CREATE_AUTOMATION = """mutation($input: CreateAutomationInput!) {
  createAutomation(input: $input) { automation { id } errors { code field message } }
}"""


async def create_automation(dashboard: Dashboard, **definition: Any) -> str:
    data = await dashboard.gql(CREATE_AUTOMATION, {"input": {"cooldownSeconds": 0, **definition}})
    assert data["createAutomation"]["errors"] == [], data
    return str(data["createAutomation"]["automation"]["id"])


async def sessions_of(
    name: str, count: int, *, first_number: int, status: SessionStatus = SessionStatus.ACTIVE
) -> list[str]:
    """`count` customers called "<name> <n>", one session each; their ids."""
    ids = []
    for n in range(count):
        contact = await get_or_create_contact(str(first_number + n), f"{name} {n + 1}")
        session = await WhatsAppSession.create(
            contact=contact, phone_number_id=PHONE_NUMBER_ID, status=status
        )
        ids.append(str(session.id))
    return ids


def hotel_journey() -> dict[str, Any]:
    """A Flow's state as the endpoint writes it (whatsapp/flows/journeys.py): two screens
    submitted, the third refused once. The answers are stored in another order than the
    customer's (PostgreSQL's jsonb reorders keys anyway): the history gives the order."""
    start = utcnow() - timedelta(minutes=12)

    def at(minutes: int) -> str:
        return (start + timedelta(minutes=minutes)).isoformat()

    history = [
        {"action": "INIT", "screen": None, "next": "WELCOME", "at": at(0)},
        {"action": "data_exchange", "screen": "WELCOME", "next": "DATES", "at": at(2)},
        {"action": "data_exchange", "screen": "DATES", "next": "ROOMS", "at": at(5)},
        {
            "action": "data_exchange",
            "screen": "ROOMS",
            "next": "ROOMS",
            "error": "Pick a room type",
            "at": at(9),
        },
    ]
    answers = {
        "DATES": {"check_in": "2025-07-01", "nights": 3},
        "WELCOME": {"guest_name": "Rui Costa", "guests": 2},
    }
    return {"screen": "ROOMS", "answers": answers, "history": history, "startedAt": at(0)}


async def flow_session(number: str, name: str) -> str:
    """A session running the hotel_booking Flow, with its journey and the endpoint's events
    (at the times of the journey's steps)."""
    contact = await get_or_create_contact(number, name)
    state = hotel_journey()
    session = await WhatsAppSession.create(
        contact=contact,
        phone_number_id=PHONE_NUMBER_ID,
        flow="hotel_booking",
        flow_token="ft-hotel-1042",
        context={"flowState": state},
    )
    flow = {"flow": "hotel_booking", "flowToken": "ft-hotel-1042"}
    answers = state["answers"]
    events = [
        ("flow.started", {}),
        ("flow.screen.submitted", {"screen": "WELCOME", "data": answers["WELCOME"]}),
        ("flow.screen.submitted", {"screen": "DATES", "data": answers["DATES"]}),
        ("flow.screen.rejected", {"screen": "ROOMS", "error": "Pick a room type"}),
    ]
    for step, (event, properties) in zip(state["history"], events, strict=True):
        emitted = await emit_event(
            event,
            source="flows",
            properties=flow | properties,
            session_id=session.id,
            contact_id=contact.id,
        )
        at = datetime.fromisoformat(step["at"])
        await WhatsAppAnalyticsEvent.filter(id=emitted.id).update(created_at=at)
    started = datetime.fromisoformat(state["startedAt"])
    await WhatsAppSession.filter(id=session.id).update(started_at=started)
    return str(session.id)
