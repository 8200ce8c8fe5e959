"""The demo data set: an exact number of records from a small synthetic region, with a few
planted cases that must raise the priority alert (for `lateral up` and the pipeline bench)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from lateral_shared.contracts.records import AgencyKind, PartnerRecord, RecordStatus, record_key

from .activity import Event
from .feeds import FEEDS, Feed, area_of, feed_for
from .region import District, SyntheticRecord, SyntheticRegion
from .render import RowWriter

RECORDS_PER_RESIDENT = 1.1  # about what the activity rates give; a margin is added on top
DEMO_DISTRICT_POPULATION = 2_200
MAX_PLANTED_ALERTS = 6
CSC, POLICE, FIRE = AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.POLICE, AgencyKind.FIRE


@dataclass
class DemoDataset:
    """The generated feeds, their records, and the truth to score matching against.

    `truth` maps each record key that is about a person to that synthetic person's key (address-only
    records are absent). `planted_alerts` lists (child's person key, trigger record key) pairs made
    to raise the priority alert; other records may raise more.
    """

    feeds: list[Feed]
    records_by_feed: dict[str, list[PartnerRecord]]
    truth: dict[str, str] = field(default_factory=dict)
    planted_alerts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def record_count(self) -> int:
        return sum(len(records) for records in self.records_by_feed.values())


def generate_demo(*, seed: int = 7, records: int = 3000, today: date | None = None) -> DemoDataset:
    """`records` synthetic partner records over every feed, the same for the same seed and `today`
    (the reference date; event dates fall in the 12 months up to it)."""
    if records < 0:
        raise ValueError("records must be zero or more")
    today = today or date.today()
    population = int(records / RECORDS_PER_RESIDENT * 1.2) + 200
    # At least two districts, so both councils' feeds have records.
    per_district = min(DEMO_DISTRICT_POPULATION, population // 2)
    region = SyntheticRegion(
        seed=seed, today=today, population=population, district_population=per_district
    )
    districts = [region.district(i) for i in range(len(region.district_people))]
    rng = random.Random(f"lateral-synthetic-demo:{seed}")  # noqa: S311 (not a secret)
    planted, cases = _plant(rng, districts, today, budget=records // 6)
    others = [r for d in districts for r in d.records]
    chosen = planted + rng.sample(others, min(len(others), records - len(planted)))
    by_feed: dict[str, list[SyntheticRecord]] = {f.feed_id: [] for f in FEEDS}
    for record in chosen:
        by_feed[record.feed.feed_id].append(record)
    for feed in FEEDS:
        by_feed[feed.feed_id].sort(key=lambda r: (r.cells["event_date"], r.cells["event_type"]))
        for number, record in enumerate(by_feed[feed.feed_id], start=1):
            record.cells["source_record_id"] = f"{feed.id_prefix}-{number:07d}"
    truth = {record_key(r.feed.feed_id, r.source_record_id): r.true_person_id
             for r in chosen if r.true_person_id}  # fmt: skip
    alerts = [(child, record_key(t.feed.feed_id, t.source_record_id)) for child, t in cases]
    records_by_feed = {f: [r.partner_record() for r in rs] for f, rs in by_feed.items()}
    return DemoDataset(list(FEEDS), records_by_feed, truth, alerts)


def _plant(
    rng: random.Random, districts: list[District], today: date, *, budget: int
) -> tuple[list[SyntheticRecord], list[tuple[str, SyntheticRecord]]]:
    """Children with an open child protection plan and a later police or fire record at home,
    written without mistakes so they link (the first police record names the child too)."""
    count = min(MAX_PLANTED_ALERTS, budget // 2)
    young = [(d, p) for d in districts for p in d.people
             if 1 <= p.age_on(today) <= 16 and len(p.household.homes) == 1]  # fmt: skip
    planted: list[SyntheticRecord] = []
    cases: list[tuple[str, SyntheticRecord]] = []
    for i, (district, child) in enumerate(rng.sample(young, min(count, len(young)))):
        writer, area = RowWriter(rng, district.properties), area_of(district.index)
        home, household = child.household.homes[0][1], child.household
        kind = POLICE if i % 2 == 0 else FIRE
        plan = Event(CSC, "child_protection_plan", today - timedelta(rng.randint(200, 364)),
                     RecordStatus.OPEN, None, child, home, household)  # fmt: skip
        on = today - timedelta(rng.randint(1, 150))
        trigger = Event(kind, "incident", on, RecordStatus.CLOSED, on,
                        child if i == 0 else None, home, household,
                        category="domestic_abuse" if kind is POLICE else "fire")  # fmt: skip
        for event in (plan, trigger):
            feed = feed_for(event.kind, area)
            cells, uprn = writer.row(event, feed, exact=True)
            person = event.person.key if event.person else None
            planted.append(SyntheticRecord(feed, cells, person, uprn, event))
        cases.append((child.key, planted[-1]))
    return planted, cases
