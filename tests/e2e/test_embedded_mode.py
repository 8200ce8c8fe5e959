"""End to end in embedded mode: one `lateral up` process, embedded log, SQLite, embedded index."""

from __future__ import annotations

import pytest

from e2e.harness import feed_of_kind
from e2e.scenario import (
    Deployment,
    check_bad_input_publishes_nothing,
    check_found_audited_idempotent_and_alerted,
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
