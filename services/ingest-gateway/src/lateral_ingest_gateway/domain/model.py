"""Partners, their feeds and the batches they send."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lateral_shared.contracts.records import AgencyKind


@dataclass(frozen=True)
class Partner:
    """An organisation that sends records, registered as an OAuth2 client of the gateway.

    Only a hash of its client secret is ever stored (and never carried here).
    """

    partner_id: str
    name: str
    disabled: bool
    created_at: datetime
    client_id: str = ""
    scopes: frozenset[str] = frozenset()  # what its tokens may do: records:write, batches:read
    secret_rotated_at: datetime | None = None  # tokens issued before this are refused


@dataclass(frozen=True)
class Feed:
    """One partner system's stream of records, all of one agency kind."""

    feed_id: str
    partner_id: str
    agency_kind: AgencyKind
    created_at: datetime


class WayIn(StrEnum):
    """How a batch reached the gateway."""

    API = "api"  # POST /v1/feeds/{feed_id}/records (JSON)
    UPLOAD = "upload"  # POST /v1/feeds/{feed_id}/files (CSV)
    DROP_FOLDER = "drop_folder"  # a CSV file left in the feed's drop folder


class BatchStatus(StrEnum):
    PROCESSING = "processing"  # rows are being validated and published
    COMPLETED = "completed"  # every row was taken or rejected: see the counts and row errors
    REJECTED = "rejected"  # a problem with the whole file or body: no row was taken
    FAILED = "failed"  # the bus refused part-way (counts show what got through): send it again


@dataclass(frozen=True)
class BatchCounts:
    """What became of a batch's rows. received = accepted + updated + unchanged + withdrawn +
    rejected, where accepted counts records new to Lateral."""

    received: int = 0
    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: int = 0

    def __add__(self, other: BatchCounts) -> BatchCounts:
        return BatchCounts(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, int, int, int, int, int]:
        return (self.received, self.accepted, self.updated, self.unchanged, self.withdrawn,
                self.rejected)  # fmt: skip

    @property
    def taken(self) -> int:
        """Rows the gateway took (published, or known to be already there)."""
        return self.received - self.rejected


@dataclass(frozen=True)
class Batch:
    """One JSON request, uploaded file or dropped file of a feed's rows."""

    batch_id: uuid.UUID
    feed_id: str
    partner_id: str
    way_in: WayIn
    received_at: datetime
    status: BatchStatus
    counts: BatchCounts = BatchCounts()
    file_error: str | None = None  # the one problem that rejected the whole file or body
    finished_at: datetime | None = None
