"""The sessions list: a search done by the server pages like any filter and combines with the
others; on a phone the filters fold away so the list comes first."""

from __future__ import annotations

from typing import Any

from models import SessionStatus
from tests.dashboard.browser.helpers import Dashboard, expect, screenshot
from tests.dashboard.browser.seed import sessions_of

PHONE = {"width": 390, "height": 844}


def shown(first: int, last: int, total: int) -> str:
    """What the pager says: "1 to 20 of 23", with an en dash."""
    return f"{first}\N{EN DASH}{last} of {total}"


async def test_a_search_pages_and_combines_with_the_filters(
    page: Any, dashboard: Dashboard
) -> None:
    # given: 23 customers called Paula (3 of them with a completed session), and 2 others
    await sessions_of("Paula Ramos", 20, first_number=15550200000)
    await sessions_of("Paula Lima", 3, first_number=15550300000, status=SessionStatus.COMPLETED)
    await sessions_of("Bruno Alves", 2, first_number=15550400000)
    await page.goto(dashboard.link("#/sessions"))
    rows = page.locator("table.sessions tbody tr")
    await expect(rows).to_have_count(20)
    pages = page.get_by_role("navigation", name="Pages of sessions")
    await expect(pages.get_by_role("status")).to_have_text(shown(1, 20, 25))

    # when: searched (any case), then the next page
    search = page.get_by_role("searchbox", name="Search")
    await search.fill("PAULA")
    await search.press("Enter")

    # then: the server's search, paged
    await expect(pages.get_by_role("status")).to_have_text(shown(1, 20, 23))
    await expect(rows).to_have_count(20)
    await expect(rows.filter(has_text="Bruno")).to_have_count(0)
    await pages.get_by_role("button", name="Next page").click()
    await expect(pages.get_by_role("status")).to_have_text(shown(21, 23, 23))
    await expect(rows).to_have_count(3)
    await expect(rows.filter(has_text="Paula")).to_have_count(3)
    await expect(pages.get_by_role("button", name="Next page")).to_be_disabled()
    await pages.get_by_role("button", name="Previous page").click()
    await expect(pages.get_by_role("status")).to_have_text(shown(1, 20, 23))

    # when: a status as well (on a wide screen the filters are open)
    await page.get_by_label("Status").select_option("COMPLETED")
    await page.get_by_role("button", name="Apply").click()

    # then
    await expect(rows).to_have_count(3)
    await expect(rows.filter(has_text="Paula Lima")).to_have_count(3)
    await expect(page.locator(".pager")).to_have_text("3 sessions")
    assert page.url.endswith("#/sessions?q=PAULA&status=COMPLETED")

    # when: a search that finds nobody
    await search.fill("Zeca")
    await search.press("Enter")

    # then
    await expect(page.locator(".empty")).to_have_text(
        "No session\N{RIGHT SINGLE QUOTATION MARK}s contact matches “Zeca” with these filters."
    )


async def test_on_a_phone_the_filters_fold_and_the_list_comes_first(
    page: Any, dashboard: Dashboard
) -> None:
    # given
    await dashboard.customer_writes("15551234567", "Can I change the delivery address?", "Maria")
    await dashboard.customer_writes("447700900456", "Booking for two, please", "Sheena")
    await page.set_viewport_size(PHONE)

    # when
    await page.goto(dashboard.link())

    # then: rows become cards, the filters are folded, both rows on the first screen
    rows = page.locator("table.sessions tbody tr")
    await expect(rows).to_have_count(2)
    filters = page.locator("details.more-filters")
    await expect(filters).not_to_have_attribute("open", "")
    await expect(page.get_by_label("Status")).to_be_hidden()
    box = await rows.nth(1).bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshot(page, "sessions-phone")

    # when: opened from the keyboard
    summary = filters.locator("summary")
    await summary.focus()
    await page.keyboard.press("Enter")

    # then
    await expect(filters).to_have_attribute("open", "")
    await expect(page.get_by_label("Status")).to_be_visible()

    # when: a filter is set, it stays open and says so
    await page.get_by_label("24-hour window").select_option("open")
    await page.get_by_role("button", name="Apply").click()

    # then
    await expect(summary).to_have_text("Filters 1 set")
    await expect(filters).to_have_attribute("open", "")
    await expect(rows).to_have_count(2)
