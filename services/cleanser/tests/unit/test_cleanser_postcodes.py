"""Postcodes: normalised, validated, pseudo-postcodes and BFPO handled on purpose."""

import pytest

from lateral_cleanser.domain.postcodes import clean_postcode, normalise_postcode


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ls62ab", "LS6 2AB"),
        (" LS6  2AB ", "LS6 2AB"),
        ("sw1a1aa", "SW1A 1AA"),
        ("M11AE", "M1 1AE"),
        ("ec1a 1bb", "EC1A 1BB"),
        ("bfpo 12", "BFPO 12"),
        ("BFPO1234", "BFPO 1234"),
    ],
)
def test_normalisation(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    ("raw", "postcode", "outward"),
    [
        ("LS6 2AB", "LS6 2AB", "LS6"),
        ("ls62ab", "LS6 2AB", "LS6"),
        ("W1A 0AX", "W1A 0AX", "W1A"),
        ("CR2 6XH", "CR2 6XH", "CR2"),
        ("DN55 1PT", "DN55 1PT", "DN55"),
        ("GIR0AA", "GIR 0AA", "GIR"),
    ],
)
def test_real_postcodes_are_accepted_with_their_outward_code(
    raw: str, postcode: str, outward: str
) -> None:
    cleaned, _ = clean_postcode(raw)
    assert cleaned is not None
    assert (cleaned.postcode, cleaned.outward_code, cleaned.kind) == (postcode, outward, "real")


def test_reformatting_is_flagged_and_a_clean_postcode_is_not() -> None:
    assert [f.code for f in clean_postcode("ls62ab")[1]] == ["reformatted"]
    assert clean_postcode("LS6 2AB")[1] == []


@pytest.mark.parametrize(
    "raw", ["LS6 2AC", "QQ1 1AA", "VS6 2AB", "LS6 2AM", "12345", "LS6", "ABCDEFGHIJ"]
)
def test_invalid_postcodes_are_dropped_and_flagged(raw: str) -> None:
    cleaned, flags = clean_postcode(raw)
    assert cleaned is None
    assert [(f.field, f.code) for f in flags] == [("address.postcode", "invalid")]
    assert raw not in flags[0].message


def test_no_fixed_abode_pseudo_postcode() -> None:
    cleaned, flags = clean_postcode("zz99 3vz")
    assert cleaned is not None
    assert cleaned.postcode == "ZZ99 3VZ"
    assert not cleaned.is_real_address
    assert cleaned.outward_code is None
    assert "no_fixed_abode" in [f.code for f in flags]


def test_other_pseudo_postcodes_are_not_an_address_either() -> None:
    cleaned, flags = clean_postcode("ZZ99 3WZ")
    assert cleaned is not None and not cleaned.is_real_address
    assert "pseudo_postcode" in [f.code for f in flags]


def test_bfpo_is_accepted_and_flagged_as_forces_mail() -> None:
    cleaned, flags = clean_postcode("BFPO 801")
    assert cleaned is not None
    assert (cleaned.postcode, cleaned.kind, cleaned.outward_code) == ("BFPO 801", "forces", "BFPO")
    assert [f.code for f in flags] == ["forces_mail"]


def test_missing_postcode() -> None:
    assert clean_postcode(None) == (None, [])
    assert clean_postcode("  ") == (None, [])
