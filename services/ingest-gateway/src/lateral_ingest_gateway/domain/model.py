"""Partners, their feeds and the batches they send."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lateral_shared.contracts.records import AgencyKind


@dataclass(frozen=True)
class Partner:
    """An organisation that sends records. Only a hash of its token is ever stored."""

    partner_id: str
    name: str
    disabled: bool
    created_at: datetime


@dataclass(frozen=True)
class Feed:
    """One partner system's stream of records, all of one agency kind."""

    feed_id: str
    partner_id: str
    agency_kind: AgencyKind
    created_at: datetime


class BatchStatus(StrEnum):
    PUBLISHING = "publishing"  # stored, its records not yet all on the bus
    ACCEPTED = "accepted"  # every record is on `records.raw`
    FAILED = "failed"  # the bus refused; the partner was told to send the batch again


@dataclass(frozen=True)
class Batch:
    """One POST of records to a feed."""

    batch_id: uuid.UUID
    feed_id: str
    partner_id: str
    received_at: datetime
    record_count: int
    status: BatchStatus

    @property
    def published_count(self) -> int:
        """Records known to be on the bus (a failed batch may be partly there: resend it)."""
        return self.record_count if self.status is BatchStatus.ACCEPTED else 0
