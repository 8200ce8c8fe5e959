"""Scoring one candidate person: the deterministic rules, then the model against each record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .comparisons import Pattern, compare, compare_against
from .model import MatchModel, Scorer, probability
from .profile import PersonProfile

# Levels at which a name or date of birth "strongly disagrees" (see `nhs_conflict`).
_FORENAME_DISAGREE, _SURNAME_DISAGREE, _ALIAS_MATCH, _DOB_DISAGREE = 5, 4, 0, 5


@dataclass(slots=True)  # not frozen: one is built per candidate person, and a frozen
class PersonScore:  # dataclass's __init__ costs several times as much; none is changed after
    """How a record compares with one candidate person (through that person's closest record)."""

    person_id: str
    rule: str  # steward, person_ref, nhs_number, nhs_number_conflict or probabilistic
    match_weight: float
    probability: float
    pattern: Pattern
    weights: tuple[float, ...]
    closest: PersonProfile
    records: Sequence[PersonProfile]  # the person's candidate records (never changed)

    @property
    def may_link_on_score(self) -> bool:
        """Whether a high score may link without a rule. Not when the forename or the full date
        of birth disagrees outright: twins, and a parent and child of one name, share a home,
        a surname and often the rest, and the model (which treats fields as independent) would
        add that shared evidence up; such pairs go to review instead."""
        return self.pattern[0] != _FORENAME_DISAGREE and self.pattern[3] != _DOB_DISAGREE

    @property
    def record_keys(self) -> tuple[str, ...]:
        return tuple(r.record_key for r in self.records)

    def conflicts_with(self, other: PersonScore) -> bool:
        """Whether the two persons are certainly different people (never to be merged): they
        hold different NHS numbers, or different person IDs in one feed."""
        mine = {r.nhs_number for r in self.records if r.nhs_number}
        theirs = {r.nhs_number for r in other.records if r.nhs_number}
        if mine and theirs and mine.isdisjoint(theirs):
            return True
        my_ids = _feed_person_ids(self.records)
        their_ids = _feed_person_ids(other.records)
        return any(my_ids[feed].isdisjoint(their_ids[feed]) for feed in my_ids.keys() & their_ids)


def nhs_conflict(pattern: Pattern) -> bool:
    """Forename, surname (and other names) and date of birth all disagree outright."""
    forename, surname, other_names, dob = pattern[0], pattern[1], pattern[2], pattern[3]
    return (
        forename == _FORENAME_DISAGREE
        and surname == _SURNAME_DISAGREE
        and other_names != _ALIAS_MATCH
        and dob == _DOB_DISAGREE
    )


# A record compared with a candidate record: the levels, each field's weight, the match weight.
Compared = tuple[Pattern, tuple[float, ...], float]
_NOT_COMPARED: Compared = ((), (), 0.0)
PAIR_CACHE_SIZE = 1_000_000  # compared (record, candidate) field patterns remembered


class PersonScorer:
    """Scores records against candidate persons under one model."""

    def __init__(self, model: MatchModel) -> None:
        self._scorer = Scorer(model)
        # Records alike in every compared field compare alike: a busy person's repeated records,
        # and a later record repeating an earlier one, reuse one comparison.
        self._pairs: dict[tuple[str, str], Compared] = {}
        # Comparisons of one record made elsewhere (`remember`): by candidate person, in the
        # order of the person's records as `score` is given them.
        self._ahead_of: PersonProfile | None = None
        self._ahead: dict[str, list[Compared]] = {}

    def score(
        self, profile: PersonProfile, person_id: str, others: Sequence[PersonProfile],
        accepted: frozenset[tuple[str, str]],
    ) -> PersonScore:  # fmt: skip
        """The rule that applies to the person, and the closest of its records under the model.

        The rule depends on the records alone, so only the records it names are scored (a
        record of the same NHS number is closest among those, whatever the others score)."""
        nhs = profile.nhs_number
        pool: Sequence[int] = range(len(others))  # the records (by place) the rule names
        if accepted and (profile.record_key, person_id) in accepted:
            rule = "steward"
        elif (ref := profile.person_ref) is not None and (
            by_ref := [
                k
                for k, o in enumerate(others)
                if o.person_ref == ref and o.feed_id == profile.feed_id
            ]
        ):  # the same person ID in the same feed
            rule, pool = "person_ref", by_ref
        elif nhs and (by_nhs := [k for k, o in enumerate(others) if o.nhs_number == nhs]):
            rule, pool = "nhs_number", by_nhs
        else:
            rule = "probabilistic"
        # The person's closest record (ties go to the greatest record key, so the candidates'
        # order never matters) and, for the NHS rule, whether every record conflicts.
        ahead = self._ahead.get(person_id) if profile is self._ahead_of else None
        closest: PersonProfile | None = None
        best: Compared = _NOT_COMPARED
        conflict = rule == "nhs_number"
        for k in pool:
            other = others[k]
            found = ahead[k] if ahead is not None else self.compared(profile, other)
            if conflict and not nhs_conflict(found[0]):
                conflict = False
            weight = found[2]
            if (
                closest is None
                or weight > best[2]
                or (weight == best[2] and other.record_key > closest.record_key)
            ):
                best, closest = found, other
        if closest is None:
            raise ValueError("a candidate person has at least one record")
        pattern, weights, weight = best
        return PersonScore(
            person_id,
            "nhs_number_conflict" if conflict else rule,
            weight,
            probability(weight),
            pattern,
            weights,
            closest,
            others,
        )

    def compared(self, profile: PersonProfile, other: PersonProfile) -> Compared:
        """The record compared with one candidate record under the model (remembered)."""
        key = (profile.signature_key, other.signature_key)
        found = self._pairs.get(key)
        if found is None:
            pattern = compare(profile, other)
            weights = self._scorer.field_weights(pattern, profile)
            found = (pattern, weights, self._scorer.match_weight(weights))
            if len(self._pairs) >= PAIR_CACHE_SIZE:
                self._pairs.clear()
            self._pairs[key] = found
        return found

    def compared_against(
        self, profile: PersonProfile, others: Sequence[PersonProfile]
    ) -> list[Compared]:
        """`compared` for each of `others`, in order, made in one pass and not remembered (for
        a caller that keeps its own): equal patterns share one `Compared` object."""
        by_pattern: dict[Pattern, Compared] = {}
        found: list[Compared] = []
        scorer = self._scorer
        for pattern in compare_against(profile, others):
            compared = by_pattern.get(pattern)
            if compared is None:
                weights = scorer.field_weights(pattern, profile)
                compared = by_pattern[pattern] = (pattern, weights, scorer.match_weight(weights))
            found.append(compared)
        return found

    def remember(self, profile: PersonProfile, compared: dict[str, list[Compared]]) -> None:
        """Take comparisons of `profile` made by another scorer under the same model (see
        `compared`) for scoring `profile` next (only the latest record's are kept): for each
        candidate person, one for each of the person's records, in the order `score` will be
        given them."""
        self._ahead_of = profile
        self._ahead = compared


def _feed_person_ids(records: Sequence[PersonProfile]) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {}
    for record in records:
        if record.person_ref is not None:
            ids.setdefault(record.feed_id, set()).add(record.person_ref)
    return ids
