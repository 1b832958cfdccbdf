"""The overview: delivery figures and the per-day chart in the browser's time zone, failure
codes in Meta's words, and a funnel the person defines from event names."""

from __future__ import annotations

import re
from typing import Any

from tests.dashboard.browser.helpers import Dashboard, expect, screenshot


async def test_the_overview_shows_delivery_and_a_funnel_the_person_defines(
    page: Any, dashboard: Dashboard
) -> None:
    # given: two conversations answered (one read, one not yet), and a template to a number
    # that is not on WhatsApp
    session = await dashboard.customer_writes("15551234567", "Hello!", "Maria Silva")
    await dashboard.send_text("15551234567", "Hi Maria, how can we help?", session)
    dashboard.sandbox.config.update({"read_receipts": False})
    session = await dashboard.customer_writes("5511987654321", "Olá!", "Ana Souza")
    await dashboard.send_text("5511987654321", "Olá Ana, em que podemos ajudar?", session)
    await dashboard.send_template("9995550100")

    # when
    await page.goto(dashboard.link("#/overview"))

    # then: the figures and the chart
    tiles = page.locator(".tiles")
    await expect(tiles.locator(".tile").filter(has_text="Sent")).to_contain_text("3")
    await expect(tiles.locator(".tile").filter(has_text="Read rate")).to_contain_text(
        re.compile(r"50\s?%")
    )
    await expect(tiles.locator(".tile").filter(has_text="Failed")).to_contain_text("1")
    failure = page.locator("table.failures tbody tr")
    await expect(failure).to_have_count(1)
    await expect(failure).to_contain_text("131026")
    canvas = page.locator(".chart canvas").first
    await expect(canvas).to_have_attribute(
        "aria-label", "Messages per day for 7 days: 3 in all; the table below has the figures."
    )
    assert (await canvas.bounding_box())["height"] > 100
    zone = await page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    await expect(page.get_by_text(f"Days are counted in your time zone, {zone}.")).to_be_visible()

    # when: a funnel sent → delivered → read, per contact
    await page.get_by_label("Step 1 event").fill("message.sent")
    await page.get_by_label("Step 2 event").fill("message.delivered")
    await page.get_by_role("button", name="Add a step").click()
    await expect(page.get_by_label("Step 3 event")).to_be_focused()
    await page.keyboard.type("message.read")
    await page.keyboard.press("Enter")

    # then
    steps = page.locator(".funnel-step")
    await expect(steps).to_have_count(3)
    await expect(steps.nth(0)).to_have_attribute("data-count", "2")
    await expect(steps.nth(1)).to_have_attribute("data-count", "2")
    await expect(steps.nth(2)).to_have_attribute("data-count", "1")
    await expect(steps.nth(2)).to_contain_text(
        re.compile(r"50\s?% of step 1 · 50\s?% of the previous step")
    )
    saved = await page.evaluate("JSON.parse(localStorage.getItem('wagraph.funnel')).steps")
    assert saved == ["message.sent", "message.delivered", "message.read"]
    await screenshot(page, "overview", top=True)
    await page.locator(".funnel").scroll_into_view_if_needed()
    await screenshot(page, "overview-funnel")
