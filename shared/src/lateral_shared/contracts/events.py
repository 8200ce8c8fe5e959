"""Versioned events, one type per topic. Bump `schema_version` (and keep the old model in the
registry while producers still send it) for any change a consumer could notice."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .records import AgencyKind, CleanRecord, PartnerRecord


def _now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Common envelope fields. `event_id` makes every consumer's write idempotent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int
    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: datetime = Field(default_factory=_now)


RecordAction = Literal["upsert", "withdraw"]


class RecordReceived(Event):
    """`records.raw`: one partner row accepted by the ingest-gateway. Key: the record key.

    `action` "upsert" carries the record (new or changed); "withdraw" says the partner deleted the
    record at source, carries only its `source_record_id`, and removes it from Lateral.
    """

    schema_version: Literal[1] = 1
    batch_id: uuid.UUID
    partner_id: str
    feed_id: str
    row_number: int
    action: RecordAction = "upsert"
    source_record_id: str
    record: PartnerRecord | None = None

    @model_validator(mode="before")
    @classmethod
    def _source_record_id_from_record(cls, data: Any) -> Any:
        return _fill_from_record(data, "source_record_id", "source_record_id")

    @model_validator(mode="after")
    def _record_matches_action(self) -> RecordReceived:
        _check_action(self.action, self.record)
        return self


class RecordCleaned(Event):
    """`records.clean`: the cleanser's output (or a withdrawal passed on). Key: the record key."""

    schema_version: Literal[1] = 1
    batch_id: uuid.UUID
    action: RecordAction = "upsert"
    record_key: str
    record: CleanRecord | None = None

    @model_validator(mode="before")
    @classmethod
    def _record_key_from_record(cls, data: Any) -> Any:
        return _fill_from_record(data, "record_key", "record_key")

    @model_validator(mode="after")
    def _record_matches_action(self) -> RecordCleaned:
        _check_action(self.action, self.record)
        return self


def _fill_from_record(data: Any, field: str, record_field: str) -> Any:
    """Let producers of an upsert give just the record; its ID is copied to the envelope."""
    if isinstance(data, dict) and data.get(field) is None and data.get("record") is not None:
        record = data["record"]
        value = (
            record.get(record_field) if isinstance(record, dict) else getattr(record, record_field)
        )
        return {**data, field: value}
    return data


def _check_action(action: str, record: object) -> None:
    if action == "upsert" and record is None:
        raise ValueError("an upsert carries its record")
    if action == "withdraw" and record is not None:
        raise ValueError("a withdrawal carries no record")


class LinkField(BaseModel):
    """One field compared when linking, and how it compared."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    agreement: str  # e.g. "exact", "fuzzy", "disagree", "missing"
    weight: float = 0.0


class LinkExplanation(BaseModel):
    """Why a record was linked to a person: the rule, the fields and the score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str  # e.g. "nhs_number", "name_and_dob", "new_person"
    model_version: str
    score: float
    fields: list[LinkField] = Field(default_factory=list)
    summary: str  # plain words for a practitioner, no personal data


class PersonSnapshot(BaseModel):
    """Everything Lateral holds about one person after a change, for the indexer and alerts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    person_id: str
    version: int  # increases with every change to the person; stale snapshots are ignored
    records: list[CleanRecord]


class Resident(BaseModel):
    """A person linked to an address, reduced to what the alert rules need."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    person_id: str
    date_of_birth: str | None = None
    open_agency_kinds: list[AgencyKind] = Field(default_factory=list)


class AddressSnapshot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    address_key: str
    uprn: str | None = None
    postcode: str | None = None
    lines: list[str] = Field(default_factory=list)
    residents: list[Resident] = Field(default_factory=list)
    record_keys: list[str] = Field(default_factory=list)


class RecordLinked(Event):
    """`records.linked`: a record stored and linked by the matcher. Key: the person ID, or the
    address key for an address-only record, so one person's changes stay in order."""

    schema_version: Literal[1] = 1
    batch_id: uuid.UUID
    change: Literal["created", "updated", "unchanged", "withdrawn"]
    record: CleanRecord  # for "withdrawn": the record as last stored, now gone from Lateral
    person: PersonSnapshot | None = None
    address: AddressSnapshot | None = None
    link: LinkExplanation | None = None
    merged_person_ids: list[str] = Field(default_factory=list)


class LinkReported(Event):
    """`links.reported`: a practitioner says a record is not about the person it is linked to.
    Key: the person ID. The matcher raises a review item for a data steward; nothing is unlinked
    until the steward decides."""

    schema_version: Literal[1] = 1
    person_id: str
    record_key: str
    reported_by: str  # the practitioner's user ID, as in audit events
    reason: str = Field(min_length=1, max_length=2000)  # the practitioner's words, for the steward


class AlertRaised(Event):
    """`alerts.raised`: a priority alert. IDs only: the duty manager opens the person for more."""

    schema_version: Literal[1] = 1
    alert_id: str
    rule: str
    severity: Literal["priority", "routine"] = "priority"
    person_id: str
    trigger_record_key: str
    address_key: str | None = None
    trigger_date: date


class AuditEvent(Event):
    """`audit.events`: who did what, when and why. The audit service hash-chains these."""

    schema_version: Literal[1] = 1
    service: str
    actor: str
    actor_roles: list[str] = Field(default_factory=list)
    action: str  # e.g. "search", "view_person", "list_alerts"
    reason: str
    criteria: dict[str, str] = Field(default_factory=dict)
    result_ids: list[str] = Field(default_factory=list)
    outcome: Literal["success", "denied", "error"] = "success"
