"""Names: titles removed, white space collapsed, one title case whatever the partner sent."""

import pytest

from lateral_cleanser.domain.names import clean_aliases, clean_name


def codes(flags: list) -> list[str]:
    return [f.code for f in flags]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("JOHN", "John"),
        ("john", "John"),
        ("  mary   ann  ", "Mary Ann"),
        ("MCDONALD", "McDonald"),
        ("mcdonald", "McDonald"),
        ("MACDONALD", "MacDonald"),
        ("macleod", "MacLeod"),
        ("MACHIN", "Machin"),
        ("MACK", "Mack"),
        ("MACKENZIE", "Mackenzie"),
        ("O'BRIEN", "O'Brien"),
        ("o\u2019neill", "O'Neill"),
        ("d'arcy", "D'Arcy"),
        ("SMITH-JONES", "Smith-Jones"),
        ("smith - jones", "Smith-Jones"),
        ("anne-marie o'connor-mcbride", "Anne-Marie O'Connor-McBride"),
    ],
)
def test_names_get_one_consistent_title_case(raw: str, expected: str) -> None:
    assert clean_name(raw, field="person.surname")[0] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Mr John", "John"), ("MRS. Jane", "Jane"), ("dr amir", "Amir"), ("Miss Ms Ann", "Ann")],
)
def test_titles_are_removed_and_flagged(raw: str, expected: str) -> None:
    name, flags = clean_name(raw, field="person.forename")
    assert name == expected
    assert "title_removed" in codes(flags)
    assert all(f.field == "person.forename" for f in flags)


def test_a_lone_title_leaves_no_name() -> None:
    name, flags = clean_name("Mrs", field="person.forename")
    assert name is None
    assert codes(flags) == ["title_removed"]


def test_a_name_that_is_already_clean_is_not_flagged() -> None:
    assert clean_name("Sarah", field="person.forename") == ("Sarah", [])


def test_a_recased_name_is_flagged_without_quoting_it() -> None:
    name, flags = clean_name("WILLIAMSON", field="person.surname")
    assert name == "Williamson"
    assert codes(flags) == ["normalised"]
    assert "WILLIAMSON" not in flags[0].message and "Williamson" not in flags[0].message


def test_missing_and_blank_names() -> None:
    assert clean_name(None, field="person.forename") == (None, [])
    assert clean_name("   ", field="person.forename")[0] is None


def test_other_names_become_distinct_cleaned_aliases() -> None:
    aliases, flags = clean_aliases(["JOHNNY SMITH", "Johnny Smith", "", "Mr Jack Smith"])
    assert aliases == ["Johnny Smith", "Jack Smith"]
    assert "person.other_names[3]" in {f.field for f in flags if f.code == "title_removed"}
