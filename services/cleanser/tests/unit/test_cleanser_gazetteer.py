"""UPRN look-up: exact first, then fuzzy within the postcode with numbers compared strictly."""

import pytest

from lateral_cleanser.domain import Gazetteer
from lateral_cleanser.domain.address_parts import parse_address

HIGH_ST, MILL_LANE, CHURCH_RD, STATION_RD = "NX1 1AB", "NX1 2DE", "NX1 3EF", "NX1 4GH"


def look_up(gazetteer: Gazetteer, lines: list[str], postcode: str | None) -> tuple:
    found = gazetteer.look_up(parse_address(lines, postcode=postcode), postcode)
    return found.uprn, found.outcome


@pytest.mark.parametrize(
    ("lines", "postcode", "uprn", "outcome"),
    [
        (["12 High Street", "Ashbury"], HIGH_ST, "900000000001", "exact"),
        (["12 HIGH ST"], HIGH_ST, "900000000001", "exact"),
        (["12, High St.", "Ashbury", "NX1 1AB"], HIGH_ST, "900000000001", "exact"),
        (["21 High St"], HIGH_ST, "900000000002", "exact"),
        (["12a High Street"], HIGH_ST, "900000000003", "exact"),
        (["Flat 3", "14 High Street"], HIGH_ST, "900000000005", "exact"),
        (["Flat 8, 14 High Street"], HIGH_ST, "900000000006", "exact"),
        (["Flat 2, Ashdown Court, Mill Lane"], MILL_LANE, "900000000009", "exact"),
        (["Rose Cottage", "Mill Lane", "Brackwick"], MILL_LANE, "900000000010", "exact"),
        (["7 St Johns Rd"], CHURCH_RD, "900000000014", "exact"),
        (["7 Saint John's Road"], CHURCH_RD, "900000000014", "exact"),
        (["5 Church Road"], CHURCH_RD, "900000000012", "exact"),
    ],
)  # fmt: skip
def test_exact_matches_on_the_normalised_form(
    gazetteer: Gazetteer, lines: list[str], postcode: str, uprn: str, outcome: str
) -> None:
    assert look_up(gazetteer, lines, postcode) == (uprn, outcome)


@pytest.mark.parametrize(
    ("lines", "postcode", "uprn"),
    [
        (["12 Hihg Street"], HIGH_ST, "900000000001"),  # a typo in the street
        (["21 Hihg Street"], HIGH_ST, "900000000002"),  # ... never the 12 next door
        (["12 High Street Ashbury"], HIGH_ST, "900000000001"),  # town run into the street
        (["3/14 High St"], HIGH_ST, "900000000005"),
        (["14 High St Flat 8"], HIGH_ST, "900000000006"),
        (["Flat 3 14 High Street"], HIGH_ST, "900000000005"),
        (["2 Ashdown Court", "Mill Lane", "Brackwick"], MILL_LANE, "900000000009"),
        (["Apartment 1, Ashdown Ct", "Mill Ln"], MILL_LANE, "900000000008"),
        (["Rose Cotage", "Mill Lane"], MILL_LANE, "900000000010"),
        (["2A Station Road"], STATION_RD, "900000000017"),  # written for Flat A, 2 Station Road
        (["3", "Mill Lane"], MILL_LANE, "900000000011"),
    ],
)  # fmt: skip
def test_other_spellings_find_the_property(
    gazetteer: Gazetteer, lines: list[str], postcode: str, uprn: str
) -> None:
    assert look_up(gazetteer, lines, postcode)[0] == uprn


@pytest.mark.parametrize(
    ("lines", "postcode", "uprn"),
    [
        (["12 Hihg Street"], HIGH_ST, "900000000001"),
        (["21 Hihg Street"], HIGH_ST, "900000000002"),
        (["3"], MILL_LANE, "900000000011"),  # no street: the only 3 in the postcode
    ],
)
def test_what_is_not_exact_is_found_fuzzily(
    gazetteer: Gazetteer, lines: list[str], postcode: str, uprn: str
) -> None:
    assert look_up(gazetteer, lines, postcode) == (uprn, "fuzzy")


@pytest.mark.parametrize(
    ("lines", "postcode", "outcome"),
    [
        (["13 High Street"], HIGH_ST, "not_found"),  # no such number: never 12, 21 or 31
        (["2 High Street"], HIGH_ST, "not_found"),
        (["Flat 5", "14 High Street"], HIGH_ST, "not_found"),  # no flat 5: never flat 3 or 8
        (["12 Station Road"], HIGH_ST, "not_found"),  # the number fits, the street does not
        (["5 Church"], CHURCH_RD, "ambiguous"),  # Church Road or Church Road North?
        (["12 High Street"], "NX9 9ZZ", "postcode_unknown"),
        (["Lilac Cottage", "Mill Lane"], MILL_LANE, "not_found"),
    ],
)  # fmt: skip
def test_doubtful_addresses_get_no_uprn(
    gazetteer: Gazetteer, lines: list[str], postcode: str, outcome: str
) -> None:
    assert look_up(gazetteer, lines, postcode) == (None, outcome)


def test_a_building_with_flats_named_without_a_flat_is_the_building(gazetteer: Gazetteer) -> None:
    found = gazetteer.look_up(parse_address(["14 High Street"]), HIGH_ST)
    assert (found.uprn, found.building) == ("900000000004", True)
    house = gazetteer.look_up(parse_address(["12 High Street"]), HIGH_ST)
    assert house.building is False


def test_without_a_postcode_the_street_and_town_narrow_the_search(gazetteer: Gazetteer) -> None:
    # "3 Mill Lane" exists in Ashbury (Brackwick) and in Fenwick: the town decides.
    assert look_up(gazetteer, ["3 Mill Lane", "Ashbury"], None) == ("900000000011", "fuzzy")
    assert look_up(gazetteer, ["3 Mill Ln", "Brackwick"], None) == ("900000000011", "fuzzy")
    assert look_up(gazetteer, ["3 Mill Lane", "Fenwick"], None) == ("900000000019", "fuzzy")
    assert look_up(gazetteer, ["3 Mill Lane", "Elsewhere"], None) == (None, "not_found")
    found = gazetteer.look_up(parse_address(["3 Mill Lane", "Fenwick"]), None)
    assert found.scope == "street_and_town"
    assert found.confidence is not None and found.confidence <= 0.9


def test_confidence_is_one_for_exact_and_below_one_for_fuzzy(gazetteer: Gazetteer) -> None:
    exact = gazetteer.look_up(parse_address(["12 High Street"]), HIGH_ST)
    fuzzy = gazetteer.look_up(parse_address(["12 Hihg Street"]), HIGH_ST)
    assert exact.confidence == 1.0
    assert fuzzy.confidence is not None and 0.8 < fuzzy.confidence < 1.0
