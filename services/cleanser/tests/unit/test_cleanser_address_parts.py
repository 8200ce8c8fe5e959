"""Address lines parsed into flat, number or building, street, locality and town."""

import pytest

from lateral_cleanser.domain.address_parts import ParsedAddress, parse_address, parse_pao, parse_sao

P = ParsedAddress


@pytest.mark.parametrize(
    ("lines", "parsed"),
    [
        (["12 High St", "Ashbury"], P(pao_number="12", street="HIGH STREET", town="ASHBURY")),
        (["12a High Rd"], P(pao_number="12", pao_suffix="A", street="HIGH ROAD")),
        (["12-14 Mill Ln"], P(pao_number="12-14", street="MILL LANE")),
        (["Flat 3", "12 High St"], P(sao="3", pao_number="12", street="HIGH STREET")),
        (["Apt 3, 12 Park Ave"], P(sao="3", pao_number="12", street="PARK AVENUE")),
        (["3/12 Acacia Cres"], P(sao="3", pao_number="12", street="ACACIA CRESCENT")),
        (["12 High St Flat 3"], P(sao="3", pao_number="12", street="HIGH STREET")),
        (["Flat No 4", "12 Elm Gdns"], P(sao="4", pao_number="12", street="ELM GARDENS")),
        (["FLAT3 12 ELM TERR"], P(sao="3", pao_number="12", street="ELM TERRACE")),
        (["Unit B", "7 Kings Pl"], P(sao="B", pao_number="7", street="KINGS PLACE")),
        (["Ground Floor Flat", "9 Oak Cl"],
         P(sao="GROUND FLOOR", pao_number="9", street="OAK CLOSE")),
        (["Flat 2, Ashdown Court", "Mill Lane"],
         P(sao="2", building_name="ASHDOWN COURT", street="MILL LANE")),
        (["Rose Cottage", "Mill Lane", "Brackwick", "Ashbury"],
         P(building_name="ROSE COTTAGE", street="MILL LANE", locality="BRACKWICK", town="ASHBURY")),
        (["12 High Street Headingley Leeds"],
         P(pao_number="12", street="HIGH STREET", town="HEADINGLEY LEEDS")),
        (["7 St John's Sq"], P(pao_number="7", street="ST JOHNS SQUARE")),
        (["7 Saint Johns Square"], P(pao_number="7", street="ST JOHNS SQUARE")),
        (["12 High Street", "Ashbury", "NX1 1AB", "UK"],
         P(pao_number="12", street="HIGH STREET", town="ASHBURY")),
        (["The Old Mill", "Ashbury"], P(building_name="THE OLD MILL", town="ASHBURY")),
        ([], P()),
    ],
)  # fmt: skip
def test_lines_are_parsed_into_parts(lines: list[str], parsed: ParsedAddress) -> None:
    assert parse_address(lines, postcode="NX1 1AB") == parsed


@pytest.mark.parametrize(
    ("raw", "sao"),
    [("Flat 3", "3"), ("FLAT 3A", "3A"), ("Apartment 12", "12"), ("3", "3"), ("A", "A"),
     ("Basement Flat", "BASEMENT FLOOR"), ("1st Floor Flat", "FIRST FLOOR"), ("", None)],
)  # fmt: skip
def test_gazetteer_flats_reduce_to_their_identifier(raw: str, sao: str | None) -> None:
    assert parse_sao(raw) == sao


@pytest.mark.parametrize(
    ("raw", "pao"),
    [("12", ("12", None, None)), ("12A", ("12", "A", None)), ("012", ("12", None, None)),
     ("12-14", ("12-14", None, None)),
     ("Ashdown Ct", (None, None, "ASHDOWN COURT")), ("", (None, None, None))],
)  # fmt: skip
def test_gazetteer_paos_split_into_number_suffix_or_name(raw: str, pao: tuple) -> None:
    assert parse_pao(raw) == pao


def test_the_house_number_is_the_pao_with_its_suffix() -> None:
    assert parse_address(["12a High St"]).pao == "12A"
    assert parse_address(["Rose Cottage", "Mill Lane"]).pao == "ROSE COTTAGE"


def test_a_number_before_a_block_name_can_also_be_read_as_a_flat() -> None:
    parsed = parse_address(["33 Bridge Mansions", "Field Gr", "Kestrelworth"])
    assert (parsed.pao_number, parsed.street) == ("33", "BRIDGE MANSIONS")
    assert parsed.alternative == P(
        sao="33", building_name="BRIDGE MANSIONS", street="FIELD GROVE", town="KESTRELWORTH"
    )
