"""Address documents and link explanations written by the `records.linked` handler."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from lateral_indexer.service_layer.indexing import PersonIndexer
from lateral_shared.contracts import RecordLinked
from lateral_shared.contracts.events import (
    AddressSnapshot,
    LinkExplanation,
    PersonSnapshot,
    Resident,
)
from lateral_shared.contracts.records import AgencyKind, CleanRecord, RecordStatus
from lateral_shared.index import AddressQuery
from lateral_shared.testing.fakes import InMemoryIndex

MakeRecord = Callable[..., CleanRecord]
T0 = datetime(2025, 1, 1, tzinfo=UTC)
HOME = "100000000012"


def _snapshot(record_keys: list[str], residents: list[str]) -> AddressSnapshot:
    return AddressSnapshot(
        address_key=HOME,
        uprn=HOME,
        postcode="LS6 1AA",
        lines=["12 High Street", "Leeds"],
        residents=[Resident(person_id=pid) for pid in residents],
        record_keys=record_keys,
    )


def _event(
    record: CleanRecord,
    address: AddressSnapshot,
    *,
    person: PersonSnapshot | None = None,
    at: int = 0,
    change: str = "created",
    link: LinkExplanation | None = None,
) -> RecordLinked:
    return RecordLinked(
        batch_id=uuid.uuid4(),
        change=change,  # type: ignore[arg-type]
        record=record,
        person=person,
        address=address,
        link=link,
        occurred_at=T0 + timedelta(seconds=at),
    )


def _why(summary: str) -> LinkExplanation:
    return LinkExplanation(rule="nhs_number", model_version="m1", score=0.99, summary=summary)


async def test_an_address_gets_its_residents_and_every_record_there(
    make_record: MakeRecord,
) -> None:
    index = InMemoryIndex()
    ada = make_record("H-1", address_key=HOME, postcode="LS6 1AA", lines=("12 High Street",))
    fire = make_record("F-1", agency=AgencyKind.FIRE, address_key=HOME, postcode="LS6 1AA")
    fire = fire.model_copy(update={"person": None, "status": RecordStatus.OPEN})
    ada_person = PersonSnapshot(person_id="p-ada", version=1, records=[ada])
    await PersonIndexer(index)(
        [
            _event(ada, _snapshot([ada.record_key], ["p-ada"]), person=ada_person),
            _event(fire, _snapshot([ada.record_key, fire.record_key], ["p-ada"]), at=1),
        ]
    )
    home = await index.get_address(HOME)
    assert home is not None
    assert [r.record_key for r in home.records] == [ada.record_key, fire.record_key]
    [resident] = home.residents
    assert (resident.person_id, resident.current) == ("p-ada", True)
    assert resident.names[0].surname == "Smith"
    assert home.agencies == [AgencyKind.HEALTH, AgencyKind.FIRE]
    assert home.has_open_case
    found = await index.search_addresses(AddressQuery(address="12 High Street"))
    assert [h.address.address_key for h in found.hits] == [HOME]


async def test_an_address_only_record_is_kept_when_others_arrive_later(
    make_record: MakeRecord,
) -> None:
    index = InMemoryIndex()
    police = make_record("P-1", agency=AgencyKind.POLICE, address_key=HOME, postcode="LS6 1AA")
    police = police.model_copy(update={"person": None})
    amy = make_record("H-2", address_key=HOME, postcode="LS6 1AA")
    handler = PersonIndexer(index)
    await handler([_event(police, _snapshot([police.record_key], []))])
    await handler(
        [
            _event(
                amy,
                _snapshot([police.record_key, amy.record_key], ["p-amy"]),
                person=PersonSnapshot(person_id="p-amy", version=1, records=[amy]),
                at=5,
            )
        ]
    )
    home = await index.get_address(HOME)
    assert home is not None
    assert {r.record_key for r in home.records} == {police.record_key, amy.record_key}
    assert [r.person_id for r in home.residents] == ["p-amy"]


async def test_a_withdrawn_last_record_removes_the_address(make_record: MakeRecord) -> None:
    index = InMemoryIndex()
    fire = make_record("F-9", agency=AgencyKind.FIRE, address_key=HOME, postcode="LS6 1AA")
    fire = fire.model_copy(update={"person": None})
    handler = PersonIndexer(index)
    await handler([_event(fire, _snapshot([fire.record_key], []))])
    await handler([_event(fire, _snapshot([], []), at=2, change="withdrawn")])
    assert await index.get_address(HOME) is None


async def test_an_older_address_event_never_overwrites_a_newer_one(
    make_record: MakeRecord,
) -> None:
    index = InMemoryIndex()
    fire = make_record("F-2", agency=AgencyKind.FIRE, address_key=HOME, postcode="LS6 1AA")
    fire = fire.model_copy(update={"person": None})
    handler = PersonIndexer(index)
    await handler([_event(fire, _snapshot([fire.record_key], []), at=10)])
    await handler([_event(fire, _snapshot([], []), at=1, change="withdrawn")])  # late, stale
    home = await index.get_address(HOME)
    assert home is not None and [r.record_key for r in home.records] == [fire.record_key]


async def test_link_explanations_accumulate_on_the_person(make_record: MakeRecord) -> None:
    index = InMemoryIndex()
    first = make_record("H-1", person={"forename": "Amy", "surname": "Smith"})
    second = make_record(
        "H-2", person={"forename": "Amy", "surname": "Smith"}, event_date=date(2025, 2, 1)
    )
    handler = PersonIndexer(index)
    one = PersonSnapshot(person_id="p-1", version=1, records=[first])
    two = PersonSnapshot(person_id="p-1", version=2, records=[first, second])
    await handler([_event_without_address(first, one, _why("new person"))])
    await handler([_event_without_address(second, two, _why("same NHS number"))])
    person = await index.get_person("p-1")
    assert person is not None
    assert [(link.record_key, link.summary) for link in person.links] == [
        (first.record_key, "new person"),
        (second.record_key, "same NHS number"),
    ]
    three = PersonSnapshot(person_id="p-1", version=3, records=[second])  # first split away
    await handler([_event_without_address(second, three, None)])
    person = await index.get_person("p-1")
    assert person is not None
    assert [link.record_key for link in person.links] == [second.record_key]


def _event_without_address(
    record: CleanRecord, person: PersonSnapshot, link: LinkExplanation | None
) -> RecordLinked:
    return RecordLinked(
        batch_id=uuid.uuid4(), change="updated", record=record, person=person, link=link
    )
