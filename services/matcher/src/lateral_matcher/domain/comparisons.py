"""The field comparisons of the probabilistic matcher, each with named agreement levels.

Each comparison maps a pair of `PersonProfile`s to the index of the first level that holds, from
the strongest agreement to plain disagreement, or to `NULL` when either record lacks the field (a
missing field is no evidence either way). The levels are declarative tables, as Splink's are:
`COMPARISONS` lists them in model order, and the model (`model.py`) holds an m- and u-probability
for every level.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import ne
from typing import Final

from rapidfuzz.distance import JaroWinkler

from .profile import PersonProfile

NULL: Final = -1
# Jaro-Winkler similarity bounds of the fuzzy name levels (Splink's usual 0.92 and 0.88).
CLOSE_SPELLING: Final = 0.92
SIMILAR_SPELLING: Final = 0.88


@dataclass(frozen=True, slots=True)
class Comparison:
    """One compared field: its levels (strongest first) and the function that picks one."""

    name: str
    levels: tuple[str, ...]
    compare: Callable[[PersonProfile, PersonProfile], int]
    # The level whose weight is adjusted for how common the agreeing value is (exact names).
    term_frequency_level: int | None = None


@lru_cache(maxsize=262_144)
def _similarity(one: str, other: str) -> float:
    return float(JaroWinkler.similarity(one, other))


def compare_forename(a: PersonProfile, b: PersonProfile) -> int:
    """exact, known_short_form, close_spelling, similar_spelling, initial, disagree."""
    one, other = a.forename, b.forename
    if one is None or other is None:
        return NULL
    if one == other:
        return 0
    if not a.formal_names.isdisjoint(b.formal_names):  # `nicknames.is_known_short_form`
        return 1
    if len(one) == 1 or len(other) == 1:
        return 4 if one[0] == other[0] else 5
    return _spelling_level(one, other, close=2, similar=3, neither=5)


def _spelling_level(one: str, other: str, *, close: int, similar: int, neither: int) -> int:
    similarity = _similarity(one, other)
    if similarity >= CLOSE_SPELLING:
        return close
    return similar if similarity >= SIMILAR_SPELLING else neither


def compare_surname(a: PersonProfile, b: PersonProfile) -> int:
    """exact, shared_part (hyphenated or double-barrelled), close_spelling, similar_spelling,
    disagree. A surname changed on marriage is a disagreement the other fields can outweigh."""
    one, other = a.surname, b.surname
    if one is None or other is None:
        return NULL
    if one == other:
        return 0
    if not a.surname_parts.isdisjoint(b.surname_parts):
        return 1
    return _spelling_level(one, other, close=2, similar=3, neither=4)


def compare_other_names(a: PersonProfile, b: PersonProfile) -> int:
    """match (an other name of one is a surname or other name of the other), disagree.

    NULL when neither has other names, or when the surnames already agree exactly (the same
    evidence is not counted twice).
    """
    if not a.alias_words and not b.alias_words:
        return NULL
    if a.surname is not None and a.surname == b.surname:
        return NULL
    names_a = a.alias_words | a.surname_parts | ({a.surname} if a.surname else set())
    names_b = b.alias_words | b.surname_parts | ({b.surname} if b.surname else set())
    if not a.alias_words.isdisjoint(names_b) or not b.alias_words.isdisjoint(names_a):
        return 0
    return 1


def compare_date_of_birth(a: PersonProfile, b: PersonProfile) -> int:
    """exact, day_month_swapped, year_off_by_one, one_digit_wrong, agree_as_far_as_known,
    disagree."""
    one, other = a.date_of_birth, b.date_of_birth
    if one is None or other is None:
        return NULL
    if a.full_dob and b.full_dob:
        return _compare_full_dates(one, other)
    shared = min(len(one), len(other))
    return 4 if one[:shared] == other[:shared] else 5


def _compare_full_dates(one: str, other: str) -> int:
    if one == other:
        return 0
    year, month, day = one[:4], one[5:7], one[8:10]
    if year == other[:4] and month == other[8:10] and day == other[5:7]:
        return 1
    if one[4:] == other[4:] and abs(int(year) - int(other[:4])) == 1:
        return 2
    return 3 if _one_character_apart(one, other) else 5


def _one_character_apart(one: str, other: str) -> bool:
    """Whether two full dates differ in exactly one character, without counting all ten when
    two parts differ (the usual case: a different person)."""
    if one[4:] == other[4:]:
        return bool(sum(map(ne, one[:4], other[:4])) == 1)
    if one[:4] != other[:4]:  # the year and more
        return False
    if one[7:] == other[7:]:
        return bool(sum(map(ne, one[4:7], other[4:7])) == 1)
    return one[4:7] == other[4:7] and bool(sum(map(ne, one[7:], other[7:])) == 1)


def compare_gender(a: PersonProfile, b: PersonProfile) -> int:
    """agree, disagree."""
    if a.gender is None or b.gender is None:
        return NULL
    return 0 if a.gender == b.gender else 1


def compare_address(a: PersonProfile, b: PersonProfile) -> int:
    """same_uprn, same_postcode, same_postcode_sector, disagree."""
    if a.uprn is not None and a.uprn == b.uprn:
        return 0
    if a.postcode is None or b.postcode is None:
        return NULL if a.uprn is None or b.uprn is None else 3
    if a.postcode == b.postcode:
        return 1
    return 2 if a.sector is not None and a.sector == b.sector else 3


def compare_nhs_number(a: PersonProfile, b: PersonProfile) -> int:
    """same, different (only numbers that passed the check digit are held)."""
    if a.nhs_number is None or b.nhs_number is None:
        return NULL
    return 0 if a.nhs_number == b.nhs_number else 1


def compare_feed_person_id(a: PersonProfile, b: PersonProfile) -> int:
    """same, different: the partner's own person IDs, compared only within one feed (a feed's
    system gives one person one ID; IDs of different feeds mean nothing to each other)."""
    if a.person_ref is None or b.person_ref is None or a.feed_id != b.feed_id:
        return NULL
    return 0 if a.person_ref == b.person_ref else 1


COMPARISONS: Final = (
    Comparison(
        "forename",
        ("exact", "known_short_form", "close_spelling", "similar_spelling", "initial", "disagree"),
        compare_forename,
        term_frequency_level=0,
    ),
    Comparison(
        "surname",
        ("exact", "shared_part", "close_spelling", "similar_spelling", "disagree"),
        compare_surname,
        term_frequency_level=0,
    ),
    Comparison("other_names", ("match", "disagree"), compare_other_names),
    Comparison(
        "date_of_birth",
        (
            "exact",
            "day_month_swapped",
            "year_off_by_one",
            "one_digit_wrong",
            "agree_as_far_as_known",
            "disagree",
        ),
        compare_date_of_birth,
    ),
    Comparison("gender", ("agree", "disagree"), compare_gender),
    Comparison(
        "address",
        ("same_uprn", "same_postcode", "same_postcode_sector", "disagree"),
        compare_address,
    ),
    Comparison("nhs_number", ("same", "different"), compare_nhs_number),
    Comparison("feed_person_id", ("same", "different"), compare_feed_person_id),
)
COMPARISON_NAMES: Final = tuple(comparison.name for comparison in COMPARISONS)

Pattern = tuple[int, ...]


def compare(a: PersonProfile, b: PersonProfile) -> Pattern:  # noqa: PLR0912 (eight comparisons)
    """The agreement level of every comparison, in `COMPARISONS` order.

    The comparisons above, in one function: this runs for every candidate of every record, and
    eight calls cost more than the comparing. Kept equal to them by a test over many pairs."""
    # forename
    one, other = a.forename, b.forename
    if one is None or other is None:
        forename = NULL
    elif one == other:
        forename = 0
    elif not a.formal_names.isdisjoint(b.formal_names):
        forename = 1
    elif len(one) == 1 or len(other) == 1:
        forename = 4 if one[0] == other[0] else 5
    else:
        forename = _spelling_level(one, other, close=2, similar=3, neither=5)
    # surname (exact names are one level for other_names too)
    one, other = a.surname, b.surname
    if one is None or other is None:
        surname = NULL
    elif one == other:
        surname = 0
    elif not a.surname_parts.isdisjoint(b.surname_parts):
        surname = 1
    else:
        surname = _spelling_level(one, other, close=2, similar=3, neither=4)
    if (not a.alias_words and not b.alias_words) or surname == 0:
        other_names = NULL
    else:
        other_names = compare_other_names(a, b)
    # date of birth
    one, other = a.date_of_birth, b.date_of_birth
    if one is None or other is None:
        dob = NULL
    elif a.full_dob and b.full_dob:
        dob = 0 if one == other else _compare_full_dates(one, other)
    else:
        shared = min(len(one), len(other))
        dob = 4 if one[:shared] == other[:shared] else 5
    gender = NULL if a.gender is None or b.gender is None else 0 if a.gender == b.gender else 1
    one, other = a.nhs_number, b.nhs_number
    nhs = NULL if one is None or other is None else 0 if one == other else 1
    one, other = a.person_ref, b.person_ref
    if one is None or other is None or a.feed_id != b.feed_id:
        person_ref = NULL
    else:
        person_ref = 0 if one == other else 1
    return (
        forename, surname, other_names, dob, gender, compare_address(a, b), nhs, person_ref
    )  # fmt: skip


def compare_against(a: PersonProfile, others: Sequence[PersonProfile]) -> list[Pattern]:
    """`compare(a, other)` for each of `others`, in order: one record against its candidates.

    Given `a`, the forename, surname and date-of-birth levels depend on the other's value
    alone, and a record's candidates repeat values (a person's records, a blocking key's date of
    birth): each distinct value is compared once, by the comparison functions above. Kept equal
    to `compare` by a test over many pairs."""
    forenames: dict[str | None, int] = {}
    surnames: dict[tuple[str, frozenset[str]], int] = {}
    dates: dict[str | None, int] = {}
    a_surname, a_aliases, a_gender, a_nhs = a.surname, a.alias_words, a.gender, a.nhs_number
    a_ref, a_feed = a.person_ref, a.feed_id
    patterns: list[Pattern] = []
    for b in others:
        forename = forenames.get(b.forename)
        if forename is None:
            forename = forenames[b.forename] = compare_forename(a, b)
        one = b.surname
        if one is None or a_surname is None:
            surname = NULL
        elif one == a_surname:
            surname = 0
        else:
            key = (one, b.surname_parts)
            found = surnames.get(key)
            if found is None:
                found = surnames[key] = compare_surname(a, b)
            surname = found
        if (not a_aliases and not b.alias_words) or surname == 0:
            other_names = NULL
        else:
            other_names = compare_other_names(a, b)
        dob = dates.get(b.date_of_birth)
        if dob is None:
            dob = dates[b.date_of_birth] = compare_date_of_birth(a, b)
        gender = NULL if a_gender is None or b.gender is None else 0 if a_gender == b.gender else 1
        address = compare_address(a, b)
        one = b.nhs_number
        nhs = NULL if a_nhs is None or one is None else 0 if a_nhs == one else 1
        one = b.person_ref
        if a_ref is None or one is None or a_feed != b.feed_id:
            person_ref = NULL
        else:
            person_ref = 0 if a_ref == one else 1
        patterns.append((forename, surname, other_names, dob, gender, address, nhs, person_ref))
    return patterns
