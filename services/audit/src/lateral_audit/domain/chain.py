"""The hash chain that makes the audit log tamper-evident.

Each entry's hash covers its own content and the previous entry's hash, so altering, removing or
reordering any entry breaks the chain from that entry on. Pure code: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log: the event's headline fields, the whole event, and the chain."""

    seq: int
    event_id: str
    occurred_at: datetime
    recorded_at: datetime
    service: str
    actor: str
    action: str
    reason: str
    payload: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    entry_hash: str = ""


@dataclass(frozen=True)
class ChainBreak:
    """The first entry where the chain no longer holds, and what is wrong with it."""

    seq: int
    problem: Literal["hash mismatch", "broken link", "missing entries"]
    detail: str


def _utc_iso(moment: datetime) -> str:
    # Stores return naive UTC (SQLite) or aware UTC (PostgreSQL); both must hash the same.
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat(timespec="microseconds")


def canonical_content(entry: AuditEntry) -> str:
    """The entry's content as canonical JSON (sorted keys, no spaces): what its hash covers."""
    content = {
        "seq": entry.seq,
        "event_id": entry.event_id,
        "occurred_at": _utc_iso(entry.occurred_at),
        "recorded_at": _utc_iso(entry.recorded_at),
        "service": entry.service,
        "actor": entry.actor,
        "action": entry.action,
        "reason": entry.reason,
        "payload": entry.payload,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(prev_hash: str, entry: AuditEntry) -> str:
    """sha256 of the previous entry's hash followed by this entry's canonical content."""
    return hashlib.sha256((prev_hash + canonical_content(entry)).encode()).hexdigest()


def seal(entry: AuditEntry, *, prev_hash: str) -> AuditEntry:
    """The entry linked to `prev_hash`, with its own hash filled in."""
    linked = AuditEntry(**{**entry.__dict__, "prev_hash": prev_hash, "entry_hash": ""})
    return AuditEntry(**{**linked.__dict__, "entry_hash": compute_hash(prev_hash, linked)})


class ChainVerifier:
    """Checks entries one at a time, in `seq` order, so a long log can be read in pages."""

    def __init__(self) -> None:
        self.expected_prev = GENESIS_HASH
        self.last_seq = 0
        self.count = 0

    def check(self, entry: AuditEntry) -> ChainBreak | None:
        """None if `entry` continues the chain, else what is wrong with it."""
        if entry.prev_hash != self.expected_prev:
            return ChainBreak(
                entry.seq,
                "broken link",
                "its previous-hash does not match the entry before it "
                "(an entry before it was altered, removed or reordered)",
            )
        if compute_hash(entry.prev_hash, entry) != entry.entry_hash:
            return ChainBreak(
                entry.seq,
                "hash mismatch",
                "its content does not match its hash (the entry was altered)",
            )
        self.expected_prev, self.last_seq = entry.entry_hash, entry.seq
        self.count += 1
        return None

    def finish(self, head_seq: int, head_hash: str) -> ChainBreak | None:
        """After the last entry: check that the chain head agrees (no entries cut off the end)."""
        if (head_seq, head_hash) != (self.last_seq, self.expected_prev):
            return ChainBreak(
                self.last_seq + 1,
                "missing entries",
                f"the chain head records {head_seq} entries but the log ends at "
                f"{self.last_seq} (entries were removed from the end)",
            )
        return None


def verify_chain(entries: Iterable[AuditEntry]) -> ChainBreak | None:
    """The first break in `entries` (in `seq` order), or None if the chain is intact."""
    verifier = ChainVerifier()
    for entry in entries:
        problem = verifier.check(entry)
        if problem is not None:
            return problem
    return None
