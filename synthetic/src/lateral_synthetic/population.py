"""Synthetic households: people of realistic ages living at gazetteer addresses."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

from .gazetteer import Address
from .nhs import synthetic_nhs_number


@dataclass(frozen=True, slots=True)
class Person:
    """One synthetic person: the truth that partner records describe, with mistakes."""

    key: str
    forename: str
    middle_names: str | None
    surname: str
    date_of_birth: date
    gender: str
    nhs_number: str
    address: Address

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class Population:
    people: list[Person] = field(default_factory=list)
    households: dict[str, list[Person]] = field(default_factory=dict)  # by UPRN

    def children(self, on: date) -> list[Person]:
        return [p for p in self.people if p.age_on(on) < 18]

    def adults(self, on: date) -> list[Person]:
        return [p for p in self.people if p.age_on(on) >= 18]


@dataclass
class _Builder:
    rng: random.Random
    fake: Faker
    today: date
    population: Population = field(default_factory=Population)
    nhs_numbers: set[str] = field(default_factory=set)

    def person(
        self, address: Address, *, age: int, surname: str, gender: str | None = None
    ) -> Person:
        gender = gender or self.rng.choice(("female", "male"))
        first = self.fake.first_name_female if gender == "female" else self.fake.first_name_male
        middle = first() if self.rng.random() < 0.4 else None
        born = self.today - timedelta(days=age * 365 + self.rng.randrange(365))
        person = Person(
            key=f"SP-{len(self.population.people) + 1:06d}",
            forename=first(),
            middle_names=middle,
            surname=surname,
            date_of_birth=born,
            gender=gender,
            nhs_number=synthetic_nhs_number(self.rng, self.nhs_numbers),
            address=address,
        )
        self.population.people.append(person)
        self.population.households.setdefault(address.uprn, []).append(person)
        return person

    def household(self, address: Address) -> None:
        """One household: a single adult, a couple, a family with children, or an older couple."""
        kind = self.rng.choices(
            ("single", "couple", "family", "lone_parent", "older"), weights=(20, 15, 35, 20, 10)
        )[0]
        surname = self.fake.last_name()
        if kind == "older":
            for _ in range(self.rng.choice((1, 2))):
                self.person(address, age=self.rng.randrange(66, 95), surname=surname)
            return
        parent_age = self.rng.randrange(19, 60)
        adults = 1 if kind in ("single", "lone_parent") else 2
        for i in range(adults):
            self.person(
                address,
                age=max(18, parent_age + self.rng.randrange(-4, 5)),
                surname=surname if i == 0 or self.rng.random() < 0.7 else self.fake.last_name(),
                gender="female" if kind == "lone_parent" and self.rng.random() < 0.85 else None,
            )
        if kind in ("family", "lone_parent"):
            for _ in range(self.rng.choice((1, 1, 2, 2, 3, 4))):
                self.person(
                    address,
                    age=self.rng.randrange(0, min(18, max(1, parent_age - 17))),
                    surname=surname,
                )


def populate(
    rng: random.Random, fake: Faker, addresses: list[Address], *, today: date
) -> Population:
    """A household at most addresses (about one in ten stands empty)."""
    builder = _Builder(rng, fake, today)
    for address in addresses:
        if rng.random() < 0.9:
            builder.household(address)
    return builder.population
