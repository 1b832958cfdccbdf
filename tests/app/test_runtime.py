"""The composition root wires the core: automations subscribe to the event log, once."""

from __future__ import annotations

from app.runtime import build_runtime, subscribe_core
from sandbox import Sandbox
from tests.conftest import make_settings
from tests.whatsapp.automations.factories import contact_event, make_automation, runs_of
from whatsapp.analytics import messages_stats
from whatsapp.automations.channels import NotifyChannels, channels, use_channels


async def test_the_core_is_subscribed_once_however_often_it_is_composed(
    db: str, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given: a process that composes the core more than once (the test run already did)
    subscribe_core()
    subscribe_core()
    for _ in range(2):
        await build_runtime(make_settings(db, sandbox_url)).aclose()
    automation = await make_automation()

    # when
    await contact_event()

    # then: one run, not one per subscription
    assert len(await runs_of(automation)) == 1


async def test_the_runtime_installs_the_notify_channels(db: str, sandbox_url: str) -> None:
    settings = make_settings(db, sandbox_url, notify_webhook_url="https://hooks.example/T/B/x")
    try:
        await build_runtime(settings).aclose()
        assert channels().configured() == {"webhook"}
    finally:
        use_channels(NotifyChannels())


async def test_the_runtime_installs_the_pricing_rate_table(db: str, sandbox_url: str) -> None:
    rates = '{"currency": "EUR", "rates": {"marketing": 0.06}}'
    try:
        await build_runtime(make_settings(db, sandbox_url, pricing_rates=rates)).aclose()
        installed = messages_stats.configured_rates()
        assert installed is not None and installed.currency == "EUR"
    finally:
        messages_stats.use_rates(None)
