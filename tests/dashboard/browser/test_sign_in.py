"""Signing in: the link `make run` prints (the key in the fragment, then gone from the address
bar), a typed key, a wrong key refused in words, and signing out."""

from __future__ import annotations

import re
from typing import Any

from tests.dashboard.browser.helpers import Dashboard, expect, screenshot


async def test_the_fragment_link_signs_in_and_leaves_the_key_out_of_the_address(
    page: Any, dashboard: Dashboard
) -> None:
    # given: two conversations
    await dashboard.customer_writes("15551234567", "Hi! Is my order on its way?", "Maria Silva")
    await dashboard.send_text("15551234567", "Yes: it ships today.")
    await dashboard.customer_writes("5511987654321", "Olá, quero reservar", "Ana Souza")

    # when
    await page.goto(dashboard.link())

    # then
    await expect(page.get_by_role("heading", name="Sessions", level=1)).to_be_visible()
    rows = page.locator("table.sessions tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text("Ana Souza")
    await expect(rows.nth(1)).to_contain_text("You: Yes: it ships today.")
    await expect(rows.nth(1)).to_contain_text(re.compile(r"Open, 2[34] h \d+ min left"))
    assert "key=" not in page.url and page.url.endswith("/dashboard#/sessions")
    stored = await page.evaluate("sessionStorage.getItem('wagraph.apiKey')")
    assert stored == dashboard.key
    await expect(page.locator("#live-state")).to_have_text("Live updates: on")
    await screenshot(page, "sessions")

    # when: searching by username, then by a number prefix (the filters live in the address)
    await page.get_by_role("searchbox", name="Search").fill("ana.sou")
    await page.get_by_role("searchbox", name="Search").press("Enter")

    # then
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Ana Souza")
    assert page.url.endswith("#/sessions?q=ana.sou")
    await page.get_by_role("searchbox", name="Search").fill("+1555")
    await page.get_by_role("button", name="Apply").click()
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Maria Silva")


async def test_a_wrong_key_is_refused_in_words_and_a_typed_key_signs_in(
    page: Any, dashboard: Dashboard
) -> None:
    # given
    await page.goto("/dashboard")
    key = page.get_by_label("API key")

    # when: a wrong key
    await key.fill("wg_not_a_key")
    await key.press("Enter")

    # then
    alert = page.get_by_role("alert")
    await expect(alert).to_have_text("Sign-in failed: Invalid, revoked or expired API key")
    await expect(key).to_have_attribute("aria-invalid", "true")
    await expect(key).to_be_focused()
    await screenshot(page, "sign-in-error")

    # when: the right one, then signing out
    await key.fill(dashboard.key)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Sessions", level=1)).to_be_visible()
    await expect(page.get_by_text("No sessions yet")).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()

    # then
    await expect(page.get_by_role("status")).to_have_text("You are signed out.")
    assert await page.evaluate("sessionStorage.getItem('wagraph.apiKey')") is None
