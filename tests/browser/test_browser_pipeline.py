"""The whole of Lateral in one process (`lateral up`): a household sent by partners through the
partner API is linked and indexed, and a practitioner finds it in Chromium — misspelt name and
year of birth, the household, the chart, the address with the police call, a wrong-link report;
then a data steward decides the report in the review queue."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from browser.accessibility import serious_violations
from browser.conftest import chromium_page
from browser.pipeline_household import records_by_kind
from playwright.async_api import Page, expect

from e2e.harness import BIN, embedded_deployment, feed_of_kind, free_port, stop, wait_ready
from e2e.scenario import Deployment, eventually, push, staff_token

STEWARD_REASON = "Checked with the health visitor: the appointment was for a cousin."

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lateral_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`lateral up` on a free loopback port, with no demo records."""
    data = tmp_path_factory.mktemp("browser-up")
    port = free_port()
    log = data / "lateral.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [BIN / "lateral", "up", "--data-dir", data / "data", "--port", str(port),
             "--demo-records", "0"],
            stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "LATERAL_ENVIRONMENT": "test"},
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, log)
        credentials = json.loads((data / "data" / "credentials.json").read_text())
        yield {"url": url, "credentials": credentials}
    finally:
        stop(proc, "lateral up")


async def _household_sent(lateral: dict[str, Any]) -> str:
    """Send the household through the partner API; the child's person ID once she is indexed
    with her household."""
    deployment: Deployment = embedded_deployment(lateral)
    async with httpx.AsyncClient(timeout=30) as client:
        for kind, records in records_by_kind().items():
            feed, partner = feed_of_kind(lateral["credentials"], kind)
            partner_deployment = dataclasses.replace(deployment, partner_clients={feed: partner})
            sent = await push(client, partner_deployment, feed, records)
            assert sent.status_code in (200, 201, 202), sent.text
        token = await staff_token(client, deployment, "practitioner")
        headers = {"Authorization": f"Bearer {token}", "X-Lateral-Reason": "browser test setup"}

        async def with_household() -> str | None:
            found = await client.post(f"{lateral['url']}/v1/search", headers=headers,
                                      json={"nhs_number": "9434765919"})  # fmt: skip
            results = found.json().get("results", []) if found.status_code == 200 else []
            if not results:
                return None
            person_id = str(results[0]["person_id"])
            person = await client.get(f"{lateral['url']}/v1/persons/{person_id}", headers=headers)
            ready = person.status_code == 200 and person.json().get("household")
            return person_id if ready and len(person.json()["records"]) == 2 else None

        return str(await eventually(with_household, within_s=60))


@pytest.fixture
async def page(lateral_up: dict[str, Any]) -> AsyncIterator[Page]:
    """A fresh Chromium on the whole of Lateral."""
    async with chromium_page(lateral_up["url"]) as tab:
        yield tab


async def test_a_household_sent_by_partners_is_found_and_reported_in_the_browser(
    page: Page, lateral_up: dict[str, Any]
) -> None:
    person_id = await _household_sent(lateral_up)
    username, password = embedded_deployment(lateral_up).users["practitioner"].split(":", 1)
    await page.goto("/")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_label("A case I am working on").check()
    await page.get_by_label("Case reference").fill("CP-2026-77")
    await page.get_by_role("button", name="Continue").click()

    await page.get_by_label("Name").fill("Elie Mrash")  # two spelling mistakes
    await page.get_by_label("Year").fill("2015")
    await page.get_by_role("button", name="Search").click()
    await page.get_by_role("link", name="Ellie Marsh").click()
    await expect(page.get_by_role("heading", level=1, name="Ellie Marsh")).to_be_visible()
    assert page.url.endswith(f"/people/{person_id}")
    assert await serious_violations(page) == []

    await page.get_by_role("tab", name="Household").click()
    await expect(page.get_by_role("link", name="Joanne Marsh")).to_be_visible()
    await page.get_by_role("tab", name="Activity").click()
    await expect(
        page.get_by_role("img", name=re.compile("Agency activity by month"))
    ).to_be_visible()

    await _report_missed_appointment_on_person_page(page)

    await page.get_by_role("tab", name="Addresses").click()
    await page.get_by_role("tabpanel", name="Addresses").get_by_role("link").first.click()
    await page.get_by_role("tab", name=re.compile("Records")).click()
    await expect(page.get_by_text("Emergency call")).to_be_visible()
    assert await serious_violations(page) == []


async def _sign_in(page: Page, lateral: dict[str, Any], role: str) -> None:
    username, password = embedded_deployment(lateral).users[role].split(":", 1)
    await page.goto("/")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def _report_the_missed_appointment(page: Page, lateral: dict[str, Any]) -> None:
    """A practitioner says the missed appointment is not the child's (the matcher makes one
    review item of it however often it is reported)."""
    person_id = await _household_sent(lateral)
    await _sign_in(page, lateral, "practitioner")
    await page.get_by_label("A case I am working on").check()
    await page.get_by_label("Case reference").fill("CP-2026-77")
    await page.get_by_role("button", name="Continue").click()
    await page.goto(f"/people/{person_id}")
    await _report_missed_appointment_on_person_page(page)


async def _report_missed_appointment_on_person_page(page: Page) -> None:
    await page.get_by_role("tab", name="Why linked").click()
    card = page.locator(".govuk-summary-card", has_text="Missed appointment")
    await card.get_by_text("This is not the same person").click()
    await card.get_by_label("Why is this record not about this person?").fill(
        "Our health visitor says this appointment was for a cousin."
    )
    await card.get_by_role("button", name="Send for review").click()
    await expect(page.get_by_text("Report sent")).to_be_visible()


async def _fits_320_pixels(page: Page) -> bool:
    await page.set_viewport_size({"width": 320, "height": 640})
    width = await page.evaluate("document.documentElement.scrollWidth")
    await page.set_viewport_size({"width": 1024, "height": 900})
    return bool(width <= 320)


async def test_a_data_steward_decides_a_reported_link_in_the_browser(
    page: Page, lateral_up: dict[str, Any]
) -> None:
    await _report_the_missed_appointment(page, lateral_up)
    async with chromium_page(lateral_up["url"]) as steward:
        await _sign_in(steward, lateral_up, "data_steward")
        # A data steward lands on the review queue, which the menu offers.
        await expect(steward.get_by_role("heading", level=1, name="Review queue")).to_be_visible()
        await expect(steward.get_by_role("link", name="Review queue")).to_be_visible()
        reported = steward.locator("tr", has_text="Reported by a practitioner")

        async def listed() -> bool:  # the matcher raises the item from the report in the background
            if await reported.count():
                return True
            await steward.reload()
            return False

        await eventually(listed, within_s=30)
        assert await serious_violations(steward) == [], steward.url
        assert await _fits_320_pixels(steward)

        await reported.get_by_role("link", name=re.compile("Review")).click()
        await expect(
            steward.get_by_role("heading", level=1, name="Are these records about the same person?")
        ).to_be_visible()
        await expect(
            steward.get_by_text("Our health visitor says this appointment")
        ).to_be_visible()
        table = steward.get_by_role("table", name=re.compile("The record under review"))
        await expect(table.get_by_role("cell", name="Missed appointment").first).to_be_visible()
        assert "/review/" in steward.url and "Marsh" not in steward.url  # item IDs only
        assert await serious_violations(steward) == [], steward.url
        assert await _fits_320_pixels(steward)

        # Nothing chosen: the error summary names both fields and links to them.
        await steward.get_by_role("button", name="Save decision").click()
        summary = steward.locator(".govuk-error-summary")
        await expect(summary).to_be_focused()
        await expect(
            summary.get_by_role("link", name="Select whether the records are about the same person")
        ).to_be_visible()
        await expect(
            summary.get_by_role("link", name="Enter the reason for your decision")
        ).to_be_visible()
        assert await serious_violations(steward) == [], steward.url

        await steward.get_by_label("Not the same person").check()
        await steward.get_by_label("Reason for your decision").fill(STEWARD_REASON)
        await steward.get_by_role("button", name="Save decision").click()
        await expect(steward.get_by_role("heading", level=1, name="Decision saved")).to_be_visible()
        await expect(steward.get_by_text("Not the same person")).to_be_visible()
        assert await serious_violations(steward) == [], steward.url

        # From the queue to the decided items: this decision first, with who, which way and why.
        await steward.get_by_role("link", name="Go back to the review queue").click()
        await steward.get_by_role("link", name="See the items already decided").click()
        await expect(steward.get_by_role("heading", level=1, name="Decided items")).to_be_visible()
        newest = steward.locator("tbody tr").first
        await expect(newest).to_contain_text("Not the same person")
        await expect(newest).to_contain_text(STEWARD_REASON[:150])
        assert await serious_violations(steward) == [], steward.url
        assert await _fits_320_pixels(steward)

    # The matcher kept the decision under the steward's own user ID.
    deployment = embedded_deployment(lateral_up)
    async with httpx.AsyncClient(timeout=30) as client:
        token = await staff_token(client, deployment, "data_steward")
        decided = await client.get(
            f"{lateral_up['url']}/v1/review-items",
            params={"status": "not_same"},
            headers={"Authorization": f"Bearer {token}"},
        )
    [item] = [i for i in decided.json()["items"] if i["source"] == "practitioner"]
    username = deployment.users["data_steward"].split(":", 1)[0]
    assert (item["decided_by"], item["decision_reason"]) == (username, STEWARD_REASON)
