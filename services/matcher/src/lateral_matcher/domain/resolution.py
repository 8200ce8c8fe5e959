"""Incremental person resolution: which person a cleansed record is about (the engine's facade).

The matcher service stores every record's `blocking_keys`, fetches the stored records that share
at least one key with a new record (the candidates), and asks `Resolver.resolve` where the record
belongs. The resolver is pure and deterministic: the same record, candidates and steward decisions
give the same answer whatever order the candidates come in.

Rules, in order, for each candidate person:
1. a data steward said the record is (`steward`) or is not this person (never linked, never
   reviewed again);
2. the same feed and the partner's own person ID (`person_ref`) links;
3. the same valid NHS number links (`nhs_number`), unless forename, surname and date of birth all
   disagree, which goes to review (`nhs_number_conflict`);
4. otherwise the Fellegi-Sunter model scores the record against each of the person's records and
   keeps the best (`probabilistic`): at or above `Thresholds.link` links, at or above
   `Thresholds.review` goes to review. A score never links by itself when the forename or the
   full date of birth disagrees outright (twins, a parent and child of one name): review.

Outcomes:
- `LINK`: the record is about `links[0].person_id`; several links mean those persons are one
  individual (the service merges them into a survivor). Persons that must not be merged (different
  NHS numbers, different person IDs in one feed) are never linked together: the weaker ones become
  `reviews`. A LINK may carry `reviews` (review items against those persons).
- `REVIEW`: doubtful; the record starts a new person (`new_person_id(record_key)`) and a review
  item is raised against each of `reviews` for a data steward to decide.
- `NEW_PERSON`: nobody matches; a new person with ID `new_person_id(record_key)`.
- `ADDRESS_ONLY`: no person details (a police or fire address-level record): no person.

Candidates: all stored records sharing a blocking key with the record (`blocking.py`). A service
may cap a very common key at its 200 most recent records: `lateral eval-linkage` links with that
cap (its in-memory store is the reference) and the person of such a record is nearly always also
reached through the record's `nhs`, `pref`, `uprn` or `pci` key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from lateral_shared.contracts.events import LinkExplanation
from lateral_shared.contracts.records import CleanRecord

from .blocking import blocking_keys
from .candidates import Compared, PersonScore, PersonScorer
from .explain import explain
from .identity import new_person_id
from .merging import split_person_id
from .model import MatchModel
from .profile import PersonProfile, cached_profile, has_person_details
from .shipped import load_shipped_model

__all__ = [
    "CandidateRecord",
    "Outcome",
    "PersonMatch",
    "Resolution",
    "Resolver",
    "StewardDecisions",
    "Thresholds",
    "blocking_keys",
    "default_resolver",
    "new_person_id",
]

MAX_REVIEWS = 5  # review items raised by one record: the closest few are enough to decide


class Outcome(StrEnum):
    LINK = "link"
    REVIEW = "review"
    NEW_PERSON = "new_person"
    ADDRESS_ONLY = "address_only"


@dataclass(frozen=True, slots=True)
class CandidateRecord:
    """One stored record already linked to a person (with its profile, if the caller holds it:
    a store that keeps profiles spares the resolver's bounded cache a look-up or a recompute)."""

    person_id: str
    record: CleanRecord | None  # None when the store lent the profile alone
    profile: PersonProfile | None = None

    @property
    def record_key(self) -> str:
        if self.profile is not None:
            return self.profile.record_key
        assert self.record is not None, "a candidate has its record, its profile or both"
        return self.record.record_key


@dataclass(frozen=True, slots=True)
class StewardDecisions:
    """What data stewards decided: respected on replay and for later records."""

    not_same: frozenset[tuple[str, str]] = frozenset()  # (record_key, person_id) rejected
    same: frozenset[tuple[str, str]] = frozenset()  # (record_key, person_id) accepted
    # (record_key, person_id) accepted where the person does not exist (yet): the record creates
    # it. On a replay after a person's founding record was split out, the person's next record
    # takes the person's ID back (`service_layer.splitting`).
    founds: frozenset[tuple[str, str]] = frozenset()


NO_DECISIONS = StewardDecisions()


@dataclass(frozen=True, slots=True)
class PersonMatch:
    person_id: str
    match_weight: float  # log2 Bayes factor summed over fields (Fellegi-Sunter), with the prior
    probability: float
    explanation: LinkExplanation


@dataclass(frozen=True, slots=True)
class Resolution:
    outcome: Outcome
    person_id: str | None  # the person the record is now part of
    explanation: LinkExplanation  # why the record sits with person_id
    links: tuple[PersonMatch, ...] = field(default=())
    reviews: tuple[PersonMatch, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Match probabilities at or above which a pair links, or goes to review.

    Fixed settings that favour precision (a wrong link shows a practitioner somebody else's
    history; a missed link is the smaller harm), not tuned on evaluation answers.
    """

    link: float = 0.999
    review: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.review <= self.link < 1:
            raise ValueError("thresholds must satisfy 0 < review <= link < 1")


DEPLOYED_THRESHOLDS = Thresholds()
LINK_RULES = ("steward", "person_ref", "nhs_number")
_RULE_RANK = {"steward": 0, "person_ref": 1, "nhs_number": 2, "probabilistic": 3}


class Resolver:
    """Decides where a record belongs among the persons of its candidates."""

    def __init__(self, model: MatchModel, thresholds: Thresholds = DEPLOYED_THRESHOLDS) -> None:
        self.model = model
        self.thresholds = thresholds
        self._scorer = PersonScorer(model)
        self._nobody = LinkExplanation(
            rule="new_person",
            model_version=model.version,
            score=0.0,
            summary="New person: no existing person shares a name, date of birth, "
            "NHS number or address with the record.",
        )
        self._address_only = LinkExplanation(
            rule="address_only",
            model_version=model.version,
            score=0.0,
            summary="No person details: the record is attached to its address only.",
        )

    def resolve(
        self,
        record: CleanRecord,
        candidates: Sequence[CandidateRecord],
        decisions: StewardDecisions = NO_DECISIONS,
    ) -> Resolution:
        """Where `record` belongs, given the stored records that share a blocking key with it."""
        by_person: dict[str, list[PersonProfile]] = {}
        for candidate in candidates:
            other = candidate.profile
            if other is None and candidate.record is not None:
                other = cached_profile(candidate.record)
            if other is not None:
                by_person.setdefault(candidate.person_id, []).append(other)
        return self.resolve_among(record, by_person, decisions)

    def resolve_among(
        self, record: CleanRecord, by_person: dict[str, list[PersonProfile]],
        decisions: StewardDecisions = NO_DECISIONS,
    ) -> Resolution:  # fmt: skip
        """`resolve`, for a caller holding its candidates' profiles by person already (a store
        that keeps profiles: no `CandidateRecord` per candidate). `by_person` is consumed."""
        profile = cached_profile(record)
        if profile is None or not has_person_details(record.person):
            return Resolution(Outcome.ADDRESS_ONLY, None, self._explain_address_only())
        if decisions.not_same:
            for person_id in list(by_person):
                if (record.record_key, person_id) in decisions.not_same:
                    del by_person[person_id]
        scores = [
            self._scorer.score(profile, person_id, others, decisions.same)
            for person_id, others in sorted(by_person.items())
        ]
        return self._decide(record.record_key, profile, scores, decisions)

    def remember(self, profile: PersonProfile, compared: dict[str, list[Compared]]) -> None:
        """Take comparisons of `profile` with candidates made elsewhere (a worker process with
        `PersonScorer.compared` under the same model), so `resolve_among` of that record need
        not make them again: for each person of `by_person`, one for each of its profiles, in
        the same order."""
        self._scorer.remember(profile, compared)

    def _decide(
        self, record_key: str, profile: PersonProfile, scores: list[PersonScore],
        decisions: StewardDecisions,
    ) -> Resolution:  # fmt: skip
        link, review = self.thresholds.link, self.thresholds.review
        linked: list[PersonScore] = []
        doubtful: list[PersonScore] = []
        closest: PersonScore | None = None  # the highest score (ties: the greatest person ID)
        top = 0.0
        for s in scores:  # one pass: this runs for every candidate person of every record
            if s.rule in LINK_RULES or (s.probability >= link and s.may_link_on_score):
                linked.append(s)
            elif s.rule == "nhs_number_conflict" or s.probability >= review:
                doubtful.append(s)
            weight = s.match_weight
            if (
                closest is None
                or weight > top
                or (weight == top and s.person_id > closest.person_id)
            ):
                closest, top = s, weight
        linked.sort(key=lambda s: (_RULE_RANK[s.rule], -s.match_weight, s.person_id))
        links, held_apart = _mergeable(linked, decisions)
        reviews = sorted([*held_apart, *doubtful], key=lambda s: (-s.match_weight, s.person_id))
        reviews = reviews[:MAX_REVIEWS]
        if links:
            matches = tuple(self._match(profile, s) for s in links)
            return Resolution(
                Outcome.LINK,
                links[0].person_id,
                matches[0].explanation,
                links=matches,
                reviews=tuple(self._match(profile, s, "review") for s in reviews),
            )
        new_id = _founded_id(record_key, decisions)
        if reviews:
            matches = tuple(self._match(profile, s, "review") for s in reviews)
            rule = "nhs_number_conflict" if reviews[0].rule == "nhs_number_conflict" else "review"
            explanation = self._match(profile, reviews[0], rule).explanation
            return Resolution(Outcome.REVIEW, new_id, explanation, reviews=matches)
        return Resolution(Outcome.NEW_PERSON, new_id, self._explain_new(profile, closest))

    def _match(self, profile: PersonProfile, score: PersonScore, rule: str = "") -> PersonMatch:
        explanation = self._explain(rule or score.rule, profile, score)
        return PersonMatch(score.person_id, score.match_weight, score.probability, explanation)

    def _explain(self, rule: str, profile: PersonProfile, score: PersonScore) -> LinkExplanation:
        return explain(
            rule=rule,
            model_version=self.model.version,
            score=score.probability,
            pattern=score.pattern,
            weights=score.weights,
            record=profile,
            other=score.closest,
        )

    def _explain_new(self, profile: PersonProfile, closest: PersonScore | None) -> LinkExplanation:
        if closest is None:
            return self._nobody
        return self._explain("new_person", profile, closest)

    def _explain_address_only(self) -> LinkExplanation:
        return self._address_only


def _mergeable(
    linked: list[PersonScore], decisions: StewardDecisions
) -> tuple[list[PersonScore], list[PersonScore]]:
    """The linked persons that may be merged with the strongest one, and those held apart.

    Persons with different NHS numbers, or different person IDs in one feed, are different
    people whatever one record says; a steward's "not the same" between them is respected too.
    """
    kept: list[PersonScore] = []
    held_apart: list[PersonScore] = []
    for score in linked:
        if any(_steward_separated(score, k, decisions) for k in kept):
            continue
        if any(score.conflicts_with(k) for k in kept):
            held_apart.append(score)
        else:
            kept.append(score)
    return kept, held_apart


def _steward_separated(one: PersonScore, other: PersonScore, decisions: StewardDecisions) -> bool:
    return any((key, other.person_id) in decisions.not_same for key in one.record_keys) or any(
        (key, one.person_id) in decisions.not_same for key in other.record_keys
    )


def _founded_id(record_key: str, decisions: StewardDecisions) -> str:
    """The ID of the person a record creates: the one a data steward named, if any; else its own,
    unless a steward said it is not that person (it was split out of the person it founded, and
    takes the ID the split gave it)."""
    if decisions.founds:
        named = sorted(p for k, p in decisions.founds if k == record_key)
        if named:
            return named[0]
    own = new_person_id(record_key)
    if decisions.not_same and (record_key, own) in decisions.not_same:
        return split_person_id(record_key, own)
    return own


def default_resolver() -> Resolver:
    """The deployed model (shipped in the package) and the deployed thresholds."""
    return Resolver(load_shipped_model(), DEPLOYED_THRESHOLDS)
