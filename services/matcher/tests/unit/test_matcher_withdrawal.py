"""A partner withdraws a record (deleted at source): it leaves the person, the address and
every snapshot; a redelivered withdrawal is published again; a re-sent record comes back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lateral_shared.contracts.records import AgencyKind, CleanRecord

MakeRecord = Callable[..., CleanRecord]
AMY = {"forename": "Amy", "surname": "Smith", "date_of_birth": "2012-03-04", "dob_precision": "day"}
NHS = "9434765919"


async def test_a_withdrawn_record_leaves_its_person_and_address(
    matcher: Any, make_record: MakeRecord
) -> None:
    kept = make_record("1", person={**AMY, "nhs_number": NHS}, address_key="100000000001")
    gone = make_record("2", agency=AgencyKind.HEALTH, feed="health-leeds",
                       person={**AMY, "nhs_number": NHS}, address_key="100000000001")  # fmt: skip
    [_, linked] = await matcher.send(kept, gone)
    [withdrawn] = await matcher.withdraw(gone.record_key)
    assert withdrawn.change == "withdrawn"
    assert withdrawn.record.record_key == gone.record_key  # which record went
    assert [r.record_key for r in withdrawn.person.records] == [kept.record_key]
    assert withdrawn.person.version > linked.person.version
    assert withdrawn.address.record_keys == [kept.record_key]


async def test_withdrawing_a_persons_only_record_leaves_a_person_with_no_records(
    matcher: Any, make_record: MakeRecord
) -> None:
    record = make_record("1", person=AMY)
    await matcher.send(record)
    [withdrawn] = await matcher.withdraw(record.record_key)
    assert withdrawn.person.records == []  # the indexer removes the person from search


async def test_a_redelivered_withdrawal_is_published_again_and_changes_nothing(
    matcher: Any, make_record: MakeRecord
) -> None:
    record = make_record("1", person=AMY)
    await matcher.send(record, make_record("2", person=AMY))
    [first] = await matcher.withdraw(record.record_key)
    [again] = await matcher.withdraw(record.record_key)
    assert again.change == "withdrawn"
    assert again.person.version == first.person.version


async def test_withdrawing_an_unknown_record_publishes_nothing(matcher: Any) -> None:
    assert await matcher.withdraw("csc-leeds/NEVER-SENT") == []


async def test_a_record_sent_again_after_withdrawal_comes_back(
    matcher: Any, make_record: MakeRecord
) -> None:
    record = make_record("1", person=AMY)
    [created] = await matcher.send(record)
    await matcher.withdraw(record.record_key)
    [back] = await matcher.send(record)  # same content as before: not "unchanged"
    assert back.change == "updated"
    assert back.person.person_id == created.person.person_id
    assert [r.record_key for r in back.person.records] == [record.record_key]
