"""What happened in a district in the 12 months: who each agency saw, where, when, and why.

Events are the truth; `render.py` writes them the way each partner's system would, mistakes and all.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from lateral_shared.contracts.records import AgencyKind, RecordStatus

from .gazetteer import Property
from .population import Household, Person
from .rates import (
    ACTIVITY,
    ATTEND_CODE_WEIGHTS,
    CSC,
    FIRE,
    FIRE_AT_BLOCK,
    FIRE_CATEGORIES,
    LONGEST_DAYS,
    OPEN_SHARE,
    POLICE,
    POLICE_CATEGORIES,
    POLICE_NAMES_PERSON,
    POLICE_STREET_ONLY,
    SIBLINGS_IN_CASE,
)

YEAR = 365
_PERSON_GROUPS = ("child", "adult", "older", "anyone")


@dataclass(slots=True)
class Event:
    """One contact with an agency, as it really was."""

    kind: AgencyKind
    event_type: str
    on: date
    status: RecordStatus
    end: date | None
    person: Person | None
    home: Property | None  # where it happened (the person's home, or the place called to)
    household: Household | None
    category: str | None = None
    attend_code: int | None = None
    street_only: bool = False  # a street location with no property: no UPRN in truth


def _activities(group: str) -> list[tuple[AgencyKind, str, float]]:
    return [(kind, event, rate / 1000) for kind, event, who, rate in ACTIVITY if who == group]


_BY_GROUP = {group: _activities(group) for group in (*_PERSON_GROUPS, "home", "older_home")}


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method: the means here are small)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


class DistrictActivity:
    """Draws a district's events from its people and households."""

    def __init__(self, rng: random.Random, today: date, blocks: dict[str, Property]) -> None:
        self.rng, self.today, self.blocks = rng, today, blocks
        self.events: list[Event] = []

    def day_since(self, earliest: date) -> date:
        first = max(earliest, self.today - timedelta(days=YEAR - 1))
        return first + timedelta(days=self.rng.randrange((self.today - first).days + 1))

    def add(self, kind: AgencyKind, event_type: str, on: date, **parts: object) -> Event:
        open_ = self.rng.random() < OPEN_SHARE[kind]
        end = (
            None
            if open_
            else min(self.today, on + timedelta(self.rng.randint(0, LONGEST_DAYS[kind])))
        )
        status = RecordStatus.OPEN if open_ else RecordStatus.CLOSED
        event = Event(kind, event_type, on, status, end, **parts)  # type: ignore[arg-type]
        self.events.append(event)
        return event

    def for_person(self, person: Person) -> None:
        """The person's own contacts: social care, A&E, missed appointments."""
        age = person.age_on(self.today)
        group = "child" if age < 18 else "older" if age >= 65 else "adult"
        options = _BY_GROUP[group] + _BY_GROUP["anyone"]
        weights = [rate for _, _, rate in options]
        for _ in range(poisson(self.rng, sum(weights) * person.propensity)):
            kind, event_type, _ = self.rng.choices(options, weights)[0]
            on = self.day_since(person.date_of_birth)
            if kind is CSC and event_type != "early_help":
                self._case_with_siblings(person, event_type, on)
                continue
            self._person_event(kind, event_type, on, person)

    def _person_event(self, kind: AgencyKind, event_type: str, on: date, person: Person) -> None:
        home = person.household.home_on(on)
        code = None
        if event_type == "missed_appointment":
            code = self.rng.choices(list(ATTEND_CODE_WEIGHTS), list(ATTEND_CODE_WEIGHTS.values()))[
                0
            ]
        self.add(kind, event_type, on, person=person, home=home, household=person.household,
                 attend_code=code)  # fmt: skip

    def _case_with_siblings(self, child: Person, event_type: str, on: date) -> None:
        """Children's social care usually works with brothers and sisters together."""
        self._person_event(CSC, event_type, on, child)
        for sibling in child.household.members:
            young = sibling is not child and sibling.age_on(self.today) < 18
            if young and sibling.date_of_birth <= on and self.rng.random() < SIBLINGS_IN_CASE:
                self._person_event(CSC, event_type, on, sibling)

    def for_household(self, household: Household) -> None:
        """Calls to the household's home: police calls and incidents, fire incidents and visits."""
        options = list(_BY_GROUP["home"])
        if any(p.age_on(self.today) >= 65 for p in household.members):
            options += _BY_GROUP["older_home"]
        weights = [rate for _, _, rate in options]
        for _ in range(poisson(self.rng, sum(weights) * household.propensity)):
            kind, event_type, _ = self.rng.choices(options, weights)[0]
            on = self.day_since(date.min)
            home = household.home_on(on)
            if kind is POLICE:
                self._police(event_type, on, home, household)
            else:
                self._fire(event_type, on, home)

    def _police(self, event_type: str, on: date, home: Property, household: Household) -> None:
        category = self.rng.choices(list(POLICE_CATEGORIES), list(POLICE_CATEGORIES.values()))[0]
        person = None
        present = [p for p in household.members if p.date_of_birth <= on]
        if present and (category == "missing_person" or self.rng.random() < POLICE_NAMES_PERSON):
            young = [p for p in present if p.age_on(on) < 18]
            person = self.rng.choice(young if category == "missing_person" and young else present)
        street_only = person is None and self.rng.random() < POLICE_STREET_ONLY
        self.add(POLICE, event_type, on, person=person, home=home, household=household,
                 category=category, street_only=street_only)  # fmt: skip

    def _fire(self, event_type: str, on: date, home: Property) -> None:
        category = None
        if event_type == "incident":
            category = self.rng.choices(list(FIRE_CATEGORIES), list(FIRE_CATEGORIES.values()))[0]
            if home.parent_uprn and self.rng.random() < FIRE_AT_BLOCK:
                home = self.blocks[home.parent_uprn]
        self.add(FIRE, event_type, on, person=None, home=home, household=None, category=category)


def district_events(
    rng: random.Random,
    people: list[Person],
    households: list[Household],
    blocks: dict[str, Property],
    *,
    today: date,
) -> list[Event]:
    """Every event of the year in one district, in date order."""
    activity = DistrictActivity(rng, today, blocks)
    for person in people:
        activity.for_person(person)
    for household in households:
        activity.for_household(household)
    activity.events.sort(key=lambda e: (e.on, e.kind.value))
    return activity.events
