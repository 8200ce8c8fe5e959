"""The many ways partners write one address: flat forms, abbreviations, capitals, missing lines,
postcodes without their space, and UPRNs missing or (rarely) a neighbour's."""

from __future__ import annotations

import random
from dataclasses import dataclass

from lateral_shared.contracts.records import AgencyKind

from .gazetteer import Property
from .names import ABBREVIATIONS
from .rates import ERROR_RATES, UPRN_MISSING

MAX_LINES = 4
NO_FIXED_ABODE, NOT_KNOWN = "ZZ99 3VZ", "ZZ99 3WZ"


@dataclass(frozen=True, slots=True)
class WrittenAddress:
    """An address as a partner wrote it, and the UPRN it truly is (None: no property)."""

    lines: list[str]
    postcode: str
    uprn: str
    true_uprn: str | None


def _abbreviate(text: str) -> str:
    words = text.split(" ")
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def _flat_lines(rng: random.Random, home: Property, street: str) -> list[str]:
    """A flat's first lines, in one of the forms partners use."""
    flat, pao = (home.sao or "").removeprefix("Flat "), home.pao
    numbered = pao[:1].isdigit()
    if rng.random() >= ERROR_RATES["flat_form_varied"]:
        return [f"Flat {flat}", f"{pao} {street}"] if numbered else [f"Flat {flat}", pao, street]
    if numbered:
        return rng.choice((
            [f"Flat {flat}, {pao} {street}"], [f"{flat}/{pao} {street}"],
            [f"{pao} {street} Flat {flat}"], [f"Flat {flat} {pao} {street}"],
        ))  # fmt: skip
    return rng.choice((
        [f"Flat {flat} {pao}", street], [f"{flat} {pao}", street],
        [f"Apartment {flat}, {pao}", street], [f"Flat {flat}, {pao}, {street}"],
    ))  # fmt: skip


def _first_lines(rng: random.Random, home: Property, street: str) -> list[str]:
    if home.sao:
        return _flat_lines(rng, home, street)
    if home.pao[:1].isdigit():
        return [f"{home.pao} {street}"] if rng.random() < 0.9 else [f"{home.pao}, {street}"]
    return [home.pao, street]  # a named house or a whole block


def plain_lines(home: Property) -> list[str]:
    """The first lines of `home` as the gazetteer has them: flat, building, street."""
    flat = [home.sao] if home.sao else []
    if home.pao[:1].isdigit():
        return [*flat, f"{home.pao} {home.street}"]
    return [*flat, home.pao, home.street]


def address_lines(rng: random.Random, home: Property, *, exact: bool = False) -> list[str]:
    """The address lines of `home` as one partner might write them (`exact`: the plain form)."""
    if exact:
        lines = plain_lines(home)
    else:
        abbreviate = rng.random() < ERROR_RATES["address_abbreviated"]
        lines = _first_lines(rng, home, _abbreviate(home.street) if abbreviate else home.street)
    if home.locality and (exact or rng.random() >= ERROR_RATES["address_no_locality"]):
        lines.append(home.locality)
    if exact or rng.random() >= ERROR_RATES["address_no_town"]:
        lines.append(home.town)
    while len(lines) > MAX_LINES:
        lines[0:2] = [f"{lines[0]}, {lines[1]}"]
    if not exact and rng.random() < ERROR_RATES["address_shouted"]:
        lines = [line.upper() for line in lines]
    return lines


def written_postcode(rng: random.Random, postcode: str) -> str:
    """The postcode as typed: now and then missing, without its space, or in lower case."""
    roll = rng.random()
    if roll < (edge := ERROR_RATES["postcode_missing"]):
        return ""
    if roll < (edge := edge + ERROR_RATES["postcode_no_space"]):
        return postcode.replace(" ", "")
    if roll < edge + ERROR_RATES["postcode_lower_case"]:
        return postcode.lower()
    return postcode


def write_address(
    rng: random.Random,
    home: Property,
    kind: AgencyKind,
    *,
    neighbour: Property | None,
    exact: bool = False,
) -> WrittenAddress:
    """`home` as a partner of `kind` sends it, with the UPRN present, missing or a neighbour's."""
    lines = address_lines(rng, home, exact=exact)
    postcode = home.postcode if exact else written_postcode(rng, home.postcode)
    uprn = home.uprn
    if not exact and rng.random() < UPRN_MISSING[kind]:
        uprn = ""
    elif not exact and neighbour is not None and rng.random() < ERROR_RATES["uprn_wrong"]:
        uprn = neighbour.uprn
    return WrittenAddress(lines, postcode, uprn, home.uprn)


def pseudo_address(rng: random.Random) -> WrittenAddress:
    """An A&E address with an NHS pseudo-postcode: no fixed abode, or not known."""
    if rng.random() < 0.5:
        return WrittenAddress(["No fixed abode"], NO_FIXED_ABODE, "", None)
    return WrittenAddress([], NOT_KNOWN, "", None)


def street_location(rng: random.Random, home: Property, other_street: str) -> WrittenAddress:
    """A police call to a street, not a property: no postcode unit and no UPRN."""
    place = rng.choice(
        (f"Junction of {home.street} and {other_street}", f"Outside shops, {home.street}")
    )
    return WrittenAddress([place, home.town], "", "", None)
