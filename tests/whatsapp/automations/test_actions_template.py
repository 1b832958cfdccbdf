"""The `template` action firing from a real event, end to end with the sandbox as Meta."""

from __future__ import annotations

import httpx

from models import AutomationRunStatus, WhatsAppAnalyticsEvent, WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import CUSTOMER
from tests.resolvers.test_messages_named_parameters import ORDER_READY
from tests.resolvers.test_messages_send import graph_requests
from tests.whatsapp.automations.factories import make_automation, run_once, shipped_event
from whatsapp.automations.actions import template
from whatsapp.kit.errors import ErrorCode
from whatsapp.runtime import Runtime

ORDER_UPDATE = {
    "type": "template",
    "name": "order_update",
    "language": "en_US",
    "header": {"text": "{{event.properties.order.number}}"},
    "body": [
        {"text": "{{contact.profileName}}"},
        {"text": "{{event.properties.order.number}}"},
        {"dateTime": {"fallbackValue": "{{event.properties.eta}}"}},
    ],
    "buttons": [
        {"index": 0, "subType": "URL", "parameter": "{{event.properties.order.id}}"},
        {"index": 1, "subType": "QUICK_REPLY", "parameter": "SUPPORT"},
    ],
}


async def test_template_action_sends_the_template_filled_from_the_event(
    rt: Runtime, sandbox: Sandbox
) -> None:
    # given
    automation = await make_automation(trigger="order.shipped", actions=[ORDER_UPDATE])
    await shipped_event()

    # when
    run = await run_once(rt)

    # then: Meta received exactly this
    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    message_id = run.results[0]["detail"]["messageId"]
    assert graph_requests(sandbox) == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": CUSTOMER,
            "type": "template",
            "biz_opaque_callback_data": message_id,
            "template": {
                "name": "order_update",
                "language": {"code": "en_US", "policy": "deterministic"},
                "components": [
                    {"type": "header", "parameters": [{"type": "text", "text": "#42"}]},
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "Ana"},
                            {"type": "text", "text": "#42"},
                            {"type": "date_time", "date_time": {"fallback_value": "March 3"}},
                        ],
                    },
                    {
                        "type": "button",
                        "sub_type": "url",
                        "index": "0",
                        "parameters": [{"type": "text", "text": "42"}],
                    },
                    {
                        "type": "button",
                        "sub_type": "quick_reply",
                        "index": "1",
                        "parameters": [{"type": "payload", "payload": "SUPPORT"}],
                    },
                ],
            },
        }
    ]
    message = await WhatsAppMessage.get(id=message_id)
    assert message.metadata == {
        "automationId": str(automation.id),
        "automationRunId": str(run.id),
    }
    sent = await WhatsAppAnalyticsEvent.get(message_id=message_id)
    assert (sent.name, sent.source, sent.caused_by_automation_run_id) == (
        "template.sent",
        "automation",
        run.id,
    )


async def test_template_refused_by_meta_fails_the_run_with_its_error(
    rt: Runtime, sandbox: Sandbox
) -> None:
    await make_automation(
        trigger="order.shipped",
        actions=[
            {"type": "template", "name": "no_such_template", "language": "en_US"},
            {"type": "tag", "add": ["notified"]},
        ],
    )
    await shipped_event()

    run = await run_once(rt)

    assert run.status == AutomationRunStatus.FAILED
    assert run.error is not None and run.error.startswith("Action 1 (template): ")
    failed, skipped = run.results
    assert failed["ok"] is False
    # refused by Meta (132001) or before Meta is called, depending on what is known locally
    assert failed["detail"]["code"] == "TEMPLATE_NOT_FOUND"
    assert failed["detail"]["error"] in run.error
    assert skipped == {
        "type": "tag",
        "ok": False,
        "detail": {"skipped": "an earlier action failed"},
    }
    assert run.duration_ms is not None and run.duration_ms >= 0
    assert run.started_at is not None and run.finished_at is not None


async def test_a_placeholder_without_a_value_fails_before_anything_is_sent(
    rt: Runtime, sandbox: Sandbox
) -> None:
    await make_automation(trigger="order.shipped", actions=[ORDER_UPDATE])
    await shipped_event(properties={"order": {"id": 42}})

    run = await run_once(rt)

    assert run.status == AutomationRunStatus.FAILED
    assert run.error == (
        "Action 1 (template): Placeholder {{event.properties.order.number}} has no value "
        "for this event"
    )
    assert graph_requests(sandbox) == []


ORDER_READY_ACTION = {
    "type": "template",
    "name": "order_ready",
    "language": "en_US",
    "namedHeader": {"name": "order_id", "parameter": {"text": "{{event.properties.order.number}}"}},
    "namedBody": [
        {"name": "first_name", "parameter": {"text": "{{contact.profileName}}"}},
        {"name": "eta", "parameter": {"dateTime": {"fallbackValue": "{{event.properties.eta}}"}}},
    ],
    "buttons": [{"index": 0, "subType": "URL", "parameter": "{{event.properties.order.id}}"}],
}


async def test_template_action_sends_named_parameters_filled_from_the_event(
    rt: Runtime, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given: a NAMED template at Meta, and an automation giving its parameters by name
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox") as http:
        (await http.post("/templates", json=ORDER_READY)).raise_for_status()
    await make_automation(trigger="order.shipped", actions=[ORDER_READY_ACTION])
    await shipped_event()

    # when
    run = await run_once(rt)

    # then
    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    [sent] = graph_requests(sandbox)
    assert sent["template"]["components"][:2] == [
        {
            "type": "header",
            "parameters": [{"type": "text", "text": "#42", "parameter_name": "order_id"}],
        },
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Ana", "parameter_name": "first_name"},
                {
                    "type": "date_time",
                    "date_time": {"fallback_value": "March 3"},
                    "parameter_name": "eta",
                },
            ],
        },
    ]


def test_template_action_validation_refuses_mixed_forms_and_bad_shapes() -> None:
    config = {key: value for key, value in ORDER_READY_ACTION.items() if key != "type"}
    mixed = {**config, "body": [{"text": "{{contact.profileName}}"}]}
    not_a_list = {**config, "namedBody": {"name": "first_name"}}

    assert [(p.field, p.code) for p in template.validate(mixed)] == [
        (("namedBody",), ErrorCode.TEMPLATE_PARAMETER_MISMATCH)
    ]
    assert [(p.field, p.code) for p in template.validate(not_a_list)] == [
        (("namedBody",), ErrorCode.INVALID_INPUT)
    ]
    assert template.validate(config) == []
