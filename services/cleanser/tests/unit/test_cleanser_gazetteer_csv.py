"""Loading the gazetteer CSV: the BS7666 columns, blank cells absent, clear errors."""

from pathlib import Path

import pytest

from lateral_cleanser.adapters.gazetteer_csv import GazetteerFileError, load_gazetteer
from lateral_cleanser.domain import Gazetteer

HEADER = "uprn,parent_uprn,sao,pao,street,locality,town,postcode,x,y\n"


def test_the_fixture_loads_with_parents_and_normalised_parts(gazetteer: Gazetteer) -> None:
    assert len(gazetteer) == 19
    flat = gazetteer.get("900000000005")
    assert flat is not None
    assert (flat.parent_uprn, flat.parts.sao, flat.parts.pao_number) == ("900000000004", "3", "14")
    named = gazetteer.get("900000000010")
    assert named is not None and named.parts.building_name == "ROSE COTTAGE"
    assert named.parts.locality == "BRACKWICK" and named.postcode == "NX1 2DE"


def test_columns_may_come_in_any_order_and_postcodes_in_any_case(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text(
        "postcode,street,pao,sao,uprn,parent_uprn,locality,town\n"
        "nx11ab,High St,12,,0012,,,Ashbury\n"
    )
    gazetteer = load_gazetteer(path)
    entry = gazetteer.get("12")
    assert entry is not None and (entry.postcode, entry.parts.street) == ("NX1 1AB", "HIGH STREET")


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("uprn,pao,street,postcode\n1,12,High Street,NX1 1AB\n")
    with pytest.raises(GazetteerFileError, match="parent_uprn, sao, locality, town"):
        load_gazetteer(path)


def test_a_bad_uprn_names_the_line_not_the_value(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text(
        HEADER
        + "1,,,12,High Street,,Ashbury,NX1 1AB,0,0\nABC,,,14,High Street,,Ashbury,NX1 1AB,0,0\n"
    )
    with pytest.raises(GazetteerFileError, match="line 3") as error:
        load_gazetteer(path)
    assert "ABC" not in str(error.value)


def test_an_unreadable_file_says_what_to_check(tmp_path: Path) -> None:
    with pytest.raises(GazetteerFileError, match="LATERAL_GAZETTEER_PATH"):
        load_gazetteer(tmp_path / "missing.csv")
    binary = tmp_path / "g.csv"
    binary.write_bytes(HEADER.encode() + b"\xff\xfe\x00bad\n")
    with pytest.raises(GazetteerFileError, match="UTF-8"):
        load_gazetteer(binary)
