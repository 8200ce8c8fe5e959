"""The `records.clean` handler on an in-memory bus and a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from lateral_shared.contracts import RECORDS_LINKED
from lateral_shared.contracts.records import AgencyKind, CleanRecord, RecordStatus

MakeRecord = Callable[..., CleanRecord]
AMY = {"forename": "Amy", "surname": "Smith", "date_of_birth": "2012-03-04", "dob_precision": "day"}
NHS = "9434765919"


async def test_same_nhs_number_links_records_from_two_agencies(
    matcher: Any, make_record: MakeRecord
) -> None:
    first = make_record("1", person={**AMY, "nhs_number": NHS})
    second = make_record(
        "77",
        feed="health-leeds",
        agency=AgencyKind.HEALTH,
        person={"forename": "Aimee", "surname": "Smyth", "nhs_number": NHS},
    )
    [a] = await matcher.send(first)
    [b] = await matcher.send(second)
    assert b.person.person_id == a.person.person_id
    assert b.link.rule == "nhs_number"
    assert b.person.version == 2
    assert {r.record_key for r in b.person.records} == {first.record_key, second.record_key}
    assert await matcher.count("persons") == 1


async def test_same_name_and_full_dob_links_without_nhs_number(
    matcher: Any, make_record: MakeRecord
) -> None:
    [a] = await matcher.send(make_record("1", person=AMY))
    [b] = await matcher.send(
        make_record(
            "2", feed="police-wy", agency=AgencyKind.POLICE, person={**AMY, "forename": "AMY"}
        )
    )
    assert b.person.person_id == a.person.person_id
    assert b.link.rule == "probabilistic"
    assert {f.field for f in b.link.fields} >= {"forename", "surname", "date_of_birth"}


async def test_doubtful_records_make_new_persons_and_wait_for_a_data_steward(
    matcher: Any, make_record: MakeRecord
) -> None:
    [a] = await matcher.send(make_record("1", person=AMY))
    [b] = await matcher.send(make_record("2", person={**AMY, "date_of_birth": "2012-03"}))
    [c] = await matcher.send(make_record("3", person={**AMY, "surname": "Jones"}))
    assert len({a.person.person_id, b.person.person_id, c.person.person_id}) == 3
    assert b.link.rule == c.link.rule == "review"
    assert await matcher.count("persons") == 3
    assert await matcher.count("review_items") == 2  # each against Amy's person


async def test_someone_else_entirely_is_a_new_person_with_nothing_to_review(
    matcher: Any, make_record: MakeRecord
) -> None:
    [a] = await matcher.send(make_record("1", person=AMY))
    other = {"forename": "Zachary", "surname": "Okonkwo", "date_of_birth": "1971-11-30"}
    [b] = await matcher.send(make_record("2", person=other))
    assert b.person.person_id != a.person.person_id
    assert b.link.rule == "new_person"
    assert await matcher.count("review_items") == 0


async def test_replaying_the_topic_into_an_empty_store_gives_the_same_person_ids(
    open_matcher: Any, make_record: MakeRecord
) -> None:
    records = [make_record("1", person=AMY), make_record("2", person={**AMY, "forename": "Ben"})]
    first, replay = await open_matcher("first.db"), await open_matcher("replay.db")
    ids = [e.person.person_id for e in await first.send(*records)]
    replayed = [e.person.person_id for e in await replay.send(*records)]
    assert ids == replayed
    assert ids[0] != ids[1]


async def test_two_records_of_one_new_person_in_one_batch_make_one_person(
    matcher: Any, make_record: MakeRecord
) -> None:
    events = await matcher.send(
        make_record("1", person={**AMY, "nhs_number": NHS}),
        make_record("2", person={"nhs_number": NHS}),
    )
    assert events[0].person.person_id == events[1].person.person_id
    assert len(events[1].person.records) == 2
    assert await matcher.count("persons") == 1


async def test_address_only_record_has_no_person_but_its_address(
    matcher: Any, make_record: MakeRecord
) -> None:
    fire = make_record(
        "F1",
        feed="fire-wy",
        agency=AgencyKind.FIRE,
        address_key="100012345678",
        status=RecordStatus.CLOSED,
    )
    [event] = await matcher.send(fire)
    assert event.person is None
    assert event.link.rule == "address_only"
    assert event.address.address_key == "100012345678"
    assert event.address.uprn == "100012345678"
    assert event.address.record_keys == [fire.record_key]
    assert event.address.residents == []
    assert matcher.keys() == ["100012345678"]
    assert await matcher.count("persons") == 0


async def test_resending_an_unchanged_record_changes_nothing_but_is_published_again(
    matcher: Any, make_record: MakeRecord
) -> None:
    record = make_record("1", person={**AMY, "nhs_number": NHS}, address_key="100012345678")
    [first] = await matcher.send(record)
    counts = {
        t: await matcher.count(t)
        for t in ("persons", "records", "blocking_keys", "addresses", "links", "review_items")
    }
    [again] = await matcher.send(record)
    assert again.change == "unchanged"
    assert again.person == first.person  # same person, same version, same records
    assert again.link == first.link
    assert {t: await matcher.count(t) for t in counts} == counts
    assert len(matcher.bus.topics[RECORDS_LINKED]) == 2


async def test_an_update_replaces_the_record_and_bumps_the_person_version(
    matcher: Any, make_record: MakeRecord
) -> None:
    [created] = await matcher.send(make_record("1", person=AMY))
    closed = make_record("1", person=AMY, status=RecordStatus.CLOSED, version="2")
    [updated] = await matcher.send(closed)
    assert created.change == "created"
    assert updated.change == "updated"
    assert updated.person.person_id == created.person.person_id
    assert updated.person.version == created.person.version + 1
    assert [r.status for r in updated.person.records] == [RecordStatus.CLOSED]
    assert await matcher.count("records") == 1


async def test_an_address_lists_every_resident_with_their_open_agencies(
    matcher: Any, make_record: MakeRecord
) -> None:
    home = "200000000001"
    child = make_record("C1", person=AMY, address_key=home)
    adult = make_record(
        "A1",
        feed="asc-leeds",
        agency=AgencyKind.ADULT_SOCIAL_CARE,
        status=RecordStatus.CLOSED,
        address_key=home,
        person={"forename": "Carol", "surname": "Smith", "date_of_birth": "1980"},
    )
    await matcher.send(child, adult)
    police = make_record(
        "P1",
        feed="police-wy",
        agency=AgencyKind.POLICE,
        address_key=home,
        event_date=date(2025, 2, 1),
    )
    [event] = await matcher.send(police)
    residents = {r.date_of_birth: r for r in event.address.residents}
    assert set(residents) == {"2012-03-04", "1980"}
    assert residents["2012-03-04"].open_agency_kinds == [AgencyKind.CHILDRENS_SOCIAL_CARE]
    assert residents["1980"].open_agency_kinds == []
    assert sorted(event.address.record_keys) == sorted(
        [child.record_key, adult.record_key, police.record_key]
    )


async def test_a_failed_publish_is_healed_by_redelivery(
    matcher: Any, make_record: MakeRecord
) -> None:
    record = make_record("1", person=AMY)
    matcher.bus.fail_publish = True
    with pytest.raises(ConnectionError):
        await matcher.send(record)
    matcher.bus.fail_publish = False
    [event] = await matcher.send(record)  # the consumer loop redelivers the uncommitted event
    assert event.change == "unchanged"
    assert event.person.version == 1
    assert await matcher.count("persons") == 1
