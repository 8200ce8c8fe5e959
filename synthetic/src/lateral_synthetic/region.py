"""A synthetic region, one postcode district at a time: gazetteer, people, and partner records
with the truth beside each. Nothing is kept between districts but the record counters, so a
region of any size streams in the memory one district needs.

    region = generate_region(size="test", seed=7, today=date(2025, 6, 1))
    for district in region.districts():
        district.properties, district.people, district.records
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from lateral_shared.contracts.records import AgencyKind, PartnerRecord

from .activity import Event, district_events
from .feeds import ATTENDS_OTHER_TRUST, CSV_COLUMNS, FEEDS, Feed, area_of, feed_for, other_area
from .gazetteer import MAX_DISTRICTS, Property, build_district
from .population import PEOPLE_PER_DISTRICT, Household, Person, populate
from .rates import SIZES
from .render import RowWriter

HOMES_PER_PERSON = 0.52  # about 2.4 people a household, and room for those who moved out
TRUTH_COLUMNS = ("feed_id", "source_record_id", "true_person_id", "true_uprn")


@dataclass(frozen=True, slots=True)
class SyntheticRecord:
    """One partner record as its CSV cells, with the truth: who and where it really is."""

    feed: Feed
    cells: dict[str, str]
    true_person_id: str | None
    true_uprn: str | None
    event: Event

    @property
    def source_record_id(self) -> str:
        return self.cells["source_record_id"]

    def csv_row(self) -> list[str]:
        return [self.cells[column] for column in CSV_COLUMNS]

    def truth_row(self) -> list[str]:
        return [self.feed.feed_id, self.source_record_id, self.true_person_id or "",
                self.true_uprn or ""]  # fmt: skip

    def json_record(self) -> dict[str, Any]:
        """The record in the JSON batch shape (`PartnerRecord`), blank cells left out."""
        return json_record(self.cells, self.feed.agency_kind)

    def partner_record(self) -> PartnerRecord:
        return PartnerRecord.model_validate(self.json_record())


def json_record(cells: dict[str, str], kind: AgencyKind) -> dict[str, Any]:
    """A CSV row's cells in the JSON record shape, blank cells left out."""

    def some(**parts: object) -> dict[str, object]:
        return {k: v for k, v in parts.items() if v not in ("", [], None)}

    c = cells
    person = some(
        forename=c["forename"], middle_names=c["middle_names"], surname=c["surname"],
        other_names=[n for n in c["other_names"].split(";") if n], date_of_birth=c["date_of_birth"],
        gender=c["gender"], nhs_number=c["nhs_number"], person_ref=c["person_ref"],
    )  # fmt: skip
    lines = [c[f"address_line_{n}"] for n in range(1, 5) if c[f"address_line_{n}"]]
    address = some(lines=lines, postcode=c["postcode"], uprn=c["uprn"])
    lead = some(name=c["lead_professional_name"], team=c["lead_professional_team"],
                phone=c["lead_professional_phone"], email=c["lead_professional_email"])  # fmt: skip
    return some(
        source_record_id=c["source_record_id"], agency_kind=kind.value, event_type=c["event_type"],
        event_date=c["event_date"], status=c["status"], end_date=c["end_date"],
        category=c["category"], attend_code=int(c["attend_code"]) if c["attend_code"] else None,
        person=person or None, address=address or None, lead_professional=lead or None,
    )  # fmt: skip


@dataclass
class District:
    """One postcode district's share of the region."""

    index: int
    properties: list[Property]
    people: list[Person]
    households: list[Household]
    records: list[SyntheticRecord]


class SyntheticRegion:
    """A region of `population` residents in districts; iterate `districts()` to generate it."""

    def __init__(self, *, seed: int, today: date, population: int, district_population: int):
        self.seed, self.today, self.population = seed, today, population
        count = max(1, round(population / max(1, district_population)))
        if count > MAX_DISTRICTS or population / count >= PEOPLE_PER_DISTRICT:
            raise ValueError("population too large for the synthetic postcode districts")
        self.district_people = [
            population // count + (i < population % count) for i in range(count)
        ]
        self.feeds = list(FEEDS)

    def rng(self, district: int, purpose: str) -> random.Random:
        # A string seed is hashed with SHA-512: the same on every run and machine.
        return random.Random(f"lateral-synthetic:{self.seed}:{district}:{purpose}")  # noqa: S311

    def gazetteer(self, district: int) -> list[Property]:
        homes = int(self.district_people[district] * HOMES_PER_PERSON) + 10
        return build_district(self.rng(district, "gazetteer"), district, homes=homes)

    def districts(self) -> Iterator[District]:
        """Each district in turn, its records numbered on from the previous district's."""
        counters = {feed.feed_id: 0 for feed in self.feeds}
        for index in range(len(self.district_people)):
            district = self.district(index)
            for record in district.records:
                counters[record.feed.feed_id] += 1
                number = counters[record.feed.feed_id]
                record.cells["source_record_id"] = f"{record.feed.id_prefix}-{number:08d}"
            yield district

    def records(self) -> Iterator[SyntheticRecord]:
        """Every record of the region, numbered, district by district (streamed)."""
        for district in self.districts():
            yield from district.records

    def properties(self) -> Iterator[Property]:
        """Every gazetteer entry of the region (without generating people or records)."""
        for index in range(len(self.district_people)):
            yield from self.gazetteer(index)

    def district(self, index: int) -> District:
        """District `index`, generated from its own seeds (records not yet numbered)."""
        properties = self.gazetteer(index)
        parents = {p.parent_uprn for p in properties if p.parent_uprn}
        homes = [p for p in properties if p.uprn not in parents]
        people, households, _ = populate(
            self.rng(index, "people"), homes, district=index,
            people=self.district_people[index], today=self.today,
        )  # fmt: skip
        blocks = {p.uprn: p for p in properties if p.uprn in parents}
        events = district_events(self.rng(index, "events"), people, households, blocks,
                                 today=self.today)  # fmt: skip
        writer, rng = RowWriter(self.rng(index, "rows"), properties), self.rng(index, "feeds")
        area, records = area_of(index), []
        for event in events:
            elsewhere = event.kind is AgencyKind.HEALTH and rng.random() < ATTENDS_OTHER_TRUST
            feed = feed_for(event.kind, other_area(area) if elsewhere else area)
            cells, true_uprn = writer.row(event, feed)
            person_id = event.person.key if event.person else None
            records.append(SyntheticRecord(feed, cells, person_id, true_uprn, event))
        return District(index, properties, people, households, records)


def generate_region(
    *, size: str = "demo", seed: int = 7, today: date | None = None
) -> SyntheticRegion:
    """The synthetic region of a named size (demo, test, region, nation), same seed same data."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    spec = SIZES[size]
    return SyntheticRegion(seed=seed, today=today or date.today(), population=spec.population,
                           district_population=spec.district_population)  # fmt: skip
