"""Checks a batch must pass as a whole, beyond each record's own shape."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lateral_shared.contracts.records import AgencyKind, PartnerRecord


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field of a request. Never carries the field's value."""

    field: str  # a path such as "records[3].event_date"
    problem: str
    type: str


def check_batch(records: Sequence[PartnerRecord], *, agency_kind: AgencyKind) -> list[FieldProblem]:
    """Problems that reject the batch: another agency kind than the feed's, a repeated record ID."""
    problems: list[FieldProblem] = []
    first_seen: dict[str, int] = {}
    for position, record in enumerate(records):
        if record.agency_kind != agency_kind:
            problems.append(
                FieldProblem(
                    f"records[{position}].agency_kind",
                    f"must be '{agency_kind.value}', the agency kind of this feed; send records "
                    "of another kind to that kind's feed",
                    "agency_kind_mismatch",
                )
            )
        first = first_seen.setdefault(record.source_record_id, position)
        if first != position:
            problems.append(
                FieldProblem(
                    f"records[{position}].source_record_id",
                    f"repeats the source_record_id of records[{first}]; send each record once "
                    "per batch",
                    "duplicate_record",
                )
            )
    return problems
