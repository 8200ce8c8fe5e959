"""What the review pages show, worked out from the matcher's JSON: when and why an item was
raised, the record and the person's records side by side, and the comparison in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lateral_search_api.domain.activity_chart import agency_label

from .rendering import nhs_format

try:
    LOCAL_TIME: Any = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # no time zone database: show UTC, and say so
    LOCAL_TIME = UTC

DECISIONS = {"same": "Same person", "not_same": "Not the same person"}
# The matcher's compared fields and agreement levels (see docs/matching-service.md), in words.
FIELD_LABELS = {
    "forename": "Forename",
    "surname": "Surname",
    "other_names": "Other names",
    "date_of_birth": "Date of birth",
    "gender": "Gender",
    "address": "Address",
    "nhs_number": "NHS number",
    "feed_person_id": "Partner's ID for the person",
}
AGREEMENTS = {
    "exact": "The same",
    "same": "The same",
    "agree": "The same",
    "match": "Match",
    "known_short_form": "One is a known short form of the other",
    "close_spelling": "Spelt slightly differently",
    "similar_spelling": "Spelt differently but alike",
    "initial": "Only the initial matches",
    "shared_part": "Share a part (double-barrelled or hyphenated)",
    "day_month_swapped": "Day and month swapped",
    "year_off_by_one": "Year differs by one",
    "one_digit_wrong": "One digit differs",
    "agree_as_far_as_known": "Agree as far as both are known",
    "same_uprn": "Same property",
    "same_postcode": "Same postcode",
    "same_postcode_sector": "Nearby postcode",
    "disagree": "Different",
    "different": "Different",
    "missing": "Not known on one or both",
}
NOT_GIVEN = "Not given"
ROW_LABELS = (
    "Agency", "What happened", "Date", "Status", "Name", "Other names", "Date of birth", "Gender",
    "NHS number", "Partner's ID for the person", "Address", "UPRN", "Partner's record reference",
)  # fmt: skip


def _words(code: str) -> str:
    return code.replace("_", " ").capitalize()


def when(stamp: str | None) -> str:
    """A time from the API (ISO 8601) as people read it: "21 Nov 2026 at 15:04"."""
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(LOCAL_TIME)
    suffix = " UTC" if LOCAL_TIME is UTC else ""
    return f"{local:%-d %b %Y} at {local:%H:%M}{suffix}"


def why_raised(item: dict[str, Any]) -> str:
    """Why an item is in the queue, in a few words."""
    if item.get("source") == "practitioner":
        return "Reported by a practitioner as not the same person"
    probability = item.get("probability")
    if isinstance(probability, int | float):
        return f"Possible match: the matching engine was not sure ({probability:.0%} likely)"
    return "Possible match: the matching engine was not sure"


def queue_rows(items: list[dict[str, Any]], *, first_number: int) -> list[dict[str, Any]]:
    """The queue table's rows, numbered through the whole queue (oldest first)."""
    return [
        {
            "number": first_number + i,
            "review_id": item["review_id"],
            "raised": when(item.get("created_at")),
            "why": why_raised(item),
            "source": item.get("source"),
        }
        for i, item in enumerate(items)
    ]


REASON_SHOWN = 200  # characters of a decision's reason in the list; the item shows it all


def decided_rows(items: list[dict[str, Any]], *, first_number: int) -> list[dict[str, Any]]:
    """The decided list's rows, newest decision first: when, which way, who and why."""
    rows = []
    for i, item in enumerate(items):
        reason = item.get("decision_reason") or ""
        if len(reason) > REASON_SHOWN:
            reason = reason[: REASON_SHOWN - 1].rstrip() + "…"
        rows.append(
            {
                "number": first_number + i,
                "review_id": item["review_id"],
                "decided": when(item.get("decided_at")),
                "decision": decision_words(item.get("status")),
                "decision_code": item.get("status"),
                "decided_by": item.get("decided_by") or "Not known",
                "reason": reason,
            }
        )
    return rows


def _date(value: str | None) -> str:
    if not value:
        return NOT_GIVEN
    try:
        return f"{date.fromisoformat(value):%-d %b %Y}"
    except ValueError:  # a partial date of birth (YYYY or YYYY-MM) is shown as given
        return value


def record_rows(record: dict[str, Any] | None) -> dict[str, str]:
    """One record's details, by row label (`ROW_LABELS`, in that order)."""
    if record is None:
        return {}
    person = record.get("person") or {}
    address = record.get("address") or {}
    name = " ".join(
        part for part in (person.get(k) for k in ("forename", "middle_names", "surname")) if part
    )
    what = _words(record.get("event_type") or "")
    if record.get("category"):
        what += f" ({_words(record['category']).lower()})"
    place = ", ".join([*address.get("lines", []), address.get("postcode") or ""]).strip(", ")
    gender = person.get("gender") or "unknown"
    return {
        "Agency": agency_label(record.get("agency_kind", "")),
        "What happened": what or NOT_GIVEN,
        "Date": _date(record.get("event_date")),
        "Status": _words(record.get("status") or "") or NOT_GIVEN,
        "Name": name or NOT_GIVEN,
        "Other names": "; ".join(person.get("aliases") or []) or "None given",
        "Date of birth": _date(person.get("date_of_birth")),
        "Gender": "Not known" if gender == "unknown" else gender.capitalize(),
        "NHS number": nhs_format(person["nhs_number"]) if person.get("nhs_number") else NOT_GIVEN,
        "Partner's ID for the person": person.get("person_ref") or NOT_GIVEN,
        "Address": place or NOT_GIVEN,
        "UPRN": address.get("uprn") or NOT_GIVEN,
        "Partner's record reference": record.get("record_key") or NOT_GIVEN,
    }


@dataclass(frozen=True)
class SideBySide:
    """The record under review and each of the person's other records, as table columns."""

    headings: list[str]
    rows: list[tuple[str, list[str]]]  # (label, the record's value then each other record's)
    others: int  # how many of the person's records are shown beside it
    record_is_linked: bool  # the record is already one of the person's (a practitioner report)


def side_by_side(item: dict[str, Any]) -> SideBySide:
    record = item.get("record")
    record_key = item.get("record_key")
    person_records = list(item.get("person_records") or [])
    others = [r for r in person_records if r.get("record_key") != record_key]
    columns = [record_rows(record)] + [record_rows(r) for r in others]
    rows = [
        (label, [column.get(label, "Record no longer held") for column in columns])
        for label in ROW_LABELS
    ]
    headings = ["Record under review"] + [f"Their record {i}" for i in range(1, len(others) + 1)]
    return SideBySide(
        headings=headings,
        rows=rows,
        others=len(others),
        record_is_linked=len(others) < len(person_records),
    )


def comparison_rows(explanation: dict[str, Any] | None) -> list[dict[str, str]]:
    """Each detail the matching engine compared: how it compared and which way it counted."""
    rows = []
    for field in (explanation or {}).get("fields") or []:
        weight = float(field.get("weight") or 0.0)
        counted = "For" if weight > 0 else "Against" if weight < 0 else "Neither way"
        rows.append(
            {
                "field": FIELD_LABELS.get(field["field"], _words(field["field"])),
                "agreement": AGREEMENTS.get(field["agreement"], _words(field["agreement"])),
                "counted": counted,
                "weight": f"{weight:+.1f}",
            }
        )
    return rows


def decision_words(decision: str | None) -> str:
    return DECISIONS.get(decision or "", "Not decided")


def pagination(
    page: int, pages: int, *, path: str = "/review", label: str = "Review queue pages"
) -> dict[str, Any]:
    """GOV.UK pagination for a list at `path`: previous, next, the first and last pages and
    those next to this one, with ellipses between."""
    shown = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    items: list[dict[str, Any]] = []
    for number in shown:
        if items and number - items[-1]["number"] > 1:
            items.append({"ellipsis": True, "number": number - 1})
        items.append({"number": number, "href": f"{path}?page={number}", "current": number == page})
    return {
        "landmarkLabel": label,
        "previous": {"href": f"{path}?page={page - 1}"} if page > 1 else None,
        "next": {"href": f"{path}?page={page + 1}"} if page < pages else None,
        "items": items,
    }
