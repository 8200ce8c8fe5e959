"""The demo data set: five synthetic partner feeds over one synthetic population."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from faker import Faker

from lateral_shared.contracts.records import AgencyKind, PartnerRecord, record_key

from .gazetteer import build_gazetteer
from .generator import RecordGenerator
from .population import populate


@dataclass(frozen=True, slots=True)
class Feed:
    """One partner system's feed."""

    feed_id: str
    partner_id: str
    partner_name: str
    agency_kind: AgencyKind
    id_prefix: str


FEEDS = (
    Feed("northshire-csc", "northshire-council", "Northshire Council (synthetic)",
         AgencyKind.CHILDRENS_SOCIAL_CARE, "CSC"),
    Feed("northshire-asc", "northshire-council", "Northshire Council (synthetic)",
         AgencyKind.ADULT_SOCIAL_CARE, "ASC"),
    Feed("northshire-hospitals", "northshire-nhs", "Northshire Hospitals NHS Trust (synthetic)",
         AgencyKind.HEALTH, "NHS"),
    Feed("northshire-police-cad", "northshire-police", "Northshire Police (synthetic)",
         AgencyKind.POLICE, "CAD"),
    Feed("northshire-fire-irs", "northshire-fire", "Northshire Fire and Rescue (synthetic)",
         AgencyKind.FIRE, "IRS"),
)  # fmt: skip
# Share of all records each agency kind sends, roughly as in a real partnership.
SHARES = {AgencyKind.CHILDRENS_SOCIAL_CARE: 0.15, AgencyKind.ADULT_SOCIAL_CARE: 0.10,
          AgencyKind.HEALTH: 0.35, AgencyKind.POLICE: 0.25, AgencyKind.FIRE: 0.15}  # fmt: skip
RECORDS_PER_ADDRESS = 2  # most households appear in a few feeds, many in none


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
    """`records` synthetic partner records over the five agency kinds, the same for the same seed
    and `today` (the reference date; event dates fall in the 12 months up to it)."""
    if records < 0:
        raise ValueError("records must be zero or more")
    today = today or date.today()
    rng = random.Random(seed)  # noqa: S311 (reproducible synthetic data, not a secret)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    addresses = build_gazetteer(rng, fake, addresses=max(30, records // RECORDS_PER_ADDRESS))
    population = populate(rng, fake, addresses, today=today)
    generator = RecordGenerator(
        rng,
        fake,
        population,
        addresses,
        today=today,
        feeds={f.agency_kind: (f.feed_id, f.id_prefix) for f in FEEDS},
    )
    counts = split_counts(records, SHARES)
    planted = generator.plant_alerts(counts)
    for kind, count in counts.items():
        for _ in range(count):
            generator.random_record(kind)
    by_feed: dict[str, list[PartnerRecord]] = {f.feed_id: [] for f in FEEDS}
    truth: dict[str, str] = {}
    for feed_id, record, person_key in generator.written:
        by_feed[feed_id].append(record)
        if person_key is not None:
            truth[record_key(feed_id, record.source_record_id)] = person_key
    for feed_records in by_feed.values():
        feed_records.sort(key=lambda r: (r.event_date, r.source_record_id))
    return DemoDataset(list(FEEDS), by_feed, truth, planted)


def split_counts(total: int, shares: dict[AgencyKind, float]) -> dict[AgencyKind, int]:
    """`total` split by `shares`, summing to `total` exactly (largest remainders get the rest)."""
    exact = {kind: total * share / sum(shares.values()) for kind, share in shares.items()}
    counts = {kind: int(value) for kind, value in exact.items()}
    by_remainder = sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)
    for kind in by_remainder[: total - sum(counts.values())]:
        counts[kind] += 1
    return counts
