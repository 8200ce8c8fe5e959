"""Telling a new record from an update, an identical resend or a withdrawal (issue 3, §4).

The gateway remembers, per feed and `source_record_id`, the content hash of the last version it
put on the bus and whether the record was withdrawn. Each validated row is compared with that:
only new, changed and withdrawn records are published; an identical resend is counted and
dropped. A `source_record_id` that appears again in the same batch is a row error every time
after the first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from lateral_shared.contracts.records import PartnerRecord

from .encoding import Coverage, EncodedRecord, coverage_of, encode_record
from .model import BatchCounts
from .validation import RowError, RowOutcome


class Change(StrEnum):
    """What a row did to the feed's record (the batch counts are kept per change)."""

    ACCEPTED = "accepted"  # a record new to Lateral (or back after a withdrawal)
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # identical to the last version: not published again
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


PUBLISHED_CHANGES = frozenset({Change.ACCEPTED, Change.UPDATED, Change.WITHDRAWN})


@dataclass(frozen=True)
class RecordState:
    """What the gateway remembers of one of a feed's records."""

    content_hash: str
    withdrawn: bool
    last_batch_id: uuid.UUID | None = None  # the last batch that sent it
    last_row: int | None = None  # its row in that batch


@dataclass(frozen=True)
class RowDecision:
    """One row's fate. A rejected row's outcome carries every error, batch-level ones included."""

    outcome: RowOutcome
    change: Change
    content_hash: str | None = None  # of the version now held; None for a rejected row
    coverage: Coverage = field(default_factory=Coverage)

    @property
    def published(self) -> bool:
        return self.change in PUBLISHED_CHANGES

    @property
    def withdrawn(self) -> bool:
        """The record is withdrawn after this row (a withdrawal, or one repeated)."""
        return self.outcome.action == "withdraw" and self.change is not Change.REJECTED


def content_hash(record: PartnerRecord) -> str:
    """A fingerprint of the record's content (field order is the model's, so it is stable)."""
    return encode_record(record).content_hash


def coverage(record: PartnerRecord) -> Coverage:
    return coverage_of(record)


def encoded_record(outcome: RowOutcome) -> EncodedRecord:
    """The accepted upsert's record encoded: as it was where validated, or now."""
    if outcome.encoded is not None:
        return outcome.encoded
    assert outcome.record is not None  # an accepted upsert carries its record
    return encode_record(outcome.record)


def decide_rows(
    outcomes: Iterable[RowOutcome],
    *,
    known: Mapping[str, RecordState],
    earlier_rows: MutableMapping[str, int],
) -> list[RowDecision]:
    """Decide each row of a chunk, in order. `known` holds the feed's records with these IDs;
    `earlier_rows` the IDs this batch already sent (ID → row), and is extended as rows go by."""
    decisions = []
    for outcome in outcomes:
        source_record_id = outcome.source_record_id
        if source_record_id is not None:
            first = earlier_rows.setdefault(source_record_id, outcome.row)
            if first != outcome.row:
                problem = (f"repeats the source_record_id of row {first}; send each record once "
                           "per batch")  # fmt: skip
                decisions.append(_rejected(outcome, RowError(outcome.row, "source_record_id",
                                                             problem)))  # fmt: skip
                continue
        if not outcome.ok or source_record_id is None:
            decisions.append(_rejected(outcome))
        else:
            decisions.append(_decide(outcome, known.get(source_record_id)))
    return decisions


def count(decisions: Iterable[RowDecision]) -> BatchCounts:
    """The batch counts these rows add."""
    tally = dict.fromkeys(Change, 0)
    for decision in decisions:
        tally[decision.change] += 1
    return BatchCounts(
        received=sum(tally.values()), accepted=tally[Change.ACCEPTED],
        updated=tally[Change.UPDATED], unchanged=tally[Change.UNCHANGED],
        withdrawn=tally[Change.WITHDRAWN], rejected=tally[Change.REJECTED],
    )  # fmt: skip


def _decide(outcome: RowOutcome, state: RecordState | None) -> RowDecision:
    if outcome.action == "withdraw":
        if state is None:
            problem = ("is not a record this feed has sent, so there is nothing to withdraw; "
                       "check the ID")  # fmt: skip
            return _rejected(outcome, RowError(outcome.row, "source_record_id", problem))
        change = Change.UNCHANGED if state.withdrawn else Change.WITHDRAWN
        return RowDecision(outcome, change, state.content_hash)
    record = encoded_record(outcome)
    if state is None or state.withdrawn:
        change = Change.ACCEPTED
    else:
        change = Change.UNCHANGED if state.content_hash == record.content_hash else Change.UPDATED
    if outcome.encoded is None:
        outcome = replace(outcome, encoded=record)
    return RowDecision(outcome, change, record.content_hash, record.coverage)


def _rejected(outcome: RowOutcome, *extra: RowError) -> RowDecision:
    """A rejected row (a valid one rejected as a repeat keeps its record encoded: it is what is
    quarantined of it)."""
    if outcome.record is not None and outcome.encoded is None:
        outcome = replace(outcome, encoded=encoded_record(outcome))
    return RowDecision(replace(outcome, record=None, errors=(*outcome.errors, *extra)),
                       Change.REJECTED)  # fmt: skip
