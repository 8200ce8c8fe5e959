"""The whole of Lateral in one process (`lateral up`): a household sent by partners through the
partner API is linked and indexed, and a practitioner finds it in Chromium — misspelt name and
year of birth, the household, the chart, the address with the police call, a wrong-link report."""

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

        return await eventually(with_household, within_s=60)


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

    await page.get_by_role("tab", name="Why linked").click()
    card = page.locator(".govuk-summary-card", has_text="Missed appointment")
    await card.get_by_text("This is not the same person").click()
    await card.get_by_label("Why is this record not about this person?").fill(
        "Our health visitor says this appointment was for a cousin."
    )
    await card.get_by_role("button", name="Send for review").click()
    await expect(page.get_by_text("Report sent")).to_be_visible()

    await page.get_by_role("tab", name="Addresses").click()
    await page.get_by_role("tabpanel", name="Addresses").get_by_role("link").first.click()
    await page.get_by_role("tab", name=re.compile("Records")).click()
    await expect(page.get_by_text("Emergency call")).to_be_visible()
    assert await serious_violations(page) == []
