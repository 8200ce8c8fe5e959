"""Link explanations: every field compared, its level and weight, the score, rule and model, and a
summary in words a practitioner can read.

The summary names no personal data beyond the forenames in a known-short-form phrase ("'Bill' is a
known short form of 'William'"), which the practitioner sees on the records anyway; it never
shows an NHS number, a date of birth or an address.
"""

from __future__ import annotations

from typing import Final

from lateral_shared.contracts.events import LinkExplanation, LinkField

from .comparisons import COMPARISONS, NULL, Pattern
from .nicknames import SHORT_FORMS
from .profile import PersonProfile

# What each level means, in plain words (None: not worth a phrase in the summary).
PHRASES: Final[dict[str, tuple[str | None, ...]]] = {
    "forename": ("same forename", None, "forename spelt slightly differently",
                 "forename spelt differently", "forename initial matches", "different forenames"),
    "surname": ("same surname", "surname shares a part (double-barrelled or hyphenated)",
                "surname spelt slightly differently", "surname spelt differently",
                "different surnames"),
    "other_names": ("a former or other name matches", None),
    "date_of_birth": ("date of birth matches", "date of birth matches with day and month swapped",
                      "year of birth differs by one", "date of birth differs by one digit",
                      "date of birth matches as far as both are known",
                      "different dates of birth"),
    "gender": (None, "different gender recorded"),
    "address": ("same property", "same postcode", "nearby postcode", "different addresses"),
    "nhs_number": ("same NHS number", "different NHS numbers"),
    "feed_person_id": ("same partner ID for the person", "different partner IDs in one system"),
}  # fmt: skip
COMMON_NAME_WEIGHT: Final = 6.0  # an exact name worth less than this is a common name
RULE_OPENINGS: Final = {
    "steward": "Linked by a data steward's decision",
    "person_ref": "Linked on the partner's own ID for the person",
    "nhs_number": "Linked on the same NHS number",
    "probabilistic": "Linked: the details agree closely",
    "review": "Kept apart for now, as a possible match for a data steward to decide",
    "nhs_number_conflict": "Same NHS number but name and date of birth both differ: "
    "kept apart for a data steward to decide",
    "new_person": "New person: no existing person matched closely enough",
}


_NAMES: Final = tuple(comparison.name for comparison in COMPARISONS)
_LEVELS: Final = tuple(comparison.levels for comparison in COMPARISONS)
_LEVEL_PHRASES: Final = tuple(PHRASES[name] for name in _NAMES)
_FORENAME, _SURNAME = _NAMES.index("forename"), _NAMES.index("surname")
FIELD_CACHE_SIZE = 100_000
# Explanations follow from the rule, model, score, levels, weights and (for a known short form)
# the forenames: pairs alike share one (about half of them). They are frozen, so one object can
# serve several links. ~1.5 KB each with its key: 25,000 keep the matcher's peak at region scale
# inside 4 GB (100,000 took ~150 MB more), and the common ones are back soon after a clear.
EXPLANATION_CACHE_SIZE = 25_000
_explanations: dict[tuple[object, ...], LinkExplanation] = {}
# LinkFields are frozen: one per (field, level, rounded weight) serves every explanation.
_fields: dict[tuple[int, int, float], LinkField] = {}
_field_lists: dict[tuple[Pattern, tuple[float, ...]], tuple[LinkField, ...]] = {}


def link_fields(pattern: Pattern, weights: tuple[float, ...]) -> list[LinkField]:
    """Every compared field with its agreement level ("missing" when either lacks it)."""
    key = (pattern, weights)
    found = _field_lists.get(key)
    if found is None:
        if len(_field_lists) >= FIELD_CACHE_SIZE:
            _field_lists.clear()
        found = _field_lists[key] = tuple(
            _link_field(index, level, weight)
            for index, (level, weight) in enumerate(zip(pattern, weights, strict=True))
        )
    return list(found)


def _link_field(index: int, level: int, weight: float) -> LinkField:
    key = (index, level, round(weight, 2))
    found = _fields.get(key)
    if found is None:
        if len(_fields) >= FIELD_CACHE_SIZE:
            _fields.clear()
        agreement = "missing" if level == NULL else _LEVELS[index][level]
        found = _fields[key] = LinkField(field=_NAMES[index], agreement=agreement, weight=key[2])
    return found


def summary_phrases(
    pattern: Pattern, weights: tuple[float, ...], record: PersonProfile, other: PersonProfile
) -> list[str]:
    """The fields' levels in words, strongest evidence first (ties by field name)."""
    ranked = sorted(zip([-abs(w) for w in weights], _NAMES, range(len(_NAMES)), strict=True))
    phrases = []
    for _, _, index in ranked:
        level = pattern[index]
        if level != NULL and (phrase := _phrase(index, level, weights[index], record, other)):
            phrases.append(phrase)
    return phrases


def _phrase(
    index: int, level: int, weight: float, record: PersonProfile, other: PersonProfile
) -> str | None:
    if index == _FORENAME and level == 1:
        short, formal = record, other
        if record.forename in SHORT_FORMS and other.forename not in SHORT_FORMS:
            short, formal = other, record
        return f"'{short.forename_text}' is a known short form of '{formal.forename_text}'"
    phrase = _LEVEL_PHRASES[index][level]
    if phrase and level == 0 and index in (_FORENAME, _SURNAME) and weight < COMMON_NAME_WEIGHT:
        phrase += " (a common name, so it counts for less)"
    return phrase


def _summary(
    opening: str, rule: str, *, score: float, pattern: Pattern, weights: tuple[float, ...],
    record: PersonProfile, other: PersonProfile,
) -> str:  # fmt: skip
    phrases = summary_phrases(pattern, weights, record, other)
    if rule == "new_person":
        return f"{opening} (closest score {score:.2f}): {'; '.join(phrases)}."
    return f"{opening}: {'; '.join(phrases)}." if phrases else f"{opening}."


def explain(
    *, rule: str, model_version: str, score: float, pattern: Pattern | None,
    weights: tuple[float, ...] | None, record: PersonProfile, other: PersonProfile | None,
) -> LinkExplanation:  # fmt: skip
    """The explanation of how `record` compares with `other` (its closest record of a person)."""
    opening = RULE_OPENINGS[rule]
    if pattern is None or weights is None or other is None:
        return LinkExplanation(
            rule=rule, model_version=model_version, score=score, summary=f"{opening}."
        )
    forenames: tuple[str | None, ...] = ()
    if pattern[_FORENAME] == 1:  # the summary names both forenames as written
        forenames = (record.forename, record.forename_text, other.forename, other.forename_text)
    key = (rule, model_version, score, pattern, weights, forenames)
    found = _explanations.get(key)
    if found is None:
        if len(_explanations) >= EXPLANATION_CACHE_SIZE:
            _explanations.clear()
        summary = _summary(
            opening, rule, score=score, pattern=pattern, weights=weights, record=record, other=other
        )
        # The fields are LinkField instances already, which pydantic takes as they are.
        found = _explanations[key] = LinkExplanation(
            rule=rule,
            model_version=model_version,
            score=round(score, 6),
            fields=link_fields(pattern, weights),
            summary=summary,
        )
    return found
