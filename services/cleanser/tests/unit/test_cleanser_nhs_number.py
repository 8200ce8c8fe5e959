"""NHS numbers: ten digits with a Modulus 11 check digit; anything else dropped and flagged."""

import pytest

from lateral_cleanser.domain.nhs_number import check_digit, clean_nhs_number, is_valid_nhs_number


@pytest.mark.parametrize("number", ["9434765919", "9000000009"])
def test_known_valid_numbers_pass(number: str) -> None:
    assert is_valid_nhs_number(number)
    assert clean_nhs_number(number) == (number, [])


def test_the_often_quoted_9876544321_is_invalid() -> None:
    assert not is_valid_nhs_number("9876544321")
    value, flags = clean_nhs_number("9876544321")
    assert value is None
    assert [(f.field, f.code) for f in flags] == [("person.nhs_number", "failed_check")]
    assert "9876544321" not in flags[0].message


def test_check_digit_by_hand() -> None:
    # 943476591: 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 % 11 = 2; 11 - 2 = 9
    assert check_digit("943476591") == 9
    # 900000000: 9*10 = 90; 90 % 11 = 2; 11 - 2 = 9
    assert check_digit("900000000") == 9


def test_a_check_of_eleven_means_zero() -> None:
    # 010000001: 1*9 + 1*2 = 11; 11 % 11 = 0; 11 - 0 = 11 -> check digit 0
    assert check_digit("010000001") == 0
    assert is_valid_nhs_number("0100000010")


def test_a_check_of_ten_means_never_issued() -> None:
    # 100000001: 1*10 + 1*2 = 12; 12 % 11 = 1; 11 - 1 = 10 -> no valid check digit exists
    assert check_digit("100000001") is None


@pytest.mark.parametrize("raw", ["943 476 5919", "943-476-5919", " 9434765919"])
def test_separators_are_removed_and_flagged(raw: str) -> None:
    value, flags = clean_nhs_number(raw)
    assert value == "9434765919"
    assert [f.code for f in flags] == ["reformatted"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("943476591", "wrong_length"),
        ("94347659190", "wrong_length"),
        ("94347659A9", "not_digits"),
        ("0000000000", "placeholder"),
        ("1111111111", "placeholder"),
        ("9434765918", "failed_check"),
    ],
)
def test_invalid_numbers_are_dropped_and_flagged(raw: str, code: str) -> None:
    value, flags = clean_nhs_number(raw)
    assert value is None
    assert [f.code for f in flags] == [code]


def test_missing_number_is_not_flagged() -> None:
    assert clean_nhs_number(None) == (None, [])
