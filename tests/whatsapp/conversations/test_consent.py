"""Marketing consent: its history, the latest word wins, and the refusal before Meta."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from models import ConsentState, WhatsAppAnalyticsEvent, WhatsAppConsentChange, WhatsAppContact
from whatsapp.conversations.consent import (
    KEYWORD,
    USER_PREFERENCES,
    record_consent,
    refuse_opted_out,
)
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.inbound.keywords import ConsentKeywords
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError


async def record(contact: WhatsAppContact, state: ConsentState, minutes_ago: int) -> bool:
    async with in_transaction() as conn:
        return await record_consent(
            contact.id,
            state,
            source=USER_PREFERENCES,
            occurred_at=utcnow() - timedelta(minutes=minutes_ago),
            conn=conn,
            detail=state.value,
        )


async def test_the_latest_word_wins_whatever_order_it_arrives_in() -> None:
    # given
    contact = await get_or_create_contact("15551234567")

    # when: Resume (said later) arrives before Stop (said earlier)
    assert await record(contact, ConsentState.OPTED_IN, minutes_ago=1) is True
    assert await record(contact, ConsentState.OPTED_OUT, minutes_ago=5) is False

    # then: both are history, the state is the later one, one event
    await contact.refresh_from_db()
    assert contact.marketing_consent == ConsentState.OPTED_IN
    assert contact.marketing_consent_source == USER_PREFERENCES
    history = await WhatsAppConsentChange.filter(contact_id=contact.id).order_by("occurred_at")
    assert [row.state for row in history] == [ConsentState.OPTED_OUT, ConsentState.OPTED_IN]
    events = await WhatsAppAnalyticsEvent.filter(contact_id=contact.id).values_list(
        "name", flat=True
    )
    assert events == ["contact.opted_in"]


async def test_an_opted_out_contact_is_refused_marketing_only() -> None:
    contact = await get_or_create_contact("15551234567")
    await record(contact, ConsentState.OPTED_OUT, minutes_ago=0)
    await contact.refresh_from_db()

    refuse_opted_out(contact, "UTILITY")
    refuse_opted_out(contact, None)
    refuse_opted_out(None, "MARKETING")
    with pytest.raises(WagraphError) as refused:
        refuse_opted_out(contact, "MARKETING")

    assert refused.value.code == ErrorCode.OPTED_OUT
    assert refused.value.problems[0].field == ("to",)


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("STOP", ConsentState.OPTED_OUT),
        ("  stop \n", ConsentState.OPTED_OUT),
        ("Unsubscribe", ConsentState.OPTED_OUT),
        ("start", ConsentState.OPTED_IN),
        ("please stop", None),
        ("STOP!", None),
        ("", None),
    ],
)
def test_keywords_match_the_whole_trimmed_message_in_any_case(
    text: str, state: ConsentState | None
) -> None:
    keywords = ConsentKeywords.of(["STOP", "UNSUBSCRIBE"], ["START"])

    assert keywords.state_for(text) == state


def test_keywords_come_from_settings_and_may_be_off() -> None:
    assert ConsentKeywords.of(["Stop  promos"], []).state_for("stop promos") == (
        ConsentState.OPTED_OUT
    )
    assert ConsentKeywords.of([""], [""]).state_for("STOP") is None
    assert KEYWORD == "keyword"
