"""Gender codes from different partners map to one set of categories."""

import pytest

from lateral_cleanser.domain.gender import clean_gender


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("M", "male"), ("m", "male"), ("1", "male"), ("Male", "male"), ("boy", "male"),
        ("F", "female"), ("2", "female"), ("FEMALE", "female"), ("Woman", "female"),
        ("9", "unknown"), ("0", "unknown"), ("U", "unknown"), ("Not Known", "unknown"),
        ("X", "unknown"), ("Other", "other"), ("non-binary", "other"), ("I", "other"),
    ],
)  # fmt: skip
def test_common_codes_are_mapped(raw: str, expected: str) -> None:
    assert clean_gender(raw)[0] == expected


def test_a_mapped_code_is_flagged_but_a_category_word_is_not() -> None:
    assert [f.code for f in clean_gender("F")[1]] == ["mapped"]
    assert clean_gender("female") == ("female", [])


def test_an_unrecognised_value_is_unknown_and_flagged() -> None:
    gender, flags = clean_gender("Q7")
    assert gender == "unknown"
    assert [(f.field, f.code) for f in flags] == [("person.gender", "unrecognised")]
    assert "Q7" not in flags[0].message


def test_missing_gender_is_unknown_without_a_flag() -> None:
    assert clean_gender(None) == ("unknown", [])
    assert clean_gender("  ") == ("unknown", [])
