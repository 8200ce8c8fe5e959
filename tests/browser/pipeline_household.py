"""A synthetic household sent through the partner API of a running Lateral (NHS numbers in the
never-issued 9xx range): a child known to children's social care and to health, her mother known
to adult social care, and a police call to their address that names no one."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

ADDRESS = {"lines": ["12 Example Road", "Testville"], "postcode": "LS6 2AB"}
CHILD_PERSON = {
    "forename": "Ellie", "surname": "Marsh", "date_of_birth": "2015-04-02", "gender": "F",
    "nhs_number": "9434765919",
}  # fmt: skip


def _days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def records_by_kind() -> dict[str, list[dict[str, Any]]]:
    """The partner records, by the agency kind of the feed that sends them."""
    return {
        "childrens_social_care": [{
            "source_record_id": "CSC-BROWSER-1", "event_type": "child_protection_plan",
            "event_date": _days_ago(20), "status": "open", "person": CHILD_PERSON,
            "address": ADDRESS,
            "lead_professional": {"name": "Sam Worker", "team": "Children's Services North",
                                  "phone": "0113 496 0000", "email": "sam.worker@example.org"},
        }],
        "health": [{
            "source_record_id": "OPA-BROWSER-1", "event_type": "missed_appointment",
            "event_date": _days_ago(70), "status": "closed", "attend_code": 3,
            "person": CHILD_PERSON, "address": ADDRESS,
        }],
        "adult_social_care": [{
            "source_record_id": "ASC-BROWSER-1", "event_type": "open_case",
            "event_date": _days_ago(40), "status": "open",
            "person": {"forename": "Joanne", "surname": "Marsh", "date_of_birth": "1987-08-14",
                       "gender": "Female", "nhs_number": "9000000009"},
            "address": ADDRESS,
        }],
        "police": [{
            "source_record_id": "CC-BROWSER-1", "event_type": "emergency_call",
            "category": "concern_for_welfare", "event_date": _days_ago(10), "status": "closed",
            "end_date": _days_ago(10), "address": ADDRESS,
        }],
    }  # fmt: skip
