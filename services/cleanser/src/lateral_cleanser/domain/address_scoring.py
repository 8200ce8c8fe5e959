"""How well a parsed address fits a gazetteer entry: numbers strictly, words fuzzily (rapidfuzz).

"12" never fits "21", flat 3 never flat 8, "12A" never "12"; street and building words may differ
by a typo, an abbreviation or a place run into the street ("HIGH STREET HEADINGLEY").
"""

from __future__ import annotations

from dataclasses import replace

from rapidfuzz import fuzz

from .address_parts import ParsedAddress

ACCEPT = 85.0  # lowest word similarity (0-100) a fuzzy match may have
NO_STREET = 88.0  # the score of a numbered candidate when the address names no street at all

Slot = tuple[str | None, str | None, str | None]  # (sao, pao number, pao suffix)


def slot(parts: ParsedAddress) -> Slot:
    """The parts that must be equal for two addresses to be one property."""
    return (parts.sao, parts.pao_number, parts.pao_suffix)


def word_score(parts: ParsedAddress, entry: ParsedAddress) -> float:
    """Similarity (0-100) of the words of an address and of an entry whose numbers fit."""
    if entry.pao_number is None:  # a named building: its name must be there
        said = parts.building_name or parts.street
        if not (said and entry.building_name):
            return 0.0
        building = fuzz.token_set_ratio(said, entry.building_name)
        if parts.building_name is None or not (parts.street and entry.street):
            return building
        return min(building, fuzz.token_set_ratio(parts.street, entry.street))
    if parts.pao_number is None:
        return 0.0
    if not parts.street:
        return NO_STREET
    return fuzz.token_set_ratio(parts.street, entry.street or "")


def contradicts(
    parts: ParsedAddress, postcode: str | None, entry_postcode: str, entry: ParsedAddress
) -> bool:
    """True when a part given on both sides disagrees: postcode, flat, number or street."""
    if postcode and postcode != entry_postcode:
        return True
    if parts.sao and entry.sao and parts.sao != entry.sao:
        return True
    numbers = (parts.pao_number, parts.pao_suffix) != (entry.pao_number, entry.pao_suffix)
    if parts.pao_number and entry.pao_number and numbers:
        return True
    return bool(
        parts.street and entry.street and fuzz.token_set_ratio(parts.street, entry.street) < ACCEPT
    )


def other_readings(parts: ParsedAddress) -> list[ParsedAddress]:
    """Other ways to read an address whose first reading found nothing:
    "1A Smith Rd" may mean Flat A, 1 Smith Road (and the other way round), and
    "3 Ashdown Court, High Street" flat 3 of the block Ashdown Court."""
    readings = []
    if parts.sao is None and parts.pao_suffix is not None:
        readings.append(_replace(parts, sao=parts.pao_suffix, pao_suffix=None))
    flat_letter = parts.sao is not None and len(parts.sao) == 1 and parts.sao.isalpha()
    if flat_letter and parts.pao_number and parts.pao_suffix is None:
        readings.append(_replace(parts, sao=None, pao_suffix=parts.sao))
    if parts.alternative is not None:
        readings.append(parts.alternative)
    return readings


def _replace(parts: ParsedAddress, *, sao: str | None, pao_suffix: str | None) -> ParsedAddress:
    return replace(parts, sao=sao, pao_suffix=pao_suffix, alternative=None)
