"""Versioned events, one type per topic. Bump `schema_version` (and keep the old model in the
registry while producers still send it) for any change a consumer could notice."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .records import AgencyKind, CleanRecord, PartnerRecord


def _now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Common envelope fields. `event_id` makes every consumer's write idempotent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int
    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: datetime = Field(default_factory=_now)


class RecordReceived(Event):
    """`records.raw`: one partner row accepted by the ingest-gateway. Key: the record key."""

    schema_version: Literal[1] = 1
    batch_id: uuid.UUID
    partner_id: str
    feed_id: str
    row_number: int
    record: PartnerRecord


class RecordCleaned(Event):
    """`records.clean`: the cleanser's output. Key: the record key."""

    schema_version: Literal[1] = 1
    batch_id: uuid.UUID
    record: CleanRecord


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
    change: Literal["created", "updated", "unchanged"]
    record: CleanRecord
    person: PersonSnapshot | None = None
    address: AddressSnapshot | None = None
    link: LinkExplanation | None = None
    merged_person_ids: list[str] = Field(default_factory=list)


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
