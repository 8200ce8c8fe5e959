"""A data steward's decision, end to end: the matcher doubts a pair and raises a review item, the
steward decides "same person" through the review API, and the decision reaches search (through
the matcher's outbox and `records.linked`) — one person with both records — and the list of
decided items."""

from __future__ import annotations

from typing import Any

import httpx

from e2e.scenario import Deployment, eventually, push, search, staff_token

REASON = "e2e: child protection enquiry"
# A synthetic child (no NHS number, no address), then a record of hers with her surname spelt
# differently and only her birth month: too little for the engine to link them, too much to keep
# them apart — a review item.
LILY = {
    "source_record_id": "CSC-E2E-L1",
    "agency_kind": "childrens_social_care",
    "event_type": "child_in_need",
    "event_date": "2026-01-12",
    "status": "open",
    "person": {"forename": "Lily", "surname": "Smith", "date_of_birth": "2013-05-06",
               "gender": "F"},
}  # fmt: skip
LILY_MONTH_ONLY = {
    **LILY,
    "source_record_id": "CSC-E2E-L2",
    "event_date": "2026-02-03",
    "person": {**LILY["person"], "surname": "Smyth", "date_of_birth": "2013-05"},  # type: ignore[dict-item]
}


async def _open_item(client: httpx.AsyncClient, d: Deployment, steward: str) -> dict[str, Any]:
    async def raised() -> dict[str, Any] | None:
        page = await client.get(f"{d.matcher_url}/v1/review-items", params={"page_size": "200"},
                                headers={"Authorization": f"Bearer {steward}"})  # fmt: skip
        assert page.status_code == 200, page.text
        # Whichever of the two the matcher met second is the one in doubt.
        found = [i for i in page.json()["items"] if "/CSC-E2E-L" in i["record_key"]]
        return found[0] if found else None

    return await eventually(raised, within_s=15)


async def check_a_stewards_decision_reaches_search(d: Deployment) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        steward = await staff_token(client, d, "data_steward")
        practitioner = await staff_token(client, d, "practitioner")
        pushed = await push(client, d, d.csc_feed, [LILY, LILY_MONTH_ONLY])
        assert pushed.status_code == 202, pushed.text
        item = await _open_item(client, d, steward)

        async def lilys() -> int:
            return int(
                (await search(client, d, practitioner, name="Lily Smith", dob="2013"))["total"]
            )

        async def apart() -> bool:  # both records are searchable, as two persons for now
            return await lilys() == 2

        await eventually(apart, within_s=15)
        decided = await client.post(
            f"{d.matcher_url}/v1/review-items/{item['review_id']}/decision",
            json={"decision": "same", "reason": "Same school and GP practice."},
            headers={"Authorization": f"Bearer {steward}"},
        )
        assert decided.status_code == 200, decided.text

        async def together() -> bool:  # the decision reached the index: one person
            return await lilys() == 1

        await eventually(together, within_s=15)
        page = await search(client, d, practitioner, name="Lily Smith", dob="2013")
        [person] = page["results"]
        assert person["person_id"] == item["person_id"]  # the reviewed person keeps its ID
        opened = await client.get(f"{d.search_url}/v1/persons/{person['person_id']}",
                                  params={"reason": REASON},
                                  headers={"Authorization": f"Bearer {practitioner}"})  # fmt: skip
        assert sorted(r["source_record_id"] for r in opened.json()["records"]) == [
            "CSC-E2E-L1", "CSC-E2E-L2"
        ]  # fmt: skip
        listed = await client.get(f"{d.matcher_url}/v1/review-items/decided",
                                  headers={"Authorization": f"Bearer {steward}"})  # fmt: skip
        newest = listed.json()["items"][0]
        assert (newest["review_id"], newest["status"]) == (item["review_id"], "same")
