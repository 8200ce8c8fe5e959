"""The hash chain: how an entry's hash is made, and how verification finds the first break."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime

from lateral_audit.domain.chain import (
    GENESIS_HASH,
    AuditEntry,
    ChainVerifier,
    seal,
    verify_chain,
)

WHEN = datetime(2025, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)


def _entry(seq: int, reason: str = "section 47 enquiry") -> AuditEntry:
    return AuditEntry(
        seq=seq, event_id=f"00000000-0000-0000-0000-{seq:012d}", occurred_at=WHEN,
        recorded_at=WHEN, service="search-api", actor="alice", action="search", reason=reason,
        payload={"criteria": {"postcode": "LS6 1AA"}, "result_ids": ["p-1"]},
    )  # fmt: skip


def _chain(n: int) -> list[AuditEntry]:
    entries, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        entry = seal(_entry(seq), prev_hash=prev)
        entries.append(entry)
        prev = entry.entry_hash
    return entries


def test_the_hash_covers_the_previous_hash_and_the_canonical_content() -> None:
    first = seal(_entry(1), prev_hash=GENESIS_HASH)
    # The documented format, written out independently of the code under test.
    content = (
        '{"action":"search","actor":"alice","event_id":"00000000-0000-0000-0000-000000000001",'
        '"occurred_at":"2025-03-01T09:30:00.123456+00:00",'
        '"payload":{"criteria":{"postcode":"LS6 1AA"},"result_ids":["p-1"]},'
        '"reason":"section 47 enquiry","recorded_at":"2025-03-01T09:30:00.123456+00:00",'
        '"seq":1,"service":"search-api"}'
    )
    assert json.loads(content)  # the expected text is valid JSON
    assert first.prev_hash == "0" * 64
    assert first.entry_hash == hashlib.sha256(("0" * 64 + content).encode()).hexdigest()


def test_each_entry_links_to_the_one_before() -> None:
    entries = _chain(3)
    assert entries[1].prev_hash == entries[0].entry_hash
    assert entries[2].prev_hash == entries[1].entry_hash
    assert len({e.entry_hash for e in entries}) == 3


def test_an_untouched_chain_verifies() -> None:
    assert verify_chain(_chain(5)) is None


def test_naive_and_aware_utc_times_hash_alike() -> None:
    # SQLite gives back naive UTC datetimes, PostgreSQL aware ones: the hash must not care.
    aware = seal(_entry(1), prev_hash=GENESIS_HASH)
    naive = replace(
        aware, occurred_at=WHEN.replace(tzinfo=None), recorded_at=WHEN.replace(tzinfo=None)
    )
    assert verify_chain([naive]) is None


def test_an_altered_reason_is_a_hash_mismatch_at_that_entry() -> None:
    entries = _chain(5)
    entries[2] = replace(entries[2], reason="curiosity")
    problem = verify_chain(entries)
    assert problem is not None
    assert (problem.seq, problem.problem) == (3, "hash mismatch")


def test_an_altered_and_rehashed_entry_breaks_the_link_to_the_next() -> None:
    entries = _chain(5)
    forged = replace(entries[2], reason="curiosity")
    entries[2] = seal(forged, prev_hash=forged.prev_hash)
    problem = verify_chain(entries)
    assert problem is not None
    assert (problem.seq, problem.problem) == (4, "broken link")


def test_a_removed_entry_breaks_the_link_of_the_next() -> None:
    entries = _chain(5)
    del entries[1]
    problem = verify_chain(entries)
    assert problem is not None
    assert (problem.seq, problem.problem) == (3, "broken link")


def test_entries_cut_off_the_end_disagree_with_the_chain_head() -> None:
    entries = _chain(4)
    verifier = ChainVerifier()
    for entry in entries[:3]:
        assert verifier.check(entry) is None
    problem = verifier.finish(head_seq=4, head_hash=entries[3].entry_hash)
    assert problem is not None
    assert (problem.seq, problem.problem) == (4, "missing entries")
    assert verifier.finish(head_seq=3, head_hash=entries[2].entry_hash) is None
