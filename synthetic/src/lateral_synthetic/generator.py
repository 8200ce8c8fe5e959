"""Chooses who and where each record is about, and plants the cases the demo's alerts need."""

from __future__ import annotations

import itertools
import random
from datetime import date

from faker import Faker

from lateral_shared.contracts.records import AgencyKind, PartnerRecord, RecordStatus, record_key

from .gazetteer import Address
from .noise import Noise
from .population import Person, Population
from .records import ASC_TYPES, CSC_TYPES, POLICE_TYPES, RecordWriter, recent_date

CSC, ASC = AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.ADULT_SOCIAL_CARE
HEALTH, POLICE, FIRE = AgencyKind.HEALTH, AgencyKind.POLICE, AgencyKind.FIRE
MAX_PLANTED_ALERTS = 6


class RecordGenerator:
    def __init__(
        self,
        rng: random.Random,
        fake: Faker,
        population: Population,
        addresses: list[Address],
        *,
        today: date,
        feeds: dict[AgencyKind, tuple[str, str]],
    ) -> None:
        self.rng, self.today = rng, today
        self.people = population.people
        self.households = population.households
        self.children = population.children(today)
        self.adults = population.adults(today)
        # Adult social care sees older adults far more often than younger ones.
        self.adult_weights = (
            list(itertools.accumulate(max(1, p.age_on(today) - 40) for p in self.adults)) or None
        )
        self.addresses = addresses
        self.homes = [
            p.address for p in self.people
        ]  # an address per resident: busy homes weigh more
        noise = Noise(rng)
        self.writers = {kind: RecordWriter(feed_id, kind, prefix, rng, fake, noise, today)
                        for kind, (feed_id, prefix) in feeds.items()}  # fmt: skip
        self.written: list[tuple[str, PartnerRecord, str | None]] = []

    def write(
        self,
        kind: AgencyKind,
        event_type: str,
        *,
        on: date,
        status: RecordStatus,
        person: Person | None,
        address: Address | None,
    ) -> PartnerRecord:
        writer = self.writers[kind]
        record = writer.record(
            event_type,
            on=on,
            status=status,
            person=person,
            address=address,
            worker=kind in (CSC, ASC),
        )
        self.written.append((writer.feed_id, record, person.key if person else None))
        return record

    def random_record(self, kind: AgencyKind) -> None:
        {CSC: self._csc, ASC: self._asc, HEALTH: self._health, POLICE: self._police,
         FIRE: self._fire}[kind]()  # fmt: skip

    def _status(self, open_share: float) -> RecordStatus:
        return RecordStatus.OPEN if self.rng.random() < open_share else RecordStatus.CLOSED

    def _csc(self) -> None:
        child = self.rng.choice(self.children or self.people)
        self.write(
            CSC,
            self.rng.choice(CSC_TYPES),
            on=recent_date(self.rng, self.today),
            status=self._status(0.45),
            person=child,
            address=child.address,
        )

    def _asc(self) -> None:
        adult = self.rng.choices(self.adults or self.people, cum_weights=self.adult_weights)[0]
        self.write(
            ASC,
            self.rng.choice(ASC_TYPES),
            on=recent_date(self.rng, self.today),
            status=self._status(0.5),
            person=adult,
            address=adult.address,
        )

    def _health(self) -> None:
        person = self.rng.choice(self.people)
        event_type = "emergency_attendance" if self.rng.random() < 0.6 else "missed_appointment"
        self.write(
            HEALTH,
            event_type,
            on=recent_date(self.rng, self.today),
            status=RecordStatus.CLOSED,
            person=person,
            address=person.address,
        )

    def _police(self) -> None:
        address = self.rng.choice(self.homes)
        event_type = self.rng.choice(POLICE_TYPES)
        person = None
        if event_type == "missing_person" or self.rng.random() < 0.25:
            person = self.rng.choice(self.households[address.uprn])
        self.write(
            POLICE,
            event_type,
            on=recent_date(self.rng, self.today),
            status=self._status(0.2),
            person=person,
            address=address,
        )

    def _fire(self) -> None:
        address = self.rng.choice(self.addresses if self.rng.random() < 0.3 else self.homes)
        event_type = "incident" if self.rng.random() < 0.45 else "home_fire_safety_visit"
        self.write(
            FIRE,
            event_type,
            on=recent_date(self.rng, self.today),
            status=RecordStatus.CLOSED,
            person=None,
            address=address,
        )

    def plant_alerts(self, counts: dict[AgencyKind, int]) -> list[tuple[str, str]]:
        """Children with an open social care case and a later police or fire record at home (the
        first one also on their own police record), written without mistakes so they link.
        Takes the records from `counts`; returns (child's person key, trigger record key)."""
        planted = min(MAX_PLANTED_ALERTS, counts[CSC] // 3, (counts[POLICE] + counts[FIRE]) // 3)
        young = [c for c in self.children if c.age_on(self.today) <= 16]  # a child all year
        cases: list[tuple[str, str]] = []
        for i, child in enumerate(self.rng.sample(young, min(planted, len(young)))):
            kind = POLICE if counts[POLICE] > 0 and (i % 2 == 0 or counts[FIRE] == 0) else FIRE
            counts[CSC] -= 1
            counts[kind] -= 1
            cases.append((child.key, self._plant_case(child, kind, direct=i == 0)))
        return cases

    def _plant_case(self, child: Person, kind: AgencyKind, *, direct: bool) -> str:
        """An open child protection plan, then a police or fire record at the child's home
        (`direct`: a police record naming the child too). Returns the trigger's record key."""
        with self.writers[CSC].exactly(), self.writers[kind].exactly():
            self.write(
                CSC,
                "child_protection_plan",
                on=recent_date(self.rng, self.today, earliest=364, latest=200),
                status=RecordStatus.OPEN,
                person=child,
                address=child.address,
            )
            trigger = self.write(
                kind,
                {POLICE: "domestic_abuse", FIRE: "incident"}[kind],
                on=recent_date(self.rng, self.today, earliest=150, latest=1),
                status=RecordStatus.CLOSED,
                address=child.address,
                person=child if direct and kind is POLICE else None,
            )
        return record_key(self.writers[kind].feed_id, trigger.source_record_id)
