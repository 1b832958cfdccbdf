"""Automations: each one's switch (setAutomationEnabled, by keyboard too), and its recent runs
with their errors."""

from __future__ import annotations

from typing import Any

from tests.dashboard.browser.helpers import Dashboard, expect, screenshot
from tests.dashboard.browser.seed import create_automation
from whatsapp.automations import runner


async def test_an_automation_is_switched_off_and_its_runs_are_shown(
    page: Any, dashboard: Dashboard
) -> None:
    # given: one that tags whoever writes, one that fails (its template does not exist)
    tagger = await create_automation(
        dashboard,
        name="Tag customers who write",
        description="Marks the contact so the team sees who is waiting.",
        trigger="message.received",
        actions=[{"type": "tag", "add": ["waiting"], "target": "contact"}],
    )
    await create_automation(
        dashboard,
        name="Welcome back",
        trigger="message.received",
        conditions=[{"path": "properties.type", "op": "EQ", "value": "text"}],
        actions=[{"type": "template", "name": "no_such_template", "language": "en_US"}],
    )
    await dashboard.customer_writes("15551234567", "Hello again", "Maria Silva")
    assert await runner.run_pending(dashboard.app.state.runtime) == 2

    # when
    await page.goto(dashboard.link("#/automations"))

    # then: both, with their runs
    cards = page.locator("li.automation")
    await expect(cards).to_have_count(2)
    tagging = cards.filter(has_text="Tag customers who write")
    await expect(tagging.locator("tr[data-status='SUCCEEDED']")).to_have_count(1)
    failing = cards.filter(has_text="Welcome back")
    await expect(failing.locator("tr[data-status='FAILED']")).to_contain_text("no_such_template")

    # when: switched off from the keyboard
    switch = page.get_by_role("switch", name="Tag customers who write", exact=True)
    await switch.focus()
    await page.keyboard.press("Space")

    # then
    await expect(switch).to_have_attribute("aria-checked", "false")
    await expect(tagging.locator(".switch-text")).to_have_text("Disabled")
    data = await dashboard.gql(
        "query($id: ID!) { automation(id: $id) { enabled } }", {"id": tagger}
    )
    assert data["automation"]["enabled"] is False
    await screenshot(page, "automations")
