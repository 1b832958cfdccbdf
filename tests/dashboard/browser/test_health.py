"""Account health: the number's quality rating and messaging limit, templates' statuses and
category changes, and the account events behind them."""

from __future__ import annotations

from typing import Any

from tests.dashboard.browser.helpers import Dashboard, expect, screenshot


async def test_the_health_page_shows_what_meta_said(page: Any, dashboard: Dashboard) -> None:
    # given
    await dashboard.control(
        "POST",
        "/account/events",
        {"field": "phone_number_quality_update", "event": "DOWNGRADE", "quality_rating": "YELLOW"},
    )
    await dashboard.control("POST", "/account/events", {"field": "account_review_update"})
    await dashboard.control("POST", "/templates/seasonal_promo/status", {"event": "PAUSED"})
    await dashboard.control("POST", "/templates/order_update/category", {"category": "MARKETING"})

    # when
    await page.goto(dashboard.link("#/health"))

    # then
    number = page.locator("section", has_text="Phone numbers").locator("tbody tr")
    await expect(number).to_have_count(1)
    await expect(number).to_contain_text("Yellow")
    await expect(number).to_contain_text("Tier")
    paused = page.locator("tr[data-template='seasonal_promo']")
    await expect(paused).to_contain_text("Paused")
    changes = page.locator("section", has_text="Template changes")
    await expect(changes).to_contain_text("template.updated")
    events = page.locator("section", has_text="Account events")
    await expect(events).to_contain_text("phone_number.quality_updated")
    await screenshot(page, "health")
