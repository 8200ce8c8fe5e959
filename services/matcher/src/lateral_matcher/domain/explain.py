"""Link explanations: every field compared, its level and weight, the score, rule and model, and a
summary in words a practitioner can read.

The summary names no personal data beyond the forenames in a known-short-form phrase ("'Bill' is a
known short form of 'William'"), which the practitioner sees on the records anyway; it never
shows an NHS number, a date of birth or an address.
"""

from __future__ import annotations

from typing import Final

from lateral_shared.contracts.events import LinkExplanation

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


def link_fields(pattern: Pattern, weights: tuple[float, ...]) -> list[dict[str, object]]:
    """Every compared field with its agreement level ("missing" when either lacks it), as the
    `LinkField` dicts `LinkExplanation` validates in one go (this runs for every link)."""
    return [
        {
            "field": comparison.name,
            "agreement": "missing" if level == NULL else comparison.levels[level],
            "weight": round(weight, 2),
        }
        for comparison, level, weight in zip(COMPARISONS, pattern, weights, strict=True)
    ]


def summary_phrases(
    pattern: Pattern, weights: tuple[float, ...], record: PersonProfile, other: PersonProfile
) -> list[str]:
    """The fields' levels in words, strongest evidence first."""
    ranked = sorted(range(len(COMPARISONS)), key=lambda i: (-abs(weights[i]), COMPARISONS[i].name))
    phrases = []
    for index in ranked:
        phrase = _phrase(COMPARISONS[index].name, pattern[index], weights[index], record, other)
        if phrase:
            phrases.append(phrase)
    return phrases


def _phrase(
    name: str, level: int, weight: float, record: PersonProfile, other: PersonProfile
) -> str | None:
    if level == NULL:
        return None
    if name == "forename" and level == 1:
        short, formal = record, other
        if record.forename in SHORT_FORMS and other.forename not in SHORT_FORMS:
            short, formal = other, record
        return f"'{short.forename_text}' is a known short form of '{formal.forename_text}'"
    phrase = PHRASES[name][level]
    if phrase and level == 0 and name in ("forename", "surname") and weight < COMMON_NAME_WEIGHT:
        phrase += " (a common name, so it counts for less)"
    return phrase


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
    phrases = summary_phrases(pattern, weights, record, other)
    summary = f"{opening}: {'; '.join(phrases)}." if phrases else f"{opening}."
    if rule == "new_person":
        summary = f"{opening} (closest score {score:.2f}): {'; '.join(phrases)}."
    return LinkExplanation.model_validate(
        {
            "rule": rule,
            "model_version": model_version,
            "score": round(score, 6),
            "fields": link_fields(pattern, weights),
            "summary": summary,
        }
    )
