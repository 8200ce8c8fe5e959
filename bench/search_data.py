"""Synthetic persons for the search latency bench: fast, deterministic, realistic enough in the
ways that matter for search cost (how many persons share a surname, a birth year, an outward
code, a street). Only synthetic people: NHS numbers in the never-issued 9xx range.

Surnames follow a long-tailed (Zipf-like) distribution over ~20,000 made-up names, as real
surnames do (a few shared by tens of thousands, most by a handful); forenames over ~400; 600
outward codes of ~1,700 persons each; ~15 persons per full postcode; 4,000 streets.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import accumulate, product

from lateral_shared.contracts.records import AgencyKind, LeadProfessional, RecordStatus
from lateral_shared.index import PersonAddress, PersonDocument, PersonName, RecordSummary

_ONSETS = ["b", "br", "c", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s",
           "sh", "st", "t", "th", "w"]  # fmt: skip
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ee", "oo", "ou", "y"]
_CODAS = ["n", "r", "s", "t", "ll", "ck", "m", "nd", "rd", "ng", "ton", "son", "ley", "ham",
          "well", "ford"]  # fmt: skip
_ENDINGS = ["n", "ra", "la", "mes", "ck", "ne", "ah", "r"]
FORENAMES = [
    *sorted({"".join(p).capitalize() for p in product(_ONSETS, _VOWELS[:7], _ENDINGS)})[:400],
    *["William", "Bill", "Robert", "Bob", "Elizabeth", "Beth", "John", "Jack"],
]
SURNAMES = sorted({"".join(p).capitalize() for p in product(_ONSETS, _VOWELS, _CODAS, ["", "e"])})
STREET_KINDS = ["Road", "Street", "Lane", "Avenue", "Close", "Drive", "Grove", "Way"]
TOWNS = ["Leeds", "Bradford", "Wakefield", "Halifax", "Huddersfield", "York", "Harrogate"]
AGENCIES = list(AgencyKind)
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _zipf_weights(count: int) -> list[float]:
    return list(accumulate(1.0 / (rank + 10) for rank in range(count)))


def nhs_number(serial: int) -> str | None:
    """The 9xx NHS number for `serial`, or None when no check digit is valid for it."""
    digits = f"9{serial:08d}"
    check = 11 - sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return None if check == 10 else digits + str(check)


@dataclass(frozen=True)
class Place:
    outward: str
    inward: str
    street: str
    town: str


def places(rng: random.Random) -> list[Place]:
    """4,000 streets in 600 outward codes, each street with a few postcodes."""
    streets = [f"{rng.choice(SURNAMES)} {rng.choice(STREET_KINDS)}" for _ in range(4_000)]
    outwards = [f"{a}{n}" for a in ("LS", "BD", "WF", "HX", "HD", "YO") for n in range(1, 101)]
    found = []
    for i, street in enumerate(streets):
        outward = outwards[i % len(outwards)]
        for _ in range(rng.randint(5, 25)):
            letters = "ABDEFGHJLNPQRSTUWXYZ"
            inward = f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
            found.append(Place(outward, inward, street, TOWNS[i % len(TOWNS)]))
    return found


def persons(count: int, seed: int = 7) -> Iterator[PersonDocument]:
    """`count` synthetic person documents, the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    surname_weights = _zipf_weights(len(SURNAMES))
    all_places = places(rng)
    serial = 0
    for i in range(count):
        number = None
        while number is None:
            serial += 1
            number = nhs_number(serial)
        yield _person(rng, i, number, surname_weights, all_places)


def _person(
    rng: random.Random, i: int, number: str, weights: list[float], all_places: list[Place]
) -> PersonDocument:
    forename = rng.choice(FORENAMES)
    surname = rng.choices(SURNAMES, cum_weights=weights)[0]
    born = date(rng.randint(1930, 2024), rng.randint(1, 12), rng.randint(1, 28))
    place = rng.choice(all_places)
    postcode = f"{place.outward} {place.inward}"
    agency = rng.choice(AGENCIES)
    record = RecordSummary(
        record_key=f"{agency.value}-feed/R{i}",
        partner_id=agency.value,
        feed_id=f"{agency.value}-feed",
        source_record_id=f"R{i}",
        agency_kind=agency,
        event_type="contact",
        event_date=date(2025, rng.randint(1, 5), rng.randint(1, 28)),
        status=RecordStatus.OPEN if rng.random() < 0.3 else RecordStatus.CLOSED,
        lead_professional=LeadProfessional(name="Sam Worker", phone="0113 496 0000"),
    )
    home = PersonAddress(
        address_key=f"A{zlib.crc32(f'{place.street}|{place.inward}|{i % 40}'.encode())}",
        lines=[f"{rng.randint(1, 200)} {place.street}", place.town],
        postcode=postcode,
        last_seen=record.event_date,
    )
    return PersonDocument(
        person_id=f"P{i:07d}",
        version=1,
        names=[PersonName(forename=forename, surname=surname)],
        date_of_birth=born.isoformat() if rng.random() < 0.9 else str(born.year),
        gender=rng.choice(["female", "male"]),
        nhs_numbers=[number] if rng.random() < 0.8 else [],
        addresses=[home],
        postcodes=[postcode],
        agencies=[agency],
        has_open_case=record.status is RecordStatus.OPEN,
        records=[record],
        updated_at=NOW,
    )
