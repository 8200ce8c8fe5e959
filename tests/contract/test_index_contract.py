"""The search contract (`PersonQuery`), the same cases against both SearchIndex adapters: the
embedded SQLite index and OpenSearch (opensearch-py against a noida-db engine)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from opensearchpy import AsyncOpenSearch

from lateral_shared.contracts.records import AgencyKind, LeadProfessional, RecordStatus
from lateral_shared.index import (
    PersonAddress,
    PersonDocument,
    PersonName,
    PersonQuery,
    RecordSummary,
    SearchIndex,
)
from lateral_shared.index.embedded import EmbeddedIndex
from lateral_shared.index.opensearch import OpenSearchIndex
from lateral_shared.index.opensearch_body import person_source
from lateral_shared.testing.engines import EngineProcess

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def record(source_record_id: str, agency: AgencyKind = AgencyKind.POLICE) -> RecordSummary:
    return RecordSummary(
        record_key=f"partner-a/feed-1/{source_record_id}",
        partner_id="partner-a",
        feed_id="feed-1",
        source_record_id=source_record_id,
        agency_kind=agency,
        event_type="referral",
        event_date=date(2024, 11, 5),
        status=RecordStatus.OPEN,
        lead_professional=LeadProfessional(name="Sam Duty", team="MASH", phone="0113 000 0000"),
    )


def person(
    person_id: str,
    forename: str,
    surname: str,
    *,
    version: int = 1,
    dob: str | None = None,
    postcode: str | None = None,
    nhs: str | None = None,
    ref: str | None = None,
    aliases: tuple[str, ...] = (),
    lines: tuple[str, ...] = (),
    uprn: str | None = None,
) -> PersonDocument:
    home = PersonAddress(address_key=uprn, lines=list(lines), postcode=postcode, uprn=uprn)
    return PersonDocument(
        person_id=person_id,
        version=version,
        names=[PersonName(forename=forename, surname=surname)],
        aliases=list(aliases),
        date_of_birth=dob,
        nhs_numbers=[nhs] if nhs else [],
        addresses=[home] if lines else [],
        postcodes=[postcode] if postcode else [],
        records=[record(ref)] if ref else [],
        updated_at=NOW,
    )


# Person IDs are chosen so that ID order alone never gives the expected ranking.
PEOPLE = [
    person(
        "p1",
        "John",
        "Smith",
        dob="2012-03-04",
        postcode="LS6 1AA",
        nhs="9434765919",
        ref="CSC-1001",
        lines=("12 High Street", "Headingley", "Leeds"),
        uprn="100023336956",
    ),
    person("p2", "Jon", "Smyth", dob="2012", postcode="LS6 2BB", lines=("4 Low Lane", "Leeds")),
    person(
        "p3",
        "Christopher",
        "Jones",
        dob="2010-07",
        postcode="BD1 1AA",
        nhs="9000000009",
        ref="POL-77",
    ),
    person("p4", "Ann", "Lee", dob="2012-03-09", postcode="LS6 1AA", lines=("14 High Street",)),
    person("p5", "Élodie", "Dubois", aliases=("Ellie Dubois",), postcode="M1 1AE"),
    person("p6", "William", "Brown", dob="1980-05-06", postcode="BD1 1AA"),
    person("p7", "Bill", "Browne", dob="1980", postcode="BD1 1AA"),
]


@pytest.fixture(params=["embedded", pytest.param("opensearch", marks=pytest.mark.opensearch)])
async def index(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SearchIndex]:
    adapter: SearchIndex
    if request.param == "embedded":
        adapter = EmbeddedIndex(tmp_path / "index" / "persons.db")
    else:
        engine = request.getfixturevalue("noida")
        adapter = OpenSearchIndex(engine.url, index_name=f"persons-{uuid.uuid4().hex}")
    await adapter.start()
    await adapter.upsert_persons(PEOPLE)
    yield adapter
    await adapter.close()


async def found(index: SearchIndex, **criteria: object) -> list[str]:
    result = await index.search(PersonQuery.model_validate(criteria))
    return [hit.person.person_id for hit in result.hits]


async def test_misspelt_forename_and_surname_are_found(index: SearchIndex) -> None:
    # "jonh" is one edit from john and jon; "smiht" one from smith but two from smyth.
    assert await found(index, name="Jonh Smiht") == ["p1"]


async def test_two_edits_are_tolerated_in_long_words_only(index: SearchIndex) -> None:
    assert await found(index, name="Kristopher") == ["p3"]  # 2 edits, 11 letters
    assert await found(index, name="Jonez") == ["p3"]  # 1 edit, 5 letters
    assert await found(index, name="Jomez") == []  # 2 edits, 5 letters


async def test_every_spelling_within_reach_is_found(index: SearchIndex) -> None:
    # 60 people, each with a different surname one edit from "marsden" (search engines expand
    # a fuzzy word to only 50 spellings unless told otherwise).
    spellings = sorted(
        {f"Ma{c}sden" for c in "abcdefghijklmnopqstuvwxyz"}
        | {f"Marsd{c}n" for c in "abcdfghijklmnopqrstuvwxyz"}
        | {f"Marsde{c}" for c in "abcdefghijklm"}
    )
    assert len(spellings) == 63
    await index.upsert_persons([person(f"m{i:02d}", "Alex", s) for i, s in enumerate(spellings)])
    result = await index.search(PersonQuery(name="Marsden", page_size=100))
    assert result.total == 63
    assert len(result.hits) == 63


async def test_names_ignore_case_and_diacritics_and_match_aliases(index: SearchIndex) -> None:
    assert await found(index, name="ELODIE") == ["p5"]
    assert await found(index, name="ellie dubois") == ["p5"]
    assert await found(index, name="!!") == []  # a name with no words matches nobody


async def test_partial_dates_of_birth_agree_at_the_shared_precision(index: SearchIndex) -> None:
    assert await found(index, date_of_birth="2012") == ["p1", "p2", "p4"]
    assert await found(index, date_of_birth="2012-03") == ["p1", "p2", "p4"]
    # p2 is known only as born in 2012, so cannot be ruled out; p4 was born on another day.
    assert await found(index, date_of_birth="2012-03-04") == ["p1", "p2"]
    assert await found(index, date_of_birth="2010-07-15") == ["p3"]
    assert await found(index, date_of_birth="2010-08") == []


async def test_postcode_full_with_any_spacing_and_case(index: SearchIndex) -> None:
    assert await found(index, postcode=" ls61  aa") == ["p1", "p4"]
    assert await found(index, postcode="LS6 1AB") == []


async def test_outward_code_alone(index: SearchIndex) -> None:
    assert await found(index, postcode="ls6") == ["p1", "p2", "p4"]
    assert await found(index, postcode="M1") == ["p5"]


async def test_nhs_number_with_spaces_and_partner_reference(index: SearchIndex) -> None:
    assert await found(index, nhs_number="943 476 5919") == ["p1"]
    assert await found(index, nhs_number="9434765918") == []
    assert await found(index, ref_id="POL-77") == ["p3"]
    assert await found(index, ref_id="POL-7") == []


async def test_every_criterion_must_match(index: SearchIndex) -> None:
    assert await found(index, name="Jon Smith", date_of_birth="2012") == ["p1", "p2"]
    assert await found(index, name="Jon Smith", date_of_birth="2012", postcode="LS6 1AA") == ["p1"]
    assert await found(index, name="John Smith", nhs_number="9000000009") == []


async def test_exact_name_matches_rank_above_fuzzy_ones(index: SearchIndex) -> None:
    assert await found(index, name="Jon Smyth") == ["p2", "p1"]
    assert await found(index, name="John Smith") == ["p1", "p2"]
    result = await index.search(PersonQuery(name="Jon Smyth"))
    assert result.hits[0].score > result.hits[1].score


async def test_nicknames_are_found_and_rank_below_the_exact_name(index: SearchIndex) -> None:
    # p6: nickname + exact surname (1.5 + 2) beats p7: exact forename + misspelt surname (2 + 1).
    assert await found(index, name="Bill Brown") == ["p6", "p7"]
    assert await found(index, name="Bill Browne") == ["p7", "p6"]
    assert await found(index, name="William") == ["p6", "p7"]
    assert await found(index, name="Billy") == ["p6", "p7"]
    assert await found(index, name="Chris") == ["p3"]  # Christopher


async def test_initials_match_in_both_directions(index: SearchIndex) -> None:
    await index.upsert_persons([person("p8", "J", "Browning", dob="1981", postcode="BD1 1AA")])
    # "J" is an initial: any name starting with J (p8 holds the name "J" itself, so it ranks first)
    assert await found(index, name="J Browning") == ["p8"]
    assert await found(index, name="J", date_of_birth="2012") == ["p1", "p2"]
    # p8 is known only by the initial J: a searched "James" cannot rule them out.
    assert await found(index, name="James Browning") == ["p8"]
    result = await index.search(PersonQuery(name="J Smith"))
    assert [h.person.person_id for h in result.hits] == ["p1", "p2"]
    assert result.hits[0].score > result.hits[1].score  # Smith exact beats Smyth fuzzy


async def test_any_element_of_an_address(index: SearchIndex) -> None:
    assert await found(index, address="12 High Street") == ["p1"]
    assert await found(index, address="high street leeds") == ["p1"]
    assert await found(index, address="Headingley") == ["p1"]
    assert await found(index, address="Leeds") == ["p1", "p2"]
    assert await found(index, address="High Street LS6 1AA") == ["p1", "p4"]
    assert await found(index, address="ls61aa") == ["p1", "p4"]
    assert await found(index, address="LS6 1") == ["p1", "p4"]  # a postcode sector
    assert await found(index, address="LS6") == ["p1", "p2", "p4"]
    assert await found(index, address="100023336956") == ["p1"]  # the UPRN
    assert await found(index, address="13 High Street") == []
    assert await found(index, address=",,") == []


async def test_a_street_type_word_matches_however_it_was_written(index: SearchIndex) -> None:
    await index.upsert_persons(
        [
            person("s1", "Amy", "Ward", postcode="LS7 3QQ", lines=("7 Mill Rd", "Leeds")),
            person("s2", "Ben", "Ward", postcode="LS7 3QQ", lines=("St Mary's Close", "Leeds")),
            person("s3", "Cal", "Ward", postcode="LS7 4QQ", lines=("9 Mill Lane", "Leeds")),
        ]
    )
    assert await found(index, address="7 Mill Road") == ["s1"]  # sent as "Rd"
    assert await found(index, address="7 mill rd") == ["s1"]
    assert await found(index, address="12 High St") == ["p1"]  # sent as "Street"
    assert await found(index, address="14 high str") == ["p4"]
    assert await found(index, address="Saint Marys Cl") == ["s2"]  # "St" is also Saint
    assert await found(index, address="St Marys Close") == ["s2"]
    assert await found(index, address="Mill Road") == ["s1"]  # not Mill Lane
    assert await found(index, address="Mill Street") == []


async def test_a_misspelt_street_or_town_word_finds_its_close_spellings(
    index: SearchIndex,
) -> None:
    await index.upsert_persons(
        [
            person("s1", "Amy", "Ward", postcode="LS7 3QQ", lines=("7 Mill Rd", "Leeds")),
            person("s4", "Dee", "Ward", postcode="ST13 5AA", lines=("2 Derby St", "Leek")),
        ]
    )
    assert await found(index, address="12 Hihg Street") == ["p1"]
    assert await found(index, address="Headingly") == ["p1"]
    assert await found(index, address="7 Mill Raod") == ["s1"]  # close to Road, sent as "Rd"
    assert await found(index, address="Leds") == ["p1", "p2", "s1"]
    # A word some document holds is taken as typed: Leeds never widens to Leek, nor Leek to Leeds.
    assert await found(index, address="Leeds") == ["p1", "p2", "s1"]
    assert await found(index, address="Leek") == ["s4"]
    assert await found(index, address="12 Hxyz Street") == []  # too far from any word
    assert await found(index, name="Ann", address="Hihg Stret") == ["p4"]


async def test_address_with_name_and_date_of_birth(index: SearchIndex) -> None:
    assert await found(index, name="Jon", address="Leeds", date_of_birth="2012") == ["p2", "p1"]
    assert await found(index, name="Ann", address="High Street") == ["p4"]


async def test_pages_and_total(index: SearchIndex) -> None:
    await index.upsert_persons([person(f"t{i}", f"Child{i}", "Taylor") for i in range(5, 0, -1)])
    pages = [
        await index.search(PersonQuery(name="taylor", page=p, page_size=2)) for p in (1, 2, 3, 4)
    ]
    assert [r.total for r in pages] == [5, 5, 5, 5]
    ids = [[h.person.person_id for h in r.hits] for r in pages]
    assert ids == [["t1", "t2"], ["t3", "t4"], ["t5"], []]


async def test_an_older_version_is_ignored(index: SearchIndex) -> None:
    newer = person("p1", "John", "Smith", version=3, postcode="LS7 3CC")
    await index.upsert_persons([newer])
    await index.upsert_persons([person("p1", "Stale", "Name", version=2)])
    assert await index.get_person("p1") == newer
    assert await found(index, name="Stale") == []
    assert await found(index, postcode="LS7 3CC") == ["p1"]
    assert await found(index, postcode="LS6 1AA") == ["p4"]  # the older postcode is gone


async def test_delete(index: SearchIndex) -> None:
    await index.delete_persons(["p1", "no-such-person"])
    assert await index.get_person("p1") is None
    assert await found(index, nhs_number="9434765919") == []
    assert await found(index, name="Smith") == ["p2"]


async def test_get_person_round_trips_the_document(index: SearchIndex) -> None:
    full = PersonDocument(
        person_id="p9",
        version=7,
        names=[
            PersonName(forename="Zoë", middle_names="Anne Marie", surname="O'Brien"),
            PersonName(forename="Zoe", surname="Brien"),
        ],
        aliases=["Zed"],
        date_of_birth="2009-11",
        gender="female",
        nhs_numbers=["9000000009"],
        addresses=[
            PersonAddress(
                address_key="a-1",
                lines=["1 Test Street", "Leeds"],
                postcode="LS6 1AA",
                uprn="123456789012",
                last_seen=date(2024, 12, 1),
            )
        ],
        postcodes=["LS6 1AA"],
        agencies=[AgencyKind.HEALTH, AgencyKind.POLICE],
        has_open_case=True,
        records=[record("H-9", AgencyKind.HEALTH), record("POL-9")],
        updated_at=NOW,
    )
    await index.upsert_persons([full])
    assert await index.get_person("p9") == full
    assert await index.get_person("nobody") is None
    assert await index.get_persons(["p9", "nobody", "p1"]) == {
        "p9": full,
        "p1": PEOPLE[0],
    }
    assert await found(index, name="obrien zoe", ref_id="H-9") == ["p9"]
    await index.ping()  # reachable: it raises otherwise


@pytest.mark.opensearch
async def test_opensearch_reads_documents_stored_as_objects_by_earlier_versions(
    noida: EngineProcess,
) -> None:
    """Persons written before the document was stored as JSON text (an object then) are still
    found and read back whole, so an index need not be rebuilt on upgrade."""
    name = f"persons-{uuid.uuid4().hex}"
    index = OpenSearchIndex(noida.url, index_name=name)
    await index.start()
    try:
        old = PEOPLE[0]
        source = {**person_source(old), "document": old.model_dump(mode="json")}
        async with AsyncOpenSearch(hosts=[noida.url]) as client:
            await client.index(index=name, id=old.person_id, body=source, refresh="true")
        await index.upsert_persons([PEOPLE[1]])  # and one written now, beside it
        assert await index.get_persons([old.person_id, PEOPLE[1].person_id]) == {
            old.person_id: old,
            PEOPLE[1].person_id: PEOPLE[1],
        }
        assert await found(index, name="Smith") == [old.person_id, PEOPLE[1].person_id]
    finally:
        await index.close()
