"""The seed's entry points: a reader of the seed finds them in `whatsapp`, and they work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

import whatsapp
from app.runtime import build_runtime
from models import MessageStatus, MessageType, WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import make_settings
from whatsapp.conversations import session_queries
from whatsapp.events import log
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.messages import interactive, scheduling, sending
from whatsapp.runtime import Runtime
from whatsapp.templates import sync

BUTTONS = {
    "buttons": {
        "body": "Confirm your slot?",
        "buttons": [{"id": "am", "title": "Morning"}, {"id": "pm", "title": "Afternoon"}],
    }
}


@pytest.fixture
async def rt(db: str, sandbox: Sandbox, sandbox_url: str) -> AsyncIterator[Runtime]:
    runtime = build_runtime(make_settings(db, sandbox_url, rate_limit_mps=1000))
    yield runtime
    await runtime.aclose()


@pytest.mark.parametrize(
    ("seed_name", "function"),
    [
        ("send_whatsapp_message", sending.send_message),
        ("send_interactive_message", interactive.send_interactive_message),
        ("schedule_whatsapp_message", scheduling.schedule_whatsapp_message),
        ("process_scheduled_messages", scheduling.process_scheduled_messages),
        ("sync_whatsapp_templates", sync.sync_templates),
        ("emit_whatsapp_event", log.emit_event),
        ("get_whatsapp_sessions", session_queries.list_sessions),
    ],
)
def test_each_seed_name_is_the_cores_own_function_and_names_its_faces(
    seed_name: str, function: object
) -> None:
    # when
    exported = getattr(whatsapp, seed_name)

    # then
    assert exported is function
    assert seed_name in whatsapp.__all__
    assert "Faces:" in (exported.__doc__ or "")


async def test_send_interactive_message_sends_buttons(rt: Runtime, customer: str) -> None:
    # when
    result = await whatsapp.send_interactive_message(rt, to=customer, content=BUTTONS)

    # then
    assert result.problem is None
    assert result.message.type == MessageType.BUTTONS
    assert result.message.wamid is not None
    assert result.message.payload is not None
    assert result.message.payload["interactive"]["type"] == "button"


async def test_send_interactive_message_refuses_other_content_and_stores_nothing(
    rt: Runtime, customer: str
) -> None:
    # when
    with pytest.raises(WagraphError) as caught:
        await whatsapp.send_interactive_message(rt, to=customer, content={"text": {"body": "hi"}})

    # then
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.problems[0].field == ("content",)
    assert await WhatsAppMessage.filter(customer_wa_id=customer).count() == 1  # their own


async def test_schedule_whatsapp_message_stores_a_template_that_the_scheduler_sends(
    rt: Runtime,
) -> None:
    # given
    result = await whatsapp.schedule_whatsapp_message(
        rt,
        to="15551230009",
        template={"name": "hello_world", "language": "en_US"},
        schedule_for=utcnow() + timedelta(minutes=5),
    )
    assert result.message.status == MessageStatus.SCHEDULED
    await WhatsAppMessage.filter(id=result.message.id).update(
        next_attempt_at=utcnow() - timedelta(seconds=1)
    )

    # when
    flushed = await whatsapp.process_scheduled_messages(rt)

    # then
    assert flushed.sent == 1
    sent = await WhatsAppMessage.get(id=result.message.id)
    assert sent.status == MessageStatus.SENT
    assert sent.template_name == "hello_world"


async def test_schedule_whatsapp_message_refuses_a_time_in_the_past(rt: Runtime) -> None:
    # when
    with pytest.raises(WagraphError) as caught:
        await whatsapp.schedule_whatsapp_message(
            rt,
            to="15551230009",
            template={"name": "hello_world", "language": "en_US"},
            schedule_for=utcnow() - timedelta(minutes=1),
        )

    # then
    assert caught.value.problems[0].field == ("scheduleFor",)
    assert await WhatsAppMessage.all().count() == 0
