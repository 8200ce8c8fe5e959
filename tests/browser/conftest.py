"""The search-api served on 127.0.0.1 as its own process (`lateral-search-api serve`) on an
embedded index and bus seeded with a synthetic household, and Debian's Chromium driven by
Playwright. `scripts/ensure-browser.sh` installs Chromium where it is missing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from browser import synthetic_family
from playwright.async_api import Page, async_playwright

from e2e.harness import BIN, free_port, stop, wait_ready
from lateral_search_api.adapters.database import open_database
from lateral_search_api.service_layer.users import ensure_user
from lateral_shared.db import session_factory
from lateral_shared.index import connect_index

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "synthetic practitioner password"  # noqa: S105 (a test-only account)
USERS = {"pat": "practitioner", "iggy": "ig_officer"}


async def _seed(index_url: str, database_url: str) -> None:
    """The synthetic household in the index, and the staff accounts."""
    engine = await open_database(database_url)
    async with session_factory(engine)() as session:
        for username, role in USERS.items():
            await ensure_user(session, username=username, password=PASSWORD, roles=[role])
    await engine.dispose()
    index = connect_index(index_url)
    await index.start()
    try:
        await index.upsert_persons(synthetic_family.persons())
        await index.upsert_addresses(synthetic_family.addresses())
    finally:
        await index.close()


@pytest.fixture(scope="module")
def lateral(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The running search-api: its URL and the environment it was started with."""
    data = tmp_path_factory.mktemp("browser")
    port = free_port()
    env = {
        **os.environ, "LATERAL_ENVIRONMENT": "test", "LATERAL_HTTP_PORT": str(port),
        "LATERAL_SECRET_KEY": "browser-test-secret-0123456789abcdef-not-real",
        "LATERAL_DATABASE_URL": f"sqlite+aiosqlite:///{data}/search-api.db",
        "LATERAL_INDEX_URL": f"embedded://{data}/index.db",
        "LATERAL_BUS_URL": f"embedded://{data}/bus.db",
    }  # fmt: skip
    # pytest-asyncio may have a loop running in this thread: seed from another one.
    with ThreadPoolExecutor(1) as thread:
        seeding = _seed(env["LATERAL_INDEX_URL"], env["LATERAL_DATABASE_URL"])
        thread.submit(asyncio.run, seeding).result()
    log = data / "search-api.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [BIN / "lateral-search-api", "serve"], env=env, cwd=data, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc, log)
        yield {"url": url, "bus_url": env["LATERAL_BUS_URL"]}
    finally:
        stop(proc, "lateral-search-api")


@contextlib.asynccontextmanager
async def chromium_page(base_url: str) -> AsyncIterator[Page]:
    """A fresh Chromium (no cookies) on `base_url`, at a desktop width."""
    assert os.path.exists(CHROMIUM), "Chromium is missing: run scripts/ensure-browser.sh"  # noqa: ASYNC240
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(
            base_url=base_url, viewport={"width": 1024, "height": 900}
        )
        try:
            yield await context.new_page()
        finally:
            await context.close()
            await browser.close()


@pytest.fixture
async def page(lateral: dict[str, str]) -> AsyncIterator[Page]:
    """A fresh Chromium on the seeded search-api."""
    async with chromium_page(lateral["url"]) as tab:
        yield tab
