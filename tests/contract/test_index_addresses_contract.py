"""Address documents (`AddressQuery`), the same cases against both SearchIndex adapters."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from lateral_shared.contracts.records import AgencyKind, RecordStatus
from lateral_shared.index import (
    AddressDocument,
    AddressQuery,
    AddressResident,
    PersonName,
    PersonQuery,
    RecordSummary,
    SearchIndex,
    address_id,
)
from lateral_shared.index.embedded import EmbeddedIndex
from lateral_shared.index.opensearch import OpenSearchIndex

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def callout(source_record_id: str) -> RecordSummary:
    """An address-only fire service record."""
    return RecordSummary(
        record_key=f"fire-feed/{source_record_id}",
        partner_id="fire",
        feed_id="fire-feed",
        source_record_id=source_record_id,
        agency_kind=AgencyKind.FIRE,
        event_type="callout",
        event_date=date(2024, 12, 1),
        status=RecordStatus.CLOSED,
    )


def place(key: str, lines: list[str], postcode: str, *, version: int = 1) -> AddressDocument:
    return AddressDocument(
        address_key=key,
        version=version,
        uprn=key if key.isdigit() else None,
        lines=lines,
        postcode=postcode,
        residents=[
            AddressResident(
                person_id=f"person-{key}",
                names=[PersonName(forename="Ada", surname="Testwood")],
                date_of_birth="2012-03-04",
                agencies=[AgencyKind.HEALTH],
                last_seen=date(2024, 11, 1),
            )
        ],
        records=[callout(f"F-{key}")],
        agencies=[AgencyKind.FIRE, AgencyKind.HEALTH],
        updated_at=NOW,
    )


PLACES = [
    place("100000000012", ["12 High Street", "Headingley", "Leeds"], "LS6 1AA"),
    place("100000000014", ["14 High Street", "Leeds"], "LS6 1AA"),
    place("100000000004", ["4 Low Lane", "Leeds"], "LS6 2BB"),
    place("ADDR-7", ["7 Mill Road", "Bradford"], "BD1 1AA"),
]


@pytest.fixture(params=["embedded", pytest.param("opensearch", marks=pytest.mark.opensearch)])
async def index(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SearchIndex]:
    adapter: SearchIndex
    if request.param == "embedded":
        adapter = EmbeddedIndex(tmp_path / "index" / "addresses.db")
    else:
        engine = request.getfixturevalue("noida")
        adapter = OpenSearchIndex(engine.url, index_name=f"persons-{uuid.uuid4().hex}")
    await adapter.start()
    await adapter.upsert_addresses(PLACES)
    yield adapter
    await adapter.close()


async def found(index: SearchIndex, **criteria: object) -> list[str]:
    result = await index.search_addresses(AddressQuery.model_validate(criteria))
    return [hit.address.address_key for hit in result.hits]


async def test_an_address_round_trips_with_residents_and_records(index: SearchIndex) -> None:
    assert await index.get_address("ADDR-7") == PLACES[3]
    assert await index.get_address("nowhere") is None
    # Stored by an opaque ID (no address in URLs); a key is accepted in its place.
    assert PLACES[3].address_id == address_id("ADDR-7") != "ADDR-7"
    assert await index.get_address(PLACES[3].address_id) == PLACES[3]
    assert await index.get_addresses([address_id("ADDR-7"), "nowhere"]) == {
        PLACES[3].address_id: PLACES[3]
    }


async def test_found_by_postcode_outward_code_or_sector(index: SearchIndex) -> None:
    assert await found(index, postcode="ls6 1aa") == ["100000000012", "100000000014"]
    assert await found(index, postcode="LS6") == ["100000000004", "100000000012", "100000000014"]
    assert await found(index, address="LS6 2") == ["100000000004"]
    assert await found(index, postcode="LS7") == []


async def test_found_by_any_element(index: SearchIndex) -> None:
    assert await found(index, address="12 high street") == ["100000000012"]
    assert await found(index, address="High Street") == ["100000000012", "100000000014"]
    assert await found(index, address="Bradford") == ["ADDR-7"]
    assert await found(index, address="100000000004") == ["100000000004"]
    assert await found(index, address="Leeds", postcode="LS6 2BB") == ["100000000004"]
    assert await found(index, address="Mill Road Leeds") == []
    assert await found(index, address="7 Mill Rd") == ["ADDR-7"]  # however a partner wrote it
    assert await found(index, address="14 High St") == ["100000000014"]
    assert await found(index, address="7 Mil Raod Bradfrod") == ["ADDR-7"]  # misspelt
    assert await found(index, address="Bradfrod Leeds") == []


async def test_pages_total_and_order(index: SearchIndex) -> None:
    first = await index.search_addresses(AddressQuery(address="Leeds", page_size=2))
    second = await index.search_addresses(AddressQuery(address="Leeds", page=2, page_size=2))
    assert (first.total, second.total) == (3, 3)
    keys = [h.address.address_key for h in [*first.hits, *second.hits]]
    assert keys == ["100000000004", "100000000012", "100000000014"]


async def test_an_older_version_is_ignored_and_delete_removes(index: SearchIndex) -> None:
    newer = place("ADDR-7", ["7 Mill Road", "Shipley"], "BD18 1AA", version=3)
    await index.upsert_addresses([newer])
    await index.upsert_addresses([place("ADDR-7", ["Stale"], "BD1 1AA", version=2)])
    assert await index.get_address("ADDR-7") == newer
    assert await found(index, address="Shipley") == ["ADDR-7"]
    assert await found(index, address="Bradford") == []
    await index.delete_addresses([address_id("ADDR-7"), "nowhere"])
    assert await index.get_address("ADDR-7") is None
    assert await found(index, address="Shipley") == []


async def test_addresses_and_persons_are_kept_apart(index: SearchIndex) -> None:
    assert (await index.search(PersonQuery(address="Leeds"))).total == 0
    assert await index.get_person("100000000012") is None
