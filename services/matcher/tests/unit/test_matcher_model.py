"""Training: EM recovers sensible m- and u-probabilities from unlabelled records; the model file."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest

from lateral_matcher.domain.comparisons import COMPARISONS
from lateral_matcher.domain.model import MatchModel, Scorer, model_from_json, model_to_json
from lateral_matcher.domain.profile import PersonProfile
from lateral_matcher.domain.shipped import load_shipped_model
from lateral_matcher.domain.training import train_model

FORENAMES = [
    "amelia",
    "oliver",
    "isla",
    "george",
    "ava",
    "noah",
    "mia",
    "leo",
    "ivy",
    "arthur",
    "freya",
    "oscar",
    "lily",
    "harry",
    "grace",
    "jack",
    "rosie",
    "theo",
    "ella",
    "finn",
]
SURNAMES = ["smith"] * 30 + ["jones"] * 15 + [f"rare{chr(97 + i)}{chr(97 + j)}" for i in range(26)
                                             for j in range(8)]  # fmt: skip
PERSONS, RECORDS_EACH = 600, 3
FORENAME_TYPO, DOB_SWAP = 0.1, 0.05


def _typo(rng: random.Random, name: str) -> str:
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def _synthetic_profiles(seed: int = 5) -> list[PersonProfile]:
    """PERSONS people with RECORDS_EACH records each, with known error rates."""
    rng = random.Random(seed)  # noqa: S311 -- test data, not security
    profiles = []
    for person in range(PERSONS):
        forename, surname = rng.choice(FORENAMES), rng.choice(SURNAMES)
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(30_000))
        gender, uprn = rng.choice(["male", "female"]), str(100_000 + rng.randrange(400))
        nhs = f"9{person:09d}"
        for n in range(RECORDS_EACH):
            dob = born
            if born.day <= 12 and rng.random() < DOB_SWAP:
                dob = born.replace(month=born.day, day=born.month)
            written = _typo(rng, forename) if rng.random() < FORENAME_TYPO else forename
            profiles.append(PersonProfile(
                record_key=f"f{n}/{person}", feed_id=f"f{n}", person_ref=None,
                nhs_number=nhs if rng.random() < 0.5 else None, forename=written,
                forename_text=written.title(), surname=surname, surname_parts=frozenset([surname]),
                alias_words=frozenset(), date_of_birth=dob.isoformat(), gender=gender, uprn=uprn,
                postcode=None, sector=None,
            ))  # fmt: skip
    return profiles


@pytest.fixture(scope="module")
def trained() -> MatchModel:
    return train_model(_synthetic_profiles(), version="t", trained_on="test", u_pairs=100_000)


def m_u(model: MatchModel, comparison: str, level: str) -> tuple[float, float]:
    levels = next(c.levels for c in COMPARISONS if c.name == comparison)
    params = model.parameters[comparison]
    return params.m[levels.index(level)], params.u[levels.index(level)]


def test_em_recovers_the_share_of_records_with_the_forename_exact(trained: MatchModel) -> None:
    m, u = m_u(trained, "forename", "exact")
    # A pair of one person's records has both forenames right with chance (1 - 0.1)^2 = 0.81.
    assert 0.74 <= m <= 0.88
    assert u < 0.1  # twenty forenames: random pairs rarely share one


def test_em_learns_that_dates_of_birth_agree_for_matches_and_not_at_random(
    trained: MatchModel,
) -> None:
    m, u = m_u(trained, "date_of_birth", "exact")
    assert m > 0.85
    assert u < 0.001
    m_swap, _ = m_u(trained, "date_of_birth", "day_month_swapped")
    assert 0.005 < m_swap < 0.1


def test_disagreeing_on_gender_or_nhs_number_is_strong_evidence_against(
    trained: MatchModel,
) -> None:
    for comparison, level in (("gender", "disagree"), ("nhs_number", "different")):
        m, u = m_u(trained, comparison, level)
        assert math.log2(m / u) < -3


def test_the_prior_is_close_to_the_true_share_of_matching_pairs(trained: MatchModel) -> None:
    records = PERSONS * RECORDS_EACH
    true_prior = PERSONS * math.comb(RECORDS_EACH, 2) / math.comb(records, 2)
    assert true_prior / 2 < trained.prior < true_prior * 2


def test_agreeing_on_a_common_surname_counts_for_less_than_on_a_rare_one(
    trained: MatchModel,
) -> None:
    scorer = Scorer(trained)
    profiles = _synthetic_profiles()
    smith = next(p for p in profiles if p.surname == "smith")
    rare = next(p for p in profiles if p.surname.startswith("rare"))  # type: ignore[union-attr]
    pattern = (-1, 0, -1, -1, -1, -1, -1, -1)
    assert scorer.field_weights(pattern, smith)[1] < scorer.field_weights(pattern, rare)[1] - 2


def test_each_field_weighs_log2_m_over_u_of_its_level_and_nothing_when_missing() -> None:
    model = load_shipped_model()
    scorer = Scorer(model)
    profile = _synthetic_profiles()[0]
    for index, comparison in enumerate(COMPARISONS):
        params = model.parameters[comparison.name]
        for level in range(-1, len(comparison.levels)):
            pattern = tuple(level if i == index else -1 for i in range(len(COMPARISONS)))
            weights = scorer.field_weights(pattern, profile)
            assert all(w == 0.0 for i, w in enumerate(weights) if i != index)
            if level == -1:
                expected = 0.0
            elif level == comparison.term_frequency_level:
                value = getattr(profile, comparison.name)
                share = params.term_frequencies.get(value, params.term_frequency_floor)
                expected = math.log2(params.m[level] / share)
            else:
                expected = math.log2(params.m[level] / params.u[level])
            assert weights[index] == expected
            assert scorer.match_weight(weights) == model.prior_weight + expected


def test_the_model_file_round_trips_and_rejects_another_format(trained: MatchModel) -> None:
    assert model_from_json(model_to_json(trained)) == trained
    with pytest.raises(ValueError, match="format"):
        model_from_json('{"format": "something-else"}')


def test_the_shipped_model_names_its_version_and_keeps_no_rare_names() -> None:
    model = load_shipped_model()
    assert model.version.startswith("fs-")
    for params in model.parameters.values():
        floor = params.term_frequency_floor
        assert all(share >= floor for share in params.term_frequencies.values())
