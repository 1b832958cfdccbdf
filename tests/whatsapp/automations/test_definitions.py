"""Definitions: validated whole before anything is written; secrets masked when shown."""

from __future__ import annotations

import pytest

from models import WhatsAppAutomation
from tests.whatsapp.automations.factories import TAG_VIP, make_automation
from whatsapp.automations import definitions
from whatsapp.automations.actions import open_secrets
from whatsapp.kit.errors import ErrorCode, WagraphError

# -- definitions -------------------------------------------------------------------------------


async def test_invalid_definition_writes_nothing_and_reports_every_problem() -> None:
    with pytest.raises(WagraphError) as caught:
        await definitions.create_automation(
            name=" ",
            trigger="order paid",
            conditions=[{"path": "x", "op": "eq"}],
            actions=[TAG_VIP, {"type": "webhook", "url": "ftp://example.com"}, {"type": "sms"}],
            cooldown_seconds=-1,
        )

    assert [(p.code, p.field) for p in caught.value.problems] == [
        (ErrorCode.INVALID_INPUT, ("name",)),
        (ErrorCode.INVALID_INPUT, ("trigger",)),
        (ErrorCode.INVALID_INPUT, ("conditions", "0", "value")),
        (ErrorCode.INVALID_INPUT, ("actions", "1", "url")),
        (ErrorCode.INVALID_INPUT, ("actions", "2", "type")),
        (ErrorCode.INVALID_INPUT, ("cooldownSeconds",)),
    ]
    assert await WhatsAppAutomation.all().count() == 0


async def test_secrets_are_masked_and_a_masked_secret_is_kept_on_update() -> None:
    hook = {"type": "webhook", "url": "https://example.com/hook", "secret": "s3cret"}
    automation = await make_automation(actions=[hook])

    assert definitions.public_actions(automation)[0]["secret"] == "********"
    shown = definitions.public_actions(automation)
    updated = await definitions.update_automation(
        automation.id, actions=[{**shown[0], "maxAttempts": 2}]
    )

    assert updated.actions[0]["secret"] != "s3cret"  # sealed at rest
    assert open_secrets(updated.actions) == [{**hook, "maxAttempts": 2}]
    with pytest.raises(WagraphError) as caught:
        await definitions.update_automation(automation.id, actions=[TAG_VIP, {**shown[0]}])
    assert caught.value.problems[0].field == ("actions", "1", "secret")
