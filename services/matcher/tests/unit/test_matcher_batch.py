"""Linking a whole batch in memory (pure): order, duplicates and version counting."""

from __future__ import annotations

from collections.abc import Callable

from lateral_matcher.domain.batch import BatchLinking, KnownState, StoredRecord, keys_to_load
from lateral_matcher.domain.linking import IdentifierKind, explain_nhs_number
from lateral_shared.contracts.records import CleanRecord

MakeRecord = Callable[..., CleanRecord]
NHS = {"forename": "Amy", "surname": "Smith", "nhs_number": "9000000009"}


def test_a_record_sent_twice_in_one_batch_is_written_once(make_record: MakeRecord) -> None:
    linking = BatchLinking(KnownState())
    record = make_record("1", person=NHS)
    first, second = linking.link(record), linking.link(record)
    assert (first.change, second.change) == ("created", "unchanged")
    assert second.person_id == first.person_id
    assert list(linking.changes.records) == [record.record_key]
    assert linking.changes.new_persons == {first.person_id: 1}


def test_a_new_person_linked_again_in_the_batch_starts_at_version_two(
    make_record: MakeRecord,
) -> None:
    linking = BatchLinking(KnownState())
    a = linking.link(make_record("1", person=NHS))
    b = linking.link(make_record("2", feed="health-leeds", person={"nhs_number": "9000000009"}))
    assert b.person_id == a.person_id
    assert b.explanation is not None and b.explanation.rule == "nhs_number"
    assert linking.changes.new_persons == {a.person_id: 2}
    assert not linking.changes.bumped_persons


def test_known_keys_link_to_the_stored_person_and_count_one_change(make_record: MakeRecord) -> None:
    known = KnownState(
        identifiers={(IdentifierKind.NHS_NUMBER, "9000000009"): "p-stored"}, persons={"p-stored"}
    )
    linking = BatchLinking(known)
    outcome = linking.link(make_record("9", person={**NHS, "date_of_birth": "2012-03-04"}))
    assert outcome.person_id == "p-stored"
    assert linking.changes.bumped_persons == {"p-stored": 1}
    assert linking.changes.new_persons == {}
    # The NHS key was already theirs; the free name-and-dob key is claimed for them.
    assert linking.changes.identifiers == {
        (IdentifierKind.NAME_AND_DOB, "amy|smith|2012-03-04"): "p-stored"
    }


def test_an_update_keeps_the_stored_link(make_record: MakeRecord) -> None:
    record = make_record("1", person={"forename": "Someone", "surname": "Else"}, version="2")
    known = KnownState(
        records={record.record_key: StoredRecord("p-1", None, "old-hash")},
        links={record.record_key: explain_nhs_number()},
        persons={"p-1"},
    )
    outcome = BatchLinking(known).link(record)
    assert (outcome.change, outcome.person_id) == ("updated", "p-1")
    assert outcome.explanation == explain_nhs_number()


def test_keys_to_load_lists_each_key_once(make_record: MakeRecord) -> None:
    records = [make_record("1", person=NHS), make_record("1", person=NHS)]
    record_keys, identifiers, person_ids = keys_to_load(records)
    assert record_keys == ["csc-leeds/1"]
    assert identifiers == [(IdentifierKind.NHS_NUMBER, "9000000009")]
    assert len(person_ids) == 1
