"""The JSON the partner API answers with: batches, their row errors, quarantine, feed health."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from lateral_ingest_gateway.adapters.quarantine_store import CoverageFigures, QuarantinedRow
from lateral_ingest_gateway.domain.model import Batch
from lateral_ingest_gateway.domain.validation import RowError


class RowErrorRead(BaseModel):
    row: int = Field(description="JSON: the record's position in `records`, from 1. CSV: its line "
                     "in the file (the header is line 1).")  # fmt: skip
    field: str
    problem: str


class BatchRead(BaseModel):
    """A batch: how it came, its status, what became of its rows, and a page of row errors."""

    batch_id: uuid.UUID
    feed_id: str
    way_in: str
    status: str = Field(description="processing, completed (see the counts), rejected (a "
                        "problem with the whole file or body: `file_error`), or failed (send "
                        "it again).")  # fmt: skip
    received_at: datetime
    finished_at: datetime | None
    file_error: str | None
    received: int
    accepted: int = Field(description="Records new to Lateral, published.")
    updated: int = Field(description="Records changed since they were last sent, published.")
    unchanged: int = Field(description="Records identical to the last version sent; not "
                           "published again.")  # fmt: skip
    withdrawn: int
    rejected: int = Field(description="Rows with errors; they are in the feed's quarantine.")
    errors: list[RowErrorRead]
    error_count: int
    page: int
    page_size: int

    @classmethod
    def of(
        cls, batch: Batch, errors: list[RowError], total: int, page: int, size: int
    ) -> BatchRead:
        counts = batch.counts
        return cls(
            batch_id=batch.batch_id, feed_id=batch.feed_id, way_in=batch.way_in.value,
            status=batch.status.value, received_at=batch.received_at,
            finished_at=batch.finished_at, file_error=batch.file_error,
            received=counts.received, accepted=counts.accepted, updated=counts.updated,
            unchanged=counts.unchanged, withdrawn=counts.withdrawn, rejected=counts.rejected,
            errors=[RowErrorRead(row=e.row, field=e.field, problem=e.problem) for e in errors],
            error_count=total, page=page, page_size=size,
        )  # fmt: skip


class BatchSummaryRead(BaseModel):
    """A batch in a feed's list: as `GET /v1/batches/{id}` gives it, without its row errors."""

    batch_id: uuid.UUID
    way_in: str
    status: str
    received_at: datetime
    finished_at: datetime | None
    file_error: str | None
    received: int
    accepted: int
    updated: int
    unchanged: int
    withdrawn: int
    rejected: int

    @classmethod
    def of(cls, batch: Batch) -> BatchSummaryRead:
        counts = batch.counts
        return cls(
            batch_id=batch.batch_id, way_in=batch.way_in.value, status=batch.status.value,
            received_at=batch.received_at, finished_at=batch.finished_at,
            file_error=batch.file_error, received=counts.received, accepted=counts.accepted,
            updated=counts.updated, unchanged=counts.unchanged, withdrawn=counts.withdrawn,
            rejected=counts.rejected,
        )  # fmt: skip


class BatchPage(BaseModel):
    """A page of a feed's batches, newest first."""

    feed_id: str
    total: int
    page: int
    page_size: int
    batches: list[BatchSummaryRead]


class FieldProblemRead(BaseModel):
    field: str
    problem: str


class QuarantinedRowRead(BaseModel):
    batch_id: uuid.UUID
    row: int
    source_record_id: str | None
    quarantined_at: datetime
    errors: list[FieldProblemRead]
    data: Any = Field(default=None, description="The row as you sent it (only with "
                      "`include_data=true`), to correct and send again.")  # fmt: skip

    @classmethod
    def of(cls, row: QuarantinedRow, *, include_data: bool) -> QuarantinedRowRead:
        return cls(
            batch_id=row.batch_id, row=row.row, source_record_id=row.source_record_id,
            quarantined_at=row.quarantined_at,
            errors=[FieldProblemRead(field=e.field, problem=e.problem) for e in row.errors],
            data=row.data if include_data else None,
        )  # fmt: skip


class QuarantinePage(BaseModel):
    feed_id: str
    total: int
    page: int
    page_size: int
    rows: list[QuarantinedRowRead]


class LastBatch(BaseModel):
    batch_id: uuid.UUID
    received_at: datetime
    way_in: str
    status: str
    rows: int
    rejected: int
    rejection_rate: float | None = Field(description="Rejected rows / rows; null for no rows.")


class Coverage(BaseModel):
    """Shares of the feed's current records carrying each strong identifier (null: none to
    count, i.e. not known — not zero)."""

    records: int = Field(description="Records the feed currently has in Lateral (not withdrawn).")
    person_records: int
    nhs_number: float | None = Field(description="Person records with an NHS number.")
    full_date_of_birth: float | None = Field(description="Person records with a full date of "
                                             "birth (not just a year or month).")  # fmt: skip
    address_records: int
    uprn: float | None = Field(description="Records with an address that carry a UPRN.")

    @classmethod
    def of(cls, figures: CoverageFigures) -> Coverage:
        return cls(
            records=figures.records, person_records=figures.person_records,
            nhs_number=_share(figures.with_nhs_number, figures.person_records),
            full_date_of_birth=_share(figures.with_full_dob, figures.person_records),
            address_records=figures.address_records,
            uprn=_share(figures.with_uprn, figures.address_records),
        )  # fmt: skip


class FeedHealth(BaseModel):
    """`last_batch` null means the feed has never sent anything: its silence says nothing."""

    feed_id: str
    agency_kind: str
    last_batch: LastBatch | None
    coverage: Coverage


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
