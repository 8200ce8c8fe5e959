"""Resolving a whole batch in memory (pure): order, duplicates, version counting and merges."""

from __future__ import annotations

from collections.abc import Callable

from lateral_matcher.domain.batch import BatchResolution, KnownState, StoredRecord, keys_to_load
from lateral_matcher.domain.resolution import CandidateRecord, default_resolver
from lateral_shared.contracts.events import LinkExplanation
from lateral_shared.contracts.records import CleanRecord

MakeRecord = Callable[..., CleanRecord]
NHS = {"forename": "Amy", "surname": "Smith", "nhs_number": "9000000009"}
STORED_LINK = LinkExplanation(
    rule="nhs_number", model_version="fs-1", score=1.0, summary="Linked on the same NHS number."
)


def _resolve(known: KnownState | None = None) -> BatchResolution:
    return BatchResolution(known or KnownState(), default_resolver())


def _stored(*candidates: tuple[str, CleanRecord]) -> KnownState:
    """A store holding `candidates` (person ID, record), filed under the NHS number."""
    known = KnownState()
    for person_id, record in candidates:
        known.candidates[record.record_key] = CandidateRecord(person_id, record)
        known.filed.setdefault("nhs:9000000009", set()).add(record.record_key)
        known.persons.add(person_id)
    return known


def test_a_record_sent_twice_in_one_batch_is_written_once(make_record: MakeRecord) -> None:
    batch = _resolve()
    record = make_record("1", person=NHS)
    first, second = batch.link(record), batch.link(record)
    assert (first.change, second.change) == ("created", "unchanged")
    assert second.person_id == first.person_id
    assert list(batch.changes.records) == [record.record_key]
    assert batch.changes.new_persons == {first.person_id: 1}


def test_a_new_person_linked_again_in_the_batch_starts_at_version_two(
    make_record: MakeRecord,
) -> None:
    batch = _resolve()
    a = batch.link(make_record("1", person=NHS))
    b = batch.link(make_record("2", feed="health-leeds", person={"nhs_number": "9000000009"}))
    assert b.person_id == a.person_id
    assert b.explanation is not None and b.explanation.rule == "nhs_number"
    assert batch.changes.new_persons == {a.person_id: 2}
    assert not batch.changes.bumped_persons


def test_a_stored_candidate_links_and_counts_one_change(make_record: MakeRecord) -> None:
    batch = _resolve(_stored(("p-stored", make_record("0", feed="health-leeds", person=NHS))))
    outcome = batch.link(make_record("9", person={**NHS, "date_of_birth": "2012-03-04"}))
    assert outcome.person_id == "p-stored"
    assert batch.changes.bumped_persons == {"p-stored": 1}
    assert batch.changes.new_persons == {}
    assert "nhs:9000000009" in batch.changes.keys["csc-leeds/9"]  # filed for later records


def test_an_update_keeps_the_stored_link(make_record: MakeRecord) -> None:
    record = make_record("1", person={"forename": "Someone", "surname": "Else"}, version="2")
    known = KnownState(
        records={record.record_key: StoredRecord("p-1", None, "old-hash")},
        links={record.record_key: STORED_LINK},
        persons={"p-1"},
    )
    outcome = _resolve(known).link(record)
    assert (outcome.change, outcome.person_id) == ("updated", "p-1")
    assert outcome.explanation == STORED_LINK


def test_keys_to_load_lists_each_key_once(make_record: MakeRecord) -> None:
    records = [make_record("1", person=NHS), make_record("1", person=NHS)]
    record_keys, keys, person_ids = keys_to_load(records)
    assert record_keys == ["csc-leeds/1"]
    assert keys == ["nhs:9000000009"]
    assert len(person_ids) == 1
