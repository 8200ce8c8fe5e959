"""End-to-end flows of partner feeds, written once against a `Deployment`: a correction and a
closed case reach search; a withdrawn record leaves search; a CSV upload with one bad row
accepts the good row, quarantines the bad one for the partner to correct and send again."""

from __future__ import annotations

from typing import Any

import httpx

from e2e.scenario import Deployment, eventually, partner_token, push, search, staff_token

REASON = "e2e: child protection enquiry"
NOAH_NHS = "9000000009"  # never issued: synthetic
NOAH = {
    "source_record_id": "CSC-E2E-2",
    "agency_kind": "childrens_social_care",
    "event_type": "child_in_need",
    "event_date": "2026-03-01",
    "status": "open",
    "person": {"forename": "Noah", "surname": "Fenwick", "date_of_birth": "2013-07-19",
               "nhs_number": NOAH_NHS},
    "address": {"lines": ["4 Sample Close"], "postcode": "LS7 3QD"},
}  # fmt: skip
CSV_HEADER = "source_record_id,event_type,event_date,status,forename,surname,date_of_birth\n"


async def _by_nhs(client: httpx.AsyncClient, d: Deployment, token: str) -> dict[str, Any]:
    return await search(client, d, token, nhs_number=NOAH_NHS)


async def check_update_close_and_withdrawal_reach_search(d: Deployment) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        practitioner = await staff_token(client, d, "practitioner")
        assert (await push(client, d, d.csc_feed, [NOAH])).status_code == 202

        async def open_case() -> bool:
            page = await _by_nhs(client, d, practitioner)
            return page["total"] == 1 and page["results"][0]["has_open_case"]

        await eventually(open_case, within_s=10)

        # Closing the case is an update with an end date; it flows through to search.
        closed = {**NOAH, "status": "closed", "end_date": "2026-04-01"}
        batch = (await push(client, d, d.csc_feed, [closed])).json()
        assert (batch["updated"], batch["accepted"], batch["unchanged"]) == (1, 0, 0)

        async def case_closed() -> bool:
            page = await _by_nhs(client, d, practitioner)
            return page["total"] == 1 and not page["results"][0]["has_open_case"]

        await eventually(case_closed, within_s=10)

        # Deleted at source: withdrawn, and gone from search.
        withdrawal = {"action": "withdraw", "source_record_id": NOAH["source_record_id"]}
        batch = (await push(client, d, d.csc_feed, [withdrawal])).json()
        assert batch["withdrawn"] == 1

        async def gone() -> bool:
            return (await _by_nhs(client, d, practitioner))["total"] == 0

        await eventually(gone, within_s=10)


async def _upload(client: httpx.AsyncClient, d: Deployment, csv_text: str) -> httpx.Response:
    token = await partner_token(client, d, d.csc_feed)
    return await client.post(
        f"{d.gateway_url}/v1/feeds/{d.csc_feed}/files",
        files={"file": ("nightly.csv", csv_text.encode(), "text/csv")},
        headers={"Authorization": f"Bearer {token}"},
    )


async def check_csv_upload_quarantine_and_resend(d: Deployment) -> None:
    good = "CSV-E2E-1,child_in_need,2026-05-02,open,Isla,Thorne,2016-02\n"
    bad = "CSV-E2E-2,child_in_need,yesterday,open,Ruby,Thorne,2014\n"
    async with httpx.AsyncClient(timeout=60) as client:
        response = await _upload(client, d, CSV_HEADER + good + bad)
        assert response.status_code == 202, response.text
        batch = response.json()
        assert (batch["accepted"], batch["rejected"]) == (1, 1)

        reader = await partner_token(client, d, d.csc_feed)
        auth = {"Authorization": f"Bearer {reader}"}
        report = (await client.get(f"{d.gateway_url}/v1/batches/{batch['batch_id']}",
                                   headers=auth)).json()  # fmt: skip
        [error] = report["errors"]
        assert (error["row"], error["field"]) == (3, "event_date")  # line 3 of the file
        assert "yesterday" not in error["problem"] and "Ruby" not in error["problem"]

        quarantine_url = f"{d.gateway_url}/v1/feeds/{d.csc_feed}/quarantine"
        held = (await client.get(quarantine_url, headers=auth)).json()
        assert "CSV-E2E-2" in [r["source_record_id"] for r in held["rows"]], held

        practitioner = await staff_token(client, d, "practitioner")

        async def isla_found() -> bool:
            return (await search(client, d, practitioner, name="Isla Thorne"))["total"] == 1

        await eventually(isla_found, within_s=10)

        # Corrected and sent again: accepted, and out of quarantine.
        fixed = bad.replace("yesterday", "2026-05-03")
        assert (await _upload(client, d, CSV_HEADER + fixed)).json()["accepted"] == 1
        held = (await client.get(quarantine_url, headers=auth)).json()
        assert "CSV-E2E-2" not in [r["source_record_id"] for r in held["rows"]], held
