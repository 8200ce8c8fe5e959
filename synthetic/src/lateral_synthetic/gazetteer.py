"""A synthetic address gazetteer in the BS7666 layout: houses, and blocks of flats whose flats
have the block's UPRN as their parent.

One postcode district at a time (the generator's unit of work): a town and a few villages, their
streets, postcode units of about 15 properties, UPRNs and British National Grid coordinates.
Postcode areas are ones no real postcode uses ("NX", "NY", ...), in the valid format; UPRNs are
12-digit numbers from 900,000,000,000 up. Nothing here is a real property.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from .names import BLOCK_KINDS, HOUSE_NAMES, STREET_KINDS, STREET_WORDS, VILLAGE_FORMS, place_name

GAZETTEER_COLUMNS: Final = (
    "uprn", "parent_uprn", "sao", "pao", "street", "locality", "town", "postcode", "x", "y",
)  # fmt: skip
# Two-letter areas no real UK postcode uses, each with districts 1 to 99.
POSTCODE_AREAS: Final = ("NX", "NY", "NV", "NU", "NT", "NS", "NM", "NJ")
MAX_DISTRICTS: Final = len(POSTCODE_AREAS) * 99
INWARD_LETTERS: Final = "ABDEFGHJLNPQRSTUWXYZ"  # the letters an inward code may use
FIRST_UPRN: Final = 900_000_000_000
UPRNS_PER_DISTRICT: Final = 100_000_000
PROPERTIES_PER_POSTCODE: Final = 15


@dataclass(frozen=True, slots=True)
class Property:
    """One gazetteer entry. A block of flats is an entry too (the flats' parent)."""

    uprn: str
    parent_uprn: str | None
    sao: str | None  # sub-building, e.g. "Flat 3"
    pao: str  # building number or name, e.g. "12", "12A", "Ashdown Court"
    street: str
    locality: str | None
    town: str
    postcode: str
    x: int
    y: int

    def row(self) -> list[str]:
        """The gazetteer CSV row, in GAZETTEER_COLUMNS order."""
        return [self.uprn, self.parent_uprn or "", self.sao or "", self.pao, self.street,
                self.locality or "", self.town, self.postcode, str(self.x),
                str(self.y)]  # fmt: skip


def postcode_district(index: int) -> str:
    """The outward code of the `index`-th district: NX1 ... NX99, NY1, ..."""
    if not 0 <= index < MAX_DISTRICTS:
        raise ValueError(f"district index must be below {MAX_DISTRICTS}")
    return f"{POSTCODE_AREAS[index // 99]}{index % 99 + 1}"


@dataclass
class _District:
    rng: random.Random
    index: int
    town: str
    inward_codes: Iterator[str]
    next_uprn: int
    properties: list[Property]
    streets: set[tuple[str, str | None]]

    def uprn(self) -> str:
        self.next_uprn += 1
        return str(self.next_uprn)


def build_district(rng: random.Random, index: int, *, homes: int) -> list[Property]:
    """At least `homes` homes (houses and flats, not counting the blocks) in district `index`."""
    codes = [f"{s}{a}{b}" for s in range(10) for a in INWARD_LETTERS for b in INWARD_LETTERS]
    rng.shuffle(codes)
    outward = postcode_district(index)
    district = _District(
        rng, index, place_name(index), iter(f"{outward} {c}" for c in codes),
        FIRST_UPRN + index * UPRNS_PER_DISTRICT, [], set(),
    )  # fmt: skip
    east, north = 300_000 + (index % 24) * 14_000, 150_000 + (index // 24) * 14_000
    villages = [VILLAGE_FORMS[i % len(VILLAGE_FORMS)].format(place_name(index * 7 + 13 + i))
                for i in range(rng.randint(1, 4))]  # fmt: skip
    built = 0
    while built < homes:
        # Two in three streets are in the town itself (no locality), the rest in villages.
        locality = None if rng.random() < 0.66 else rng.choice(villages)
        centre = (east + rng.randint(-4_000, 4_000), north + rng.randint(-4_000, 4_000))
        built += _street(district, locality, centre)
    return district.properties


def _street_name(district: _District, locality: str | None) -> str:
    while True:
        name = f"{district.rng.choice(STREET_WORDS)} {district.rng.choice(STREET_KINDS)}"
        if (name, locality) not in district.streets:
            district.streets.add((name, locality))
            return name


def _street(district: _District, locality: str | None, centre: tuple[int, int]) -> int:
    """One street of 6 to 60 buildings; returns how many homes it added."""
    rng = district.rng
    name = _street_name(district, locality)
    x, y = centre
    dx, dy = rng.choice(((12, 0), (0, 12), (9, 9), (9, -9)))
    homes, postcode, in_postcode = 0, "", PROPERTIES_PER_POSTCODE
    for number in range(1, rng.randint(6, 60) + 1):
        if in_postcode >= PROPERTIES_PER_POSTCODE:
            postcode, in_postcode = next(district.inward_codes), 0
        place = (x + number * dx, y + number * dy)
        added = _building(district, number, name, locality, postcode=postcode, place=place)
        homes += added
        in_postcode += added
    return homes


def _building(
    district: _District,
    number: int,
    street: str,
    locality: str | None,
    *,
    postcode: str,
    place: tuple[int, int],
) -> int:
    """A house, a house split into flats, or a named block of flats; returns homes added."""
    rng, roll = district.rng, district.rng.random()
    pao = str(number)
    if roll < 0.03:
        pao += "A"  # an infill house between two numbers
    elif roll < 0.05 and locality is not None:
        pao = rng.choice(HOUSE_NAMES)  # villages name some houses instead of numbering them
    flats = 0
    if roll > 0.97:
        pao, flats = f"{rng.choice(STREET_WORDS)} {rng.choice(BLOCK_KINDS)}", rng.randint(6, 40)
    elif roll > 0.92:
        flats = rng.randint(2, 4)
    town, (x, y) = district.town, place
    if flats == 0:
        district.properties.append(
            Property(district.uprn(), None, None, pao, street, locality, town, postcode, x, y)
        )
        return 1
    block = Property(district.uprn(), None, None, pao, street, locality, town, postcode, x, y)
    district.properties.append(block)
    for flat in range(1, flats + 1):
        district.properties.append(Property(
            district.uprn(), block.uprn, f"Flat {flat}", pao, street, locality, town, postcode,
            x + rng.randint(-3, 3), y + rng.randint(-3, 3),
        ))  # fmt: skip
    return flats
