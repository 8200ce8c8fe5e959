"""Names: titles removed, white space collapsed, one title case whatever the partner sent."""

import pytest

from lateral_cleanser.domain.names import clean_aliases, clean_name, name_key, split_known_as


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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Rhys AP GRUFFYDD", "Rhys ap Gruffydd"),  # Welsh patronymics keep the particle small
        ("angharad FERCH owain", "Angharad ferch Owain"),
        ("ó SÚILLEABHÁIN", "Ó Súilleabháin"),  # Irish particles keep the diacritics
        ("NÍ BHRIAIN", "Ní Bhriain"),
        ("ó hUIGINN", "Ó hUiginn"),  # the h- prefix after Ó stays lower case
        ("MAC CÁRTHAIGH", "Mac Cárthaigh"),
        ("o hara", "O Hara"),  # unaccented O: the anglicised name, no h- rule
        ("smith jones", "Smith Jones"),  # double-barrelled without a hyphen
        ("J.", "J"),
        ("Smith (2)", "Smith"),
        ("Anne--Marie", "Anne-Marie"),
    ],
)  # fmt: skip
def test_welsh_irish_and_double_barrelled_names(raw: str, expected: str) -> None:
    assert clean_name(raw, field="person.surname")[0] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Prof Jane", "Jane"), ("Rev. Amos", "Amos"), ("Sir Ian", "Ian"), ("Dame Edna", "Edna"),
     ("Mx Sam", "Sam"), ("Lord", "Lord"), ("Sister", "Sister")],
)  # fmt: skip
def test_more_titles_and_names_that_only_look_like_titles(raw: str, expected: str) -> None:
    assert clean_name(raw, field="person.forename")[0] == expected


def test_punctuation_and_digits_are_removed_and_flagged() -> None:
    name, flags = clean_name("Smith!2", field="person.surname")
    assert name == "Smith"
    assert codes(flags) == ["punctuation_removed"]


@pytest.mark.parametrize(
    ("left", "right"),
    [("McDonald", "MacDonald"), ("Mackenzie", "McKenzie"), ("O'Brien", "OBrien"),
     ("Smith-Jones", "Smith Jones"), ("Zoë", "Zoe"), ("Ó Briain", "O'Briain"), ("SEAN", "Seán")],
)  # fmt: skip
def test_comparison_keys_agree_across_spellings(left: str, right: str) -> None:
    assert name_key(left) == name_key(right)


@pytest.mark.parametrize(
    ("left", "right"), [("Machin", "McHin"), ("Smith", "Smyth"), ("Ann", "Anne")]
)
def test_comparison_keys_do_not_merge_different_names(left: str, right: str) -> None:
    assert name_key(left) != name_key(right)


def test_other_names_entries_holding_several_names_are_split() -> None:
    aliases, flags = clean_aliases(["Jack Smith; John Smith", "J Smith aka Johnny Smith"])
    assert aliases == ["Jack Smith", "John Smith", "J Smith", "Johnny Smith"]
    assert [(f.field, f.code) for f in flags if f.code == "split"] == [
        ("person.other_names[0]", "split"),
        ("person.other_names[1]", "split"),
    ]


@pytest.mark.parametrize(
    ("raw", "name", "extra"),
    [("William (Bill)", "William", ["Bill"]), ("Smith (née Jones)", "Smith", ["Jones"]),
     ('Ann "Annie"', "Ann", ["Annie"]), ("Smith", "Smith", []), (None, None, [])],
)  # fmt: skip
def test_names_in_brackets_or_quotes_are_other_names(
    raw: str | None, name: str | None, extra: list[str]
) -> None:
    text, found = split_known_as(raw)
    assert (clean_name(text, field="person.forename")[0], found) == (name, extra)
