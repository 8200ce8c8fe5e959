"""End to end in embedded mode: one `lateral up` process, embedded log, SQLite, embedded index."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from e2e.feeds_scenario import (
    check_csv_upload_quarantine_and_resend,
    check_update_close_and_withdrawal_reach_search,
)
from e2e.harness import feed_of_kind
from e2e.scenario import (
    Deployment,
    check_bad_input_publishes_nothing,
    check_found_audited_idempotent_and_alerted,
    eventually,
    search,
    staff_token,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def deployment(embedded: dict) -> Deployment:
    url, credentials = embedded["url"], embedded["credentials"]
    csc_feed, csc_client = feed_of_kind(credentials, "childrens_social_care")
    police_feed, police_client = feed_of_kind(credentials, "police")
    users = {v["roles"][0]: f"{name}:{v['password']}" for name, v in credentials["users"].items()}
    return Deployment(
        gateway_url=url,
        search_url=url,
        alerts_url=url,
        audit_url=url,
        metrics_urls={
            s: f"{url}/metrics" for s in ("ingest-gateway", "indexer", "alerts", "matcher", "audit")
        },
        csc_feed=csc_feed,
        police_feed=police_feed,
        partner_clients={csc_feed: csc_client, police_feed: police_client},
        users=users,
    )


async def test_record_flows_to_search_audit_and_alert(deployment: Deployment) -> None:
    await check_found_audited_idempotent_and_alerted(deployment)


async def test_bad_input_is_rejected_and_nothing_published(deployment: Deployment) -> None:
    await check_bad_input_publishes_nothing(deployment)


async def test_update_close_and_withdrawal_reach_search(deployment: Deployment) -> None:
    await check_update_close_and_withdrawal_reach_search(deployment)


async def test_csv_upload_quarantines_bad_rows_until_resent(deployment: Deployment) -> None:
    await check_csv_upload_quarantine_and_resend(deployment)


async def test_a_file_left_in_a_drop_folder_is_ingested_and_moved(
    deployment: Deployment, embedded: dict
) -> None:
    """The SFTP-landing pattern: a partner leaves a CSV; Lateral takes it and files it away."""
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
