"""What a session's timeline shows beside its messages: the automation runs its events
triggered (in time order, live), and a Flow's answers per screen."""

from __future__ import annotations

import re
from typing import Any

from models import WhatsAppSession
from tests.dashboard.browser.helpers import Dashboard, expect, screenshot
from tests.dashboard.browser.seed import create_automation, flow_session
from whatsapp.automations import runner
from whatsapp.events.log import emit_event

CUSTOMER = "15551234567"


async def test_the_automation_runs_of_a_session_show_in_its_timeline_live(
    page: Any, dashboard: Dashboard
) -> None:
    # given: one automation that tags the session of whoever writes, one that fails
    await create_automation(
        dashboard,
        name="Tag customers who write",
        trigger="message.received",
        actions=[{"type": "tag", "add": ["waiting"], "target": "session"}],
    )
    await create_automation(
        dashboard,
        name="Welcome back",
        trigger="message.received",
        actions=[{"type": "template", "name": "no_such_template", "language": "en_US"}],
    )
    session = await dashboard.customer_writes(CUSTOMER, "Hi, is the shop open today?", "Maria")
    assert await runner.run_pending(dashboard.app.state.runtime) == 2
    await dashboard.subscribers(0)

    # when
    await page.goto(dashboard.link(f"#/sessions/{session}"))

    # then: both runs, after the message that triggered them
    runs = page.locator("li.run")
    await expect(runs).to_have_count(2)
    tagging = runs.filter(has_text="Tag customers who write")
    await expect(tagging).to_have_attribute("data-status", "SUCCEEDED")
    await expect(tagging.locator(".run-line")).to_have_text(
        "⚙ Automation “Tag customers who write” ran: Succeeded"
    )
    await expect(tagging.locator(".run-results")).to_have_text(
        "1. tag: done (sessionTags: waiting)"
    )
    failing = runs.filter(has_text="Welcome back")
    await expect(failing).to_have_attribute("data-status", "FAILED")
    await expect(failing.locator(".run-error")).to_contain_text("no_such_template")
    kinds = await page.locator("ol.timeline > li").evaluate_all(
        "items => items.map(li => li.dataset.kind)"
    )
    assert kinds.index("message") < kinds.index("run"), kinds

    # when: the customer writes again while the page is open
    await dashboard.subscribers(2)
    await dashboard.customer_writes(CUSTOMER, "I could come at six.", "Maria")

    # then: the new runs come live, waiting; once they ran, they say how it went
    await expect(runs).to_have_count(4)
    newest = runs.filter(has_text="Tag customers who write").last
    await expect(newest).to_have_attribute("data-status", "PENDING")
    assert await runner.run_pending(dashboard.app.state.runtime) == 2
    await expect(newest).to_have_attribute("data-status", "SUCCEEDED")
    await expect(runs.filter(has_text="Welcome back").last).to_have_attribute(
        "data-status", "FAILED"
    )
    assert (await page.locator("ol.timeline > li").last.get_attribute("data-kind")) == "run"
    await expect(page.locator("#announcer")).to_have_text(
        re.compile(r"^Automation (Tag customers who write|Welcome back): (succeeded|failed)$")
    )
    await screenshot(page, "timeline-automation")


async def test_a_run_shows_with_the_page_of_the_timeline_it_belongs_to(
    page: Any, dashboard: Dashboard
) -> None:
    # given: 55 events in a session (the timeline's pages hold 50), the last one paid an order
    await create_automation(
        dashboard,
        name="Thank buyers",
        trigger="order.paid",
        actions=[{"type": "tag", "add": ["buyer"], "target": "session"}],
    )
    session = await dashboard.customer_writes(CUSTOMER, "Adding things to my cart", "Maria")
    row = await WhatsAppSession.get(id=session)
    who = {"session_id": row.id, "contact_id": row.contact_id}
    for n in range(52):
        await emit_event("cart.updated", source="shop", properties={"items": n + 1}, **who)
    await emit_event("order.paid", source="shop", properties={"order": "#1042"}, **who)
    assert await runner.run_pending(dashboard.app.state.runtime) == 1

    # when
    await page.goto(dashboard.link(f"#/sessions/{session}"))

    # then: the run waits for the page its event is on
    items = page.locator("ol.timeline > li")
    await expect(items).to_have_count(50)
    await expect(page.locator("li.run")).to_have_count(0)
    await page.get_by_role("button", name="Load later entries").click()
    await expect(page.locator("li.run")).to_have_count(1)
    kinds = await items.evaluate_all("items => items.map(li => li.dataset.name || li.dataset.kind)")
    assert kinds[-2:] == ["order.paid", "run"], kinds[-5:]
    await expect(page.locator("li.run")).to_contain_text("“Thank buyers” ran: Succeeded")


async def test_a_flow_session_shows_its_answers_per_screen(page: Any, dashboard: Dashboard) -> None:
    # given: a Flow two screens in, the third refused once
    session = await flow_session("15550104004", "Rui Costa")

    # when
    await page.goto(dashboard.link(f"#/sessions/{session}"))

    # then: each screen's answers, in the order the customer went through them
    panel = page.get_by_role("region", name="Flow answers")
    await expect(panel.locator(".flow-where")).to_contain_text("Flow hotel_booking · now on ROOMS")
    screens = panel.locator(".screen h3")
    await expect(screens).to_have_text(["WELCOME", "DATES"])
    welcome = panel.locator("[data-screen='WELCOME'] .answers")
    await expect(welcome).to_contain_text("guest_name")
    await expect(welcome).to_contain_text("Rui Costa")
    await expect(panel.locator("[data-screen='DATES'] .answers")).to_contain_text("2025-07-01")

    # when: the journey's steps opened from the keyboard
    await panel.locator("summary").focus()
    await page.keyboard.press("Enter")

    # then
    steps = panel.locator(".steps-list li")
    await expect(steps).to_have_count(4)
    await expect(steps.first).to_contain_text("Opened → WELCOME")
    await expect(steps.last).to_contain_text("Refused: Pick a room type")
    await panel.locator("summary").blur()
    timeline = page.locator("ol.timeline")
    await expect(timeline.locator("li[data-name='flow.screen.submitted']")).to_have_count(2)
    await expect(timeline).to_contain_text("Screen DATES submitted")
    await expect(timeline).to_contain_text("Screen ROOMS refused: Pick a room type")
    await screenshot(page, "timeline-flow")

    # when: on a phone (the template picker's long options once made the page scroll sideways)
    await page.set_viewport_size({"width": 390, "height": 844})

    # then: one column, nothing wider than the screen
    await expect(panel).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
