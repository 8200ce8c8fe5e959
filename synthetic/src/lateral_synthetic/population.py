"""Synthetic households at gazetteer homes: families, couples, single adults and older people,
some of whom moved house or married (and changed surname) during the year."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from .gazetteer import Property
from .names import FEMALE_FORENAMES, MALE_FORENAMES, SURNAME_CUM_WEIGHTS, SURNAMES
from .nhs import nhs_number_for
from .rates import MARRIED_IN_YEAR, MOVED_IN_YEAR, PROPENSITY_SHAPE, TOOK_PARTNERS_NAME

PEOPLE_PER_DISTRICT = 100_000  # serial numbers are district * this + a number within it


@dataclass(slots=True, eq=False)
class Household:
    """People living together; `homes` lists (from, home), the first from date.min."""

    homes: list[tuple[date, Property]]
    propensity: float  # how much contact the household has with services (mean 1)
    members: list[Person] = field(default_factory=list)

    def home_on(self, day: date) -> Property:
        """Where the household lived on `day`."""
        home = self.homes[0][1]
        for since, place in self.homes[1:]:
            if day >= since:
                home = place
        return home


@dataclass(slots=True, eq=False)
class Person:
    """One synthetic person: the truth partner records describe, with mistakes."""

    serial: int
    forename: str
    middle_names: str | None
    surname: str
    date_of_birth: date
    gender: str  # "female" or "male"
    household: Household
    propensity: float
    birth_surname: str | None = None  # the surname before a marriage, when it changed
    married_on: date | None = None

    @property
    def key(self) -> str:
        return f"P{self.serial:09d}"

    @property
    def nhs_number(self) -> str:
        return nhs_number_for(self.serial)

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def surname_on(self, day: date) -> str:
        """The surname the person used on `day` (before a marriage, the birth surname)."""
        if self.birth_surname and self.married_on and day < self.married_on:
            return self.birth_surname
        return self.surname


@dataclass
class _Builder:
    rng: random.Random
    today: date
    first_serial: int
    people: list[Person] = field(default_factory=list)

    def surname(self) -> str:
        return SURNAMES[
            bisect.bisect(SURNAME_CUM_WEIGHTS, self.rng.random() * SURNAME_CUM_WEIGHTS[-1])
        ]

    def person(self, household: Household, age: int, surname: str, gender: str = "") -> Person:
        rng = self.rng
        gender = gender or rng.choice(("female", "male"))
        names = FEMALE_FORENAMES if gender == "female" else MALE_FORENAMES
        person = Person(
            serial=self.first_serial + len(self.people),
            forename=rng.choice(names),
            middle_names=rng.choice(names) if rng.random() < 0.55 else None,
            surname=surname,
            date_of_birth=self.today - timedelta(days=age * 365 + rng.randrange(365)),
            gender=gender,
            household=household,
            propensity=household.propensity * rng.gammavariate(2.0, 0.5),
        )
        self.people.append(person)
        household.members.append(person)
        return person

    def couple(self, household: Household, age: int, surname: str) -> None:
        first = self.person(household, age, surname, "male" if self.rng.random() < 0.95 else "")
        other = "female" if first.gender == "male" else "male"
        partner = self.person(household, max(18, age + self.rng.randint(-5, 5)), surname, other)
        if self.rng.random() < 0.3:
            partner.surname = self.surname()  # not married, or kept their own name
        elif self.rng.random() < TOOK_PARTNERS_NAME:
            partner.birth_surname = self.surname()
            in_year = self.rng.random() < MARRIED_IN_YEAR
            years_ago = 0 if in_year else self.rng.randint(1, max(1, age - 19))
            partner.married_on = self.today - timedelta(
                days=years_ago * 365 + self.rng.randrange(1, 365)
            )

    def children(self, household: Household, parent_age: int, surname: str) -> None:
        for _ in range(self.rng.choice((1, 1, 2, 2, 2, 3, 4))):
            self.person(household, self.rng.randrange(0, min(18, max(1, parent_age - 17))), surname)

    def household(self, home: Property) -> Household:
        """One household: single, couple, family, lone parent, older people, three generations."""
        rng = self.rng
        household = Household(
            [(date.min, home)], rng.gammavariate(PROPENSITY_SHAPE, 1 / PROPENSITY_SHAPE)
        )
        kind = rng.choices(
            ("single", "couple", "family", "lone_parent", "older", "three_generations"),
            weights=(28, 18, 26, 10, 15, 3),
        )[0]
        surname = self.surname()
        if kind == "single":
            self.person(household, rng.randrange(18, 90), surname)
        elif kind == "older":
            age = rng.randrange(65, 95)
            (self.couple if rng.random() < 0.5 else self.person)(household, age, surname)
        else:
            parent_age = rng.randrange(20, 56)
            if kind == "lone_parent":
                self.person(household, parent_age, surname, "female" if rng.random() < 0.9 else "")
            else:
                self.couple(household, parent_age, surname)
            if kind != "couple":
                self.children(household, parent_age, surname)
            if kind == "three_generations":
                self.person(household, min(99, parent_age + rng.randint(22, 32)), surname)
        return household


def populate(
    rng: random.Random, homes: list[Property], *, district: int, people: int, today: date
) -> tuple[list[Person], list[Household], list[Property]]:
    """Households in the homes until there are `people` residents; some moved in during the year
    from a home that now stands empty. Returns the people, households and the empty homes."""
    builder = _Builder(rng, today, district * PEOPLE_PER_DISTRICT)
    households: list[Household] = []
    vacant: list[Property] = []
    for home in homes:
        if len(builder.people) >= people:
            vacant.append(home)
        else:
            households.append(builder.household(home))
    moved_from = list(vacant)
    rng.shuffle(moved_from)
    for household in households:
        if moved_from and rng.random() < MOVED_IN_YEAR:
            moved_on = today - timedelta(days=rng.randrange(1, 365))
            household.homes = [(date.min, moved_from.pop()), (moved_on, household.homes[0][1])]
    return builder.people, households, vacant
