"""A session's timeline: a message's ticks moving to read live as Meta's status webhooks
arrive, and replying — free text inside the 24-hour window, a template outside it (with the
API's validation errors next to the field they are about)."""

from __future__ import annotations

import re
from typing import Any

from tests.dashboard.browser.helpers import Dashboard, expect, screenshot

CUSTOMER = "15551234567"


async def test_a_message_moves_to_read_live(page: Any, dashboard: Dashboard) -> None:
    # given: a conversation whose last message reached the phone, not yet read
    dashboard.sandbox.config.update({"read_receipts": False})
    session = await dashboard.customer_writes(
        CUSTOMER, "Hi! Is my order on its way?", "Maria Silva"
    )
    sent = await dashboard.send_text(CUSTOMER, "Yes! It left the warehouse this morning.", session)
    assert await dashboard.message_status(sent["id"]) == "DELIVERED"
    await dashboard.customer_sends_photo(CUSTOMER, "The box arrived a bit crushed")
    reply = await dashboard.send_text(CUSTOMER, "You're welcome — tracking: TRK-2231.", session)
    await dashboard.subscribers(0)

    # when: the session is open and Meta says the customer read the reply
    await page.goto(dashboard.link(f"#/sessions/{session}"))
    message = page.locator(f'li[data-id="{reply["id"]}"]')
    await expect(message).to_have_attribute("data-status", "DELIVERED")
    await expect(message.locator(".status-label")).to_have_text("Delivered")
    await dashboard.subscribers(2)
    await dashboard.customer_reads(reply["wamid"], CUSTOMER)

    # then: without a reload
    await expect(message).to_have_attribute("data-status", "READ")
    await expect(message.locator(".status-label")).to_have_text("Read")
    await expect(message.locator(".status")).to_contain_text("Read ")
    await expect(page.locator("#announcer")).to_have_text("Message read")
    await expect(page.get_by_role("heading", name="Maria Silva", level=1)).to_be_visible()
    photo = page.get_by_role("img", name="The box arrived a bit crushed")
    await expect(photo).to_have_attribute("src", re.compile(r"^blob:"))
    assert await photo.evaluate("img => img.complete && img.naturalWidth") == 240
    await screenshot(page, "timeline")


async def test_a_reply_inside_the_window_is_free_text(page: Any, dashboard: Dashboard) -> None:
    # given
    session = await dashboard.customer_writes(CUSTOMER, "Can I pick it up myself?", "Maria Silva")
    await page.goto(dashboard.link(f"#/sessions/{session}"))
    await expect(page.locator("#window-notice")).to_contain_text("The 24-hour window is open")
    box = page.get_by_label("Message", exact=True)

    # when: sent empty, then with words (Ctrl+Enter)
    await page.get_by_role("button", name="Send", exact=True).click()
    await expect(page.locator(".field-error")).to_have_text(
        "Text body must be 1-4096 characters (got 0)"
    )
    await expect(box).to_have_attribute("aria-invalid", "true")
    await box.fill("Of course: the shop on Rua Augusta keeps it for 7 days.")
    await box.press("Control+Enter")

    # then: it joins the timeline, and its ticks follow Meta's statuses live
    sent = page.locator("li.msg.out").last
    await expect(sent).to_contain_text("Of course: the shop on Rua Augusta")
    await expect(sent).to_have_attribute("data-status", "READ")
    await expect(page.locator(".field-error")).to_have_count(0)
    await expect(box).to_have_value("")
    await screenshot(page, "reply-text", top=True)


async def test_outside_the_window_a_template_is_sent_from_a_form(
    page: Any, dashboard: Dashboard
) -> None:
    # given: a customer who wrote 30 hours ago (the window is closed)
    session = await dashboard.customer_writes("15550104004", "Is the parcel ready?", "Rui Costa")
    await dashboard.wrote_long_ago(session, hours=30)
    await page.goto(dashboard.link(f"#/sessions/{session}"))
    await expect(page.locator("#window-notice")).to_contain_text("The 24-hour window is closed")
    await expect(page.get_by_label("Message", exact=True)).to_have_count(0)

    # when: a template with one of its parameters left empty
    await page.get_by_label("Template", exact=True).select_option(
        label="order_update · en_US · utility"
    )
    await page.get_by_label("Header {{1}}").fill("#1042")
    await page.get_by_label("{{1}}", exact=True).fill("Rui")
    await page.get_by_label("{{3}}", exact=True).fill("Friday")
    await page.get_by_label("“Track order” link suffix").fill("1042")
    await page.get_by_role("button", name="Send template").click()

    # then: the API's error, next to the empty field
    second = page.get_by_label("{{2}}", exact=True)
    await expect(second).to_have_attribute("aria-invalid", "true")
    error = page.locator(".field-error")
    await expect(error).to_have_text("Body parameter text must be 1-1024 characters (got 0)")
    await expect(second).to_be_focused()
    described = await second.get_attribute("aria-describedby")
    assert await error.get_attribute("id") in (described or "").split()
    await expect(page.locator("#template-preview")).to_contain_text("Hi Rui, your order {{2}}")
    await screenshot(page, "reply-template-error")

    # when: filled in
    await second.fill("#1042")
    await page.get_by_role("button", name="Send template").click()

    # then
    await expect(page.get_by_role("status").filter(has_text="Template sent.")).to_be_visible()
    sent = page.locator("li.msg.out").last
    await expect(sent).to_contain_text("Template order_update (en_US)")
    await expect(sent).to_contain_text("Rui · #1042 · Friday")
    await expect(sent).to_contain_text("Hi Rui, your order #1042 has shipped and will arrive on")
    await expect(sent).to_have_attribute("data-status", "READ")
    await screenshot(page, "reply-template", top=True)
