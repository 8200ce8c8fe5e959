"""A practitioner's journey in a real browser (Chromium): sign in, give a reason, search with a
misspelt name and a year of birth, open the person, see the household and the activity chart,
open the address, report a wrong link — with no serious accessibility problems on any page."""

from __future__ import annotations

import re

import pytest
from browser.accessibility import serious_violations
from browser.conftest import PASSWORD
from playwright.async_api import Page, expect

from lateral_shared.bus import connect_bus
from lateral_shared.contracts.events import LinkReported
from lateral_shared.contracts.topics import LINKS_REPORTED, decode_event

pytestmark = pytest.mark.browser


async def assert_accessible(page: Page) -> None:
    assert await serious_violations(page) == [], page.url


async def sign_in(page: Page, username: str = "pat") -> None:
    await page.goto("/")
    await expect(page.get_by_role("heading", name="Sign in to Lateral")).to_be_visible()
    await assert_accessible(page)
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def give_reason(page: Page) -> None:
    await expect(page.get_by_role("heading", name="Why are you looking?")).to_be_visible()
    await assert_accessible(page)
    await page.get_by_label("A case I am working on").check()
    await page.get_by_label("Case reference").fill("CIN-2024-0012")
    await page.get_by_role("button", name="Continue").click()


async def reported_links(bus_url: str) -> list[LinkReported]:
    """The reports on `links.reported`, read from the embedded bus the server publishes to."""
    bus = connect_bus(bus_url)
    await bus.start()
    consumer = bus.consumer("browser-test", [LINKS_REPORTED])
    await consumer.start()
    try:
        messages = await consumer.fetch(max_messages=10, timeout_s=2)
    finally:
        await consumer.stop()
        await bus.close()
    events = [decode_event(LINKS_REPORTED, m.value) for m in messages]
    return [e for e in events if isinstance(e, LinkReported)]


async def test_a_practitioner_finds_a_child_her_household_and_her_address(
    page: Page, lateral: dict[str, str]
) -> None:
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    await sign_in(page)
    await give_reason(page)

    await expect(page.get_by_role("heading", name="Find a person or an address")).to_be_visible()
    await assert_accessible(page)
    await page.get_by_label("Name").fill("Kara Lindqvst")  # misspelt
    await page.get_by_label("Year").fill("2013")
    await page.get_by_role("button", name="Search").click()
    await expect(page.get_by_role("heading", name=re.compile(r"1 person found"))).to_be_visible()
    await assert_accessible(page)

    await page.get_by_role("link", name="Cara Lindqvist").click()
    await expect(page.get_by_role("heading", level=1, name="Cara Lindqvist")).to_be_visible()
    await expect(page.get_by_text("Sam Worker").first).to_be_visible()
    await assert_accessible(page)
    await page.get_by_role("tab", name="Household").click()
    await expect(page.get_by_role("link", name="Dana Lindqvist")).to_be_visible()
    await page.get_by_role("tab", name="Activity").click()
    await expect(
        page.get_by_role("img", name=re.compile("Agency activity by month"))
    ).to_be_visible()
    await assert_accessible(page)

    await page.get_by_role("tab", name="Addresses").click()
    addresses = page.get_by_role("tabpanel", name="Addresses")
    await addresses.get_by_role("link", name="7 Orchard Row, Leeds, LS6 2AB").click()
    await expect(
        page.get_by_role("heading", level=1, name="7 Orchard Row, LS6 2AB")
    ).to_be_visible()
    await page.get_by_role("tab", name=re.compile("Records")).click()
    await expect(page.get_by_text("Concern for welfare")).to_be_visible()
    await assert_accessible(page)
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


async def test_a_practitioner_reports_a_wrong_link(page: Page, lateral: dict[str, str]) -> None:
    await sign_in(page)
    await give_reason(page)
    await page.goto("/people/person-cara")
    await page.get_by_role("tab", name="Why linked").click()
    card = page.locator(".govuk-summary-card", has_text="Was not brought")
    await card.get_by_text("This is not the same person").click()
    await card.get_by_label("Why is this record not about this person?").fill(
        "Our system has a different date of birth for this attendance."
    )
    await card.get_by_role("button", name="Send for review").click()
    await expect(page.get_by_text("Report sent")).to_be_visible()
    await assert_accessible(page)
    [report] = await reported_links(lateral["bus_url"])
    assert (report.person_id, report.record_key, report.reported_by) == (
        "person-cara", "ed/E-7", "pat",
    )  # fmt: skip


async def test_the_pages_are_usable_at_320_pixels_wide(page: Page) -> None:
    await page.set_viewport_size({"width": 320, "height": 640})
    await sign_in(page)
    await give_reason(page)
    for path in ("/search", "/people/person-cara"):
        await page.goto(path)
        # Nothing but the tables (which scroll inside their own box) is wider than the screen.
        page_width = await page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= 320, path
        await assert_accessible(page)


async def test_the_keyboard_alone_reaches_the_search(page: Page) -> None:
    await sign_in(page)
    await give_reason(page)
    await expect(page.get_by_role("heading", name="Find a person or an address")).to_be_visible()
    await page.keyboard.press("Tab")  # the skip link comes first
    await expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    await page.keyboard.press("Enter")
    name_box = page.get_by_label("Name")
    for _ in range(5):  # past the reason's "Change" link to the first box
        await page.keyboard.press("Tab")
        if await name_box.evaluate("box => box === document.activeElement"):
            break
    await expect(name_box).to_be_focused()
    await page.keyboard.type("Cara")
    await page.keyboard.press("Enter")  # submits the search form
    await expect(page.get_by_role("link", name="Cara Lindqvist")).to_be_visible()


async def test_an_ig_officer_cannot_search(page: Page) -> None:
    await sign_in(page, "iggy")
    await expect(page.get_by_role("heading", name="You are signed in")).to_be_visible()
    await page.goto("/search")
    await expect(page.get_by_role("heading", name="You cannot search Lateral")).to_be_visible()
    await assert_accessible(page)
