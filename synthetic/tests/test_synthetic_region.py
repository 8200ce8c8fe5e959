"""The synthetic region: a sound gazetteer, a population of all ages, valid partner records
(by the gateway's own validator), and truth for every record."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest

from lateral_ingest_gateway.domain.validation import validate_csv_row
from lateral_shared.contracts.records import AgencyKind
from lateral_shared.contracts.vocabulary import ATTEND_CODES, KIND_SPECS
from lateral_synthetic import District, generate_region

TODAY = date(2025, 6, 1)
# From REFERENCE.md ("a regex that holds up in tests"), and the NHS pseudo-postcodes.
POSTCODE = re.compile(
    r"^(?:GIR 0AA|[A-PR-UWYZ](?:[0-9][0-9]?|[A-HK-Y][0-9][0-9]?|[0-9][A-HJKPSTUW]|"
    r"[A-HK-Y][0-9][ABEHMNPRVWXY]) [0-9][ABD-HJLNP-UW-Z]{2})$"
)
PSEUDO_POSTCODE = re.compile(r"^ZZ99 [0-9][A-Z]Z$")
REAL_POSTCODE_AREAS = {"NE", "NG", "NN", "NP", "NR", "NW", "N"}  # the real areas starting with N


@pytest.fixture(scope="module")
def districts() -> list[District]:
    return list(generate_region(size="demo", seed=3, today=TODAY).districts())


def _mod11_valid(number: str) -> bool:
    """Modulus 11 as the NHS Data Dictionary states it (written out here, not imported)."""
    total = sum(int(number[i]) * (10 - i) for i in range(9))
    check = 11 - total % 11
    return check != 10 and (0 if check == 11 else check) == int(number[9])


def test_the_gazetteer_has_unique_uprns_and_flats_whose_parent_exists(
    districts: list[District],
) -> None:
    properties = [p for d in districts for p in d.properties]
    by_uprn = {p.uprn: p for p in properties}
    flats = [p for p in properties if p.parent_uprn]

    assert len(by_uprn) == len(properties)
    assert all(p.uprn.isdigit() and len(p.uprn) <= 12 for p in properties)
    assert len(flats) > 0.05 * len(properties)
    for flat in flats:
        block = by_uprn[flat.parent_uprn]  # type: ignore[index]
        assert block.parent_uprn is None and block.sao is None
        assert (flat.pao, flat.street, flat.postcode) == (block.pao, block.street, block.postcode)
        assert flat.sao and flat.sao.startswith("Flat ")
    assert any(not p.pao[0].isdigit() for p in flats)  # named blocks such as "Ashdown Court"


def test_gazetteer_postcodes_are_valid_in_unreal_areas_and_places_plausible(
    districts: list[District],
) -> None:
    properties = [p for d in districts for p in d.properties]

    assert all(POSTCODE.match(p.postcode) for p in properties)
    assert not {re.match(r"[A-Z]+", p.postcode)[0] for p in properties} & REAL_POSTCODE_AREAS  # type: ignore[index]
    assert all(0 < p.x < 700_000 and 0 < p.y < 1_300_000 for p in properties)  # on the GB grid
    assert len({p.town for p in properties}) >= 2
    assert len({p.locality for p in properties if p.locality}) >= 2
    assert len({(p.street, p.locality, p.town) for p in properties}) > 40


def test_the_population_spans_every_age_and_kind_of_household(districts: list[District]) -> None:
    people = [p for d in districts for p in d.people]
    households = [h for d in districts for h in d.households]
    ages = [p.age_on(TODAY) for p in people]
    sizes = Counter(len(h.members) for h in households)

    assert 0.12 < sum(a < 18 for a in ages) / len(ages) < 0.35
    assert 0.08 < sum(a >= 65 for a in ages) / len(ages) < 0.3
    assert min(ages) == 0 and max(ages) >= 90
    assert sizes[1] > 0 and sizes[2] > 0 and sum(n for s, n in sizes.items() if s >= 4) > 0
    moved = [h for h in households if len(h.homes) > 1]
    assert 0.05 < len(moved) / len(households) < 0.15
    assert all(TODAY - timedelta(365) < h.homes[1][0] <= TODAY for h in moved)
    married = [p for p in people if p.birth_surname and p.married_on]
    assert married and any(TODAY - timedelta(365) < p.married_on <= TODAY for p in married)  # type: ignore[operator]


def test_every_record_passes_the_gateways_validation(districts: list[District]) -> None:
    for district in districts:
        for line, record in enumerate(district.records, start=2):
            outcome = validate_csv_row(
                record.cells, agency_kind=record.feed.agency_kind, row=line, today=TODAY
            )
            assert outcome.errors == (), (record.feed.feed_id, outcome.errors)


def test_records_use_the_published_vocabulary_over_the_past_twelve_months(
    districts: list[District],
) -> None:
    records = [r for d in districts for r in d.records]
    seen = Counter((r.feed.agency_kind, r.cells["event_type"]) for r in records)

    for kind, spec in KIND_SPECS.items():
        assert {t for k, t in seen if k is kind} == set(spec.event_types)
    for record in records:
        spec, cells = KIND_SPECS[record.feed.agency_kind], record.cells
        assert TODAY - timedelta(365) < date.fromisoformat(cells["event_date"]) <= TODAY
        assert (cells["category"] != "") is (cells["event_type"] in spec.category_required_for)
        assert cells["category"] == "" or cells["category"] in spec.categories
        if cells["attend_code"]:
            assert int(cells["attend_code"]) in ATTEND_CODES
        assert (cells["end_date"] == "") is (cells["status"] == "open")
    assert Counter(r.cells["status"] for r in records)["open"] > 100


def test_every_nhs_number_is_a_valid_9xx_number(districts: list[District]) -> None:
    numbers = [r.cells["nhs_number"].replace(" ", "") for d in districts for r in d.records
               if r.cells["nhs_number"]]  # fmt: skip
    people = [p.nhs_number for d in districts for p in d.people]

    assert len(numbers) > 2000
    assert all(len(n) == 10 and n.isdigit() and n.startswith("9") for n in numbers + people)
    assert all(_mod11_valid(n) for n in numbers + people)
    assert len(set(people)) == len(people)


def test_the_truth_names_the_person_and_property_of_every_record(
    districts: list[District],
) -> None:
    uprns = {p.uprn for d in districts for p in d.properties}
    people = {p.key for d in districts for p in d.people}
    records = [r for d in districts for r in d.records]

    for record in records:
        assert (record.true_person_id is not None) is (record.cells["forename"] != "")
        assert record.true_person_id is None or record.true_person_id in people
        assert record.true_uprn is None or record.true_uprn in uprns
        if record.true_uprn is None:  # no property: a pseudo-postcode or a street location
            assert PSEUDO_POSTCODE.match(record.cells["postcode"]) or (
                record.feed.agency_kind is AgencyKind.POLICE and record.cells["postcode"] == ""
            )
    police = [r for r in records if r.feed.agency_kind is AgencyKind.POLICE]
    assert 0.5 < sum(r.true_person_id is None for r in police) / len(police) < 0.9
    fire = [r for r in records if r.feed.agency_kind is AgencyKind.FIRE]
    assert fire and all(r.true_person_id is None for r in fire)
    assert len({r.source_record_id for r in records}) == len(records)


def test_social_care_records_name_a_lead_professional_who_stays_the_same(
    districts: list[District],
) -> None:
    leads: dict[tuple[str, str], set[str]] = {}
    for record in (r for d in districts for r in d.records):
        if record.feed.agency_kind in (
            AgencyKind.CHILDRENS_SOCIAL_CARE,
            AgencyKind.ADULT_SOCIAL_CARE,
        ):
            cells = record.cells
            assert cells["lead_professional_email"].endswith(".example.org.uk")
            assert cells["lead_professional_phone"].startswith("01632 960")  # Ofcom drama range
            key = (record.feed.feed_id, record.true_person_id or "")
            leads.setdefault(key, set()).add(cells["lead_professional_name"])
    assert leads and all(len(names) == 1 for names in leads.values())


def test_the_streaming_api_gives_the_same_gazetteer_and_records_as_the_districts(
    districts: list[District],
) -> None:
    region = generate_region(size="demo", seed=3, today=TODAY)

    assert list(region.properties()) == [p for d in districts for p in d.properties]
    streamed = [(r.feed.feed_id, r.csv_row(), r.truth_row()) for r in region.records()]
    assert streamed == [(r.feed.feed_id, r.csv_row(), r.truth_row())
                        for d in districts for r in d.records]  # fmt: skip
