"""The end-to-end flows, run once per mode: embedded (one `lateral up` process on the embedded
log, SQLite and the embedded index) and distributed (seven OS processes on Kafka (Tansu),
PostgreSQL and an OpenSearch-API engine (noida-db), configured only by environment variables)."""

from __future__ import annotations

import pytest

from e2e.feeds_scenario import (
    check_csv_upload_quarantine_and_resend,
    check_update_close_and_withdrawal_reach_search,
)
from e2e.harness import distributed_deployment, embedded_deployment
from e2e.review_scenario import check_a_stewards_decision_reaches_search
from e2e.scenario import (
    Deployment,
    check_bad_input_publishes_nothing,
    check_found_audited_idempotent_and_alerted,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(
    params=[
        "embedded",
        pytest.param(
            "distributed", marks=[pytest.mark.kafka, pytest.mark.postgres, pytest.mark.opensearch]
        ),
    ]
)
def deployment(request: pytest.FixtureRequest) -> Deployment:
    """Lateral running in each mode in turn."""
    if request.param == "embedded":
        return embedded_deployment(request.getfixturevalue("embedded"))
    return distributed_deployment(request.getfixturevalue("distributed"))


async def test_record_flows_to_search_audit_and_alert(deployment: Deployment) -> None:
    await check_found_audited_idempotent_and_alerted(deployment)


async def test_bad_input_is_rejected_and_nothing_published(deployment: Deployment) -> None:
    await check_bad_input_publishes_nothing(deployment)


async def test_update_close_and_withdrawal_reach_search(deployment: Deployment) -> None:
    await check_update_close_and_withdrawal_reach_search(deployment)


async def test_csv_upload_quarantines_bad_rows_until_resent(deployment: Deployment) -> None:
    await check_csv_upload_quarantine_and_resend(deployment)


async def test_a_stewards_decision_reaches_search(deployment: Deployment) -> None:
    await check_a_stewards_decision_reaches_search(deployment)
