"""A small synthetic gazetteer: invented towns and streets, house numbers, UPRNs and postcodes.

Postcodes use the invented area "NX" (no such area exists) in a valid format; UPRNs are 12-digit
numbers from 900000000001 upwards. Nothing here is a real property.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker

TOWN_STEMS = ("Ash", "Brack", "Cold", "Elder", "Fen", "Hazel", "Kestrel", "Lark", "Marl",
              "Nettle", "Orm", "Quill", "Rush", "Sedge", "Tansy", "Wren")  # fmt: skip
TOWN_ENDINGS = ("bury", "combe", "den", "field", "hollow", "mere", "stow", "wick")
STREET_KINDS = ("Road", "Street", "Lane", "Close", "Avenue", "Drive", "Way", "Gardens",
                "Crescent", "Terrace")  # fmt: skip
# Letters the inward code may use (no C, I, K, M, O, V).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
HOUSES_PER_POSTCODE = 12
FIRST_UPRN = 900_000_000_001


@dataclass(frozen=True, slots=True)
class Address:
    """One property: BS7666-like parts, its postcode and its UPRN."""

    uprn: str
    flat: str | None
    number: int
    street: str
    town: str
    postcode: str

    @property
    def lines(self) -> list[str]:
        first = f"{self.number} {self.street}"
        return [f"Flat {self.flat}", first, self.town] if self.flat else [first, self.town]


def build_gazetteer(rng: random.Random, fake: Faker, *, addresses: int) -> list[Address]:
    """At least `addresses` synthetic properties over a few towns, streets of 8 to 40 houses."""
    towns = _town_names(rng, count=max(2, min(8, addresses // 150 + 2)))
    found: list[Address] = []
    used_postcodes: set[str] = set()
    used_streets: set[tuple[str, str]] = set()
    while len(found) < addresses:
        district = rng.randrange(len(towns))
        town = towns[district]
        street = f"{fake.last_name().replace(chr(39), '')} {rng.choice(STREET_KINDS)}"
        if (street, town) in used_streets:
            continue
        used_streets.add((street, town))
        found.extend(
            _street(
                rng,
                street=street,
                town=town,
                district=district + 1,
                used_postcodes=used_postcodes,
                first_uprn=FIRST_UPRN + len(found),
            )
        )
    return found[:addresses]


def _town_names(rng: random.Random, *, count: int) -> list[str]:
    names = sorted({stem + ending for stem in TOWN_STEMS for ending in TOWN_ENDINGS})
    return rng.sample(names, count)


def _street(
    rng: random.Random,
    *,
    street: str,
    town: str,
    district: int,
    used_postcodes: set[str],
    first_uprn: int,
) -> list[Address]:
    houses: list[Address] = []
    postcode = ""
    flats = rng.random() < 0.15  # some streets have a block of flats at number 1
    for i, number in enumerate(range(1, rng.randrange(8, 41))):
        if i % HOUSES_PER_POSTCODE == 0:
            postcode = _new_postcode(rng, district, used_postcodes)
        for flat in ("A", "B", "C") if flats and number == 1 else (None,):
            houses.append(
                Address(str(first_uprn + len(houses)), flat, number, street, town, postcode)
            )
    return houses


def _new_postcode(rng: random.Random, district: int, used: set[str]) -> str:
    while True:
        inward = f"{rng.randrange(10)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        postcode = f"NX{district} {inward}"
        if postcode not in used:
            used.add(postcode)
            return postcode
