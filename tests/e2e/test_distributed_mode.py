"""End to end in distributed mode: seven OS processes on Kafka (Tansu), PostgreSQL and an
OpenSearch-API engine (noida-db), configured only by environment variables."""

from __future__ import annotations

import pytest

from e2e.feeds_scenario import (
    check_csv_upload_quarantine_and_resend,
    check_update_close_and_withdrawal_reach_search,
)
from e2e.scenario import (
    Deployment,
    check_bad_input_publishes_nothing,
    check_found_audited_idempotent_and_alerted,
)

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres, pytest.mark.opensearch]


@pytest.fixture
def deployment(distributed: dict) -> Deployment:
    urls = distributed["urls"]
    partner_client = distributed["partner_client"]
    return Deployment(
        gateway_url=urls["ingest-gateway"],
        search_url=urls["search-api"],
        alerts_url=urls["alerts"],
        audit_url=urls["audit"],
        metrics_urls={name: f"{url}/metrics" for name, url in urls.items()},
        csc_feed="e2e-csc",
        police_feed="e2e-police",
        partner_clients={"e2e-csc": partner_client, "e2e-police": partner_client},
        users=distributed["users"],
    )


async def test_record_flows_to_search_audit_and_alert(deployment: Deployment) -> None:
    await check_found_audited_idempotent_and_alerted(deployment)


async def test_bad_input_is_rejected_and_nothing_published(deployment: Deployment) -> None:
    await check_bad_input_publishes_nothing(deployment)


async def test_update_close_and_withdrawal_reach_search(deployment: Deployment) -> None:
    await check_update_close_and_withdrawal_reach_search(deployment)


async def test_csv_upload_quarantines_bad_rows_until_resent(deployment: Deployment) -> None:
    await check_csv_upload_quarantine_and_resend(deployment)
