"""Embedded mode only: the drop folders `lateral up` watches under its data folder."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from e2e.harness import embedded_deployment
from e2e.scenario import Deployment, eventually, search, staff_token

pytestmark = pytest.mark.e2e


async def test_a_file_left_in_a_drop_folder_is_ingested_and_moved(embedded: dict) -> None:
    """The SFTP-landing pattern: a partner leaves a CSV; Lateral takes it and files it away."""
    deployment: Deployment = embedded_deployment(embedded)
    feed_folder = embedded["data"] / "drop" / deployment.csc_feed
    (feed_folder / "incoming" / "nightly.csv").write_text(
        "source_record_id,event_type,event_date,status,forename,surname,date_of_birth\n"
        "DROP-E2E-1,early_help,2026-06-01,open,Freya,Ashcombe,2019-08-30\n"
    )

    async def moved() -> list[Path]:
        return list((feed_folder / "processed").glob("nightly.*.csv"))

    await eventually(moved, within_s=10)
    assert not (feed_folder / "incoming" / "nightly.csv").exists()
    async with httpx.AsyncClient(timeout=30) as client:
        token = await staff_token(client, deployment, "practitioner")

        async def found() -> bool:
            return (await search(client, deployment, token, name="Freya Ashcombe"))["total"] == 1

        await eventually(found, within_s=10)
