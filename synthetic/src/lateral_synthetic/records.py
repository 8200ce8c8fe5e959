"""Partner records for each agency kind, written the way each partner's system would write them."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

from lateral_shared.contracts.records import (
    AddressFields,
    AgencyKind,
    LeadProfessional,
    PartnerRecord,
    PersonFields,
    RecordStatus,
)

from .gazetteer import Address
from .noise import Noise
from .population import Person

EMAIL_DOMAIN = "northshire.example.org.uk"
CSC_TYPES = ("child_in_need", "child_protection_plan", "looked_after", "early_help")
ASC_TYPES = ("open_case", "safeguarding_enquiry")
POLICE_TYPES = ("domestic_abuse", "concern_for_welfare", "anti_social_behaviour", "missing_person")
# How often each partner's system holds a person's NHS number.
NHS_NUMBER_PRESENT = {AgencyKind.CHILDRENS_SOCIAL_CARE: 0.5, AgencyKind.ADULT_SOCIAL_CARE: 0.7,
                      AgencyKind.HEALTH: 0.9, AgencyKind.POLICE: 0.03}  # fmt: skip
UPRN_PRESENT = {AgencyKind.CHILDRENS_SOCIAL_CARE: 0.9, AgencyKind.ADULT_SOCIAL_CARE: 0.9,
                AgencyKind.HEALTH: 0.1, AgencyKind.POLICE: 0.4, AgencyKind.FIRE: 0.8}  # fmt: skip
TEAMS = {
    AgencyKind.CHILDRENS_SOCIAL_CARE: (
        "Assessment Team",
        "Child Protection Team",
        "Children in Care Team",
        "Early Help Hub",
    ),
    AgencyKind.ADULT_SOCIAL_CARE: ("Adult Safeguarding Team", "Community Care Team"),
}


@dataclass
class RecordWriter:
    """Writes one feed's records: its own record IDs, person references and lead workers."""

    feed_id: str
    kind: AgencyKind
    prefix: str
    rng: random.Random
    fake: Faker
    noise: Noise
    today: date
    exact: bool = False
    _count: int = 0
    _person_refs: dict[str, str] = field(default_factory=dict)
    _workers: dict[str, LeadProfessional] = field(default_factory=dict)

    @contextmanager
    def exactly(self) -> Iterator[RecordWriter]:
        """Write without mistakes inside the block (records that must link, e.g. planted alerts)."""
        self.exact = True
        try:
            yield self
        finally:
            self.exact = False

    def next_id(self) -> str:
        self._count += 1
        return f"{self.prefix}-{self._count:07d}"

    def record(
        self,
        event_type: str,
        *,
        on: date,
        status: RecordStatus,
        person: Person | None,
        address: Address | None,
        worker: bool = False,
    ) -> PartnerRecord:
        return PartnerRecord(
            source_record_id=self.next_id(),
            agency_kind=self.kind,
            event_type=event_type,
            event_date=on,
            status=status,
            end_date=self._end_date(on) if status is RecordStatus.CLOSED else None,
            person=None if person is None else self.person_fields(person),
            address=None if address is None else self.address_fields(address),
            lead_professional=self.lead_worker(person) if worker and person else None,
        )

    def person_fields(self, person: Person) -> PersonFields:
        """The person as this partner holds them: exact, or with the usual mistakes."""
        if self.exact:
            return PersonFields(
                forename=person.forename,
                surname=person.surname,
                date_of_birth=person.date_of_birth.isoformat(),
                gender=self._gender(person),
                nhs_number=person.nhs_number if self.kind is not AgencyKind.POLICE else None,
                person_ref=self._person_ref(person),
            )
        alias = self.fake.last_name() if self.noise.chance(0.03) else None
        return PersonFields(
            forename=self.noise.forename(person.forename),
            middle_names=person.middle_names if self.noise.chance(0.6) else None,
            surname=self.noise.name(person.surname),
            other_names=[alias] if alias else [],
            date_of_birth=self.noise.date_of_birth(person.date_of_birth),
            gender=self._gender(person),
            nhs_number=self._nhs_number(person),
            person_ref=self._person_ref(person),
        )

    def _gender(self, person: Person) -> str:
        if self.kind is AgencyKind.HEALTH:
            return "F" if person.gender == "female" else "M"
        return person.gender

    def _nhs_number(self, person: Person) -> str | None:
        nhs = self.noise.nhs_number(person.nhs_number, present=NHS_NUMBER_PRESENT.get(self.kind, 0))
        if nhs and self.noise.chance(0.2):
            return f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"  # as printed on letters
        return nhs

    def address_fields(self, address: Address) -> AddressFields:
        uprn_present = self.exact or self.noise.chance(UPRN_PRESENT[self.kind])
        return AddressFields(
            lines=address.lines if self.exact else self.noise.lines(address.lines),
            postcode=address.postcode if self.exact else self.noise.postcode(address.postcode),
            uprn=address.uprn if uprn_present else None,
        )

    def lead_worker(self, person: Person) -> LeadProfessional:
        """The person's lead worker: the same one on every record this feed has for them."""
        if person.key not in self._workers:
            forename, surname = self.fake.first_name(), self.fake.last_name()
            local = f"{forename}.{surname}".lower().replace("'", "").replace(" ", "")
            self._workers[person.key] = LeadProfessional(
                name=f"{forename} {surname}",
                team=self.rng.choice(TEAMS.get(self.kind, ("Duty Team",))),
                # 01632 960xxx is reserved by Ofcom for drama: never a real line.
                phone=f"01632 960{self.rng.randrange(1000):03d}",
                email=f"{local}@{EMAIL_DOMAIN}",
            )
        return self._workers[person.key]

    def _person_ref(self, person: Person) -> str | None:
        if self.kind in (AgencyKind.POLICE, AgencyKind.FIRE):
            return None
        return self._person_refs.setdefault(
            person.key, f"{self.prefix[0]}{len(self._person_refs) + 100001}"
        )

    def _end_date(self, start: date) -> date:
        """When a closed record ended: the same day for attendances and callouts, days later
        for police incidents, weeks or months later for social care cases."""
        longest = {AgencyKind.HEALTH: 0, AgencyKind.FIRE: 0, AgencyKind.POLICE: 14}.get(
            self.kind, 180
        )
        return min(self.today, start + timedelta(days=self.rng.randint(0, longest)))


def recent_date(rng: random.Random, today: date, *, earliest: int = 364, latest: int = 0) -> date:
    """A day between `earliest` and `latest` days before `today` (both included)."""
    return today - timedelta(days=rng.randint(latest, earliest))
