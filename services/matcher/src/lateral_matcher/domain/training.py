"""Estimating a match model from unlabelled records, as Splink does.

- u-probabilities: the level frequencies among pairs of records drawn at random (nearly all are
  about different people);
- the prior: among pairs of records that both carry an NHS number, the share that carry the same
  one (a deterministic rule standing in for the truth, as in Splink's
  `estimate_probability_two_random_records_match`);
- m-probabilities: expectation-maximisation over the pairs of a blocking rule, with u held fixed.
  A field used by the blocking rule always agrees within it and tells EM nothing, so each rule's
  session leaves its own fields out, and each field's m is the mean over the sessions that
  estimated it (two sessions: same date of birth; same surname and forename initial);
- name frequencies for the term-frequency adjustment, keeping only names of at least
  `MIN_NAME_COUNT` records.

No truth is read: a partnership can train on its own data (`lateral train-linkage-model`).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from .comparisons import COMPARISONS, NULL, Pattern, compare
from .model import MIN_NAME_COUNT, ComparisonParameters, MatchModel
from .profile import PersonProfile

BlockingRule = Callable[[PersonProfile], str | None]
# A blocking group larger than this is sampled down: pairs grow with the square of its size.
MAX_GROUP = 40
M_FLOOR = 1e-5  # no level is impossible among matches: a floor keeps every weight finite
EM_ITERATIONS = 40
EM_TOLERANCE = 1e-6


def _same_dob(p: PersonProfile) -> str | None:
    return p.date_of_birth if p.full_dob else None


def _same_name(p: PersonProfile) -> str | None:
    return f"{p.surname}|{p.forename[0]}" if p.surname and p.forename else None


SESSIONS: tuple[tuple[BlockingRule, frozenset[str]], ...] = (
    (_same_dob, frozenset({"date_of_birth"})),
    (_same_name, frozenset({"forename", "surname", "other_names"})),
)


def train_model(
    profiles: Sequence[PersonProfile], *, version: str, trained_on: str, seed: int = 1,
    u_pairs: int = 1_000_000,
) -> MatchModel:  # fmt: skip
    """A model estimated from `profiles` (records with person details, any order)."""
    rng = random.Random(seed)  # noqa: S311 -- sampling pairs, not security
    u = estimate_u(profiles, rng, u_pairs)
    m_sessions: dict[str, list[tuple[float, ...]]] = defaultdict(list)
    for rule, excluded in SESSIONS:
        patterns = Counter(compare(a, b) for a, b in blocked_pairs(profiles, rule, rng))
        estimated, _ = expectation_maximisation(patterns, u, excluded)
        for name, probabilities in estimated.items():
            m_sessions[name].append(probabilities)
    parameters = {}
    for index, comparison in enumerate(COMPARISONS):
        estimates = m_sessions[comparison.name]
        m = tuple(sum(column) / len(estimates) for column in zip(*estimates, strict=True))
        frequencies, floor = name_frequencies(profiles, comparison.name, index)
        parameters[comparison.name] = ComparisonParameters(m, u[index], frequencies, floor)
    prior = estimate_prior(profiles)
    return MatchModel(version=version, prior=prior, parameters=parameters, trained_on=trained_on)


def estimate_u(
    profiles: Sequence[PersonProfile], rng: random.Random, pairs: int
) -> list[tuple[float, ...]]:
    """Level frequencies among random pairs, smoothed so that no level has a zero u."""
    counts = [[0] * len(c.levels) for c in COMPARISONS]
    size = len(profiles)
    for _ in range(pairs):
        i, j = rng.randrange(size), rng.randrange(size)
        if i == j:
            continue
        for index, level in enumerate(compare(profiles[i], profiles[j])):
            if level != NULL:
                counts[index][level] += 1
    return [_smoothed(row) for row in counts]


def _smoothed(counts: list[int]) -> tuple[float, ...]:
    total = sum(counts) + len(counts)
    return tuple((count + 1) / total for count in counts)


def blocked_pairs(
    profiles: Sequence[PersonProfile], rule: BlockingRule, rng: random.Random
) -> Iterable[tuple[PersonProfile, PersonProfile]]:
    """Every pair of records sharing the rule's key (big groups sampled down to `MAX_GROUP`)."""
    groups: dict[str, list[PersonProfile]] = defaultdict(list)
    for profile in profiles:
        key = rule(profile)
        if key is not None:
            groups[key].append(profile)
    for key in sorted(groups):
        members = groups[key]
        if len(members) > MAX_GROUP:
            members = rng.sample(members, MAX_GROUP)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                yield a, b


def expectation_maximisation(
    patterns: Counter[Pattern], u: Sequence[tuple[float, ...]], excluded: frozenset[str]
) -> tuple[dict[str, tuple[float, ...]], float]:
    """m for every comparison not in `excluded`, and the share of matches among the pairs."""
    used = [i for i, c in enumerate(COMPARISONS) if c.name not in excluded]
    m = {i: _initial_m(len(COMPARISONS[i].levels)) for i in used}
    share = 0.3
    for _ in range(EM_ITERATIONS):
        sums = {i: [0.0] * len(m[i]) for i in used}
        matched = total = 0.0
        for pattern, count in patterns.items():
            p_match = _posterior(pattern, m, u, used, share)
            total += count
            matched += count * p_match
            for i in used:
                if pattern[i] != NULL:
                    sums[i][pattern[i]] += count * p_match
        new_m = {i: _normalised(sums[i]) for i in used}
        change = max(abs(x - y) for i in used for x, y in zip(new_m[i], m[i], strict=True))
        m, share = new_m, matched / total if total else share
        if change < EM_TOLERANCE:
            break
    return {COMPARISONS[i].name: m[i] for i in used}, share


def _posterior(
    pattern: Pattern, m: dict[int, tuple[float, ...]], u: Sequence[tuple[float, ...]],
    used: list[int], share: float,
) -> float:  # fmt: skip
    likelihood_match, likelihood_other = share, 1.0 - share
    for i in used:
        level = pattern[i]
        if level != NULL:
            likelihood_match *= m[i][level]
            likelihood_other *= u[i][level]
    return likelihood_match / (likelihood_match + likelihood_other)


def _initial_m(levels: int) -> tuple[float, ...]:
    rest = 0.1 / (levels - 1)
    return (0.9, *([rest] * (levels - 1)))


def _normalised(sums: list[float]) -> tuple[float, ...]:
    total = sum(sums)
    if total == 0:
        return _initial_m(len(sums))
    floored = [max(value / total, M_FLOOR) for value in sums]
    scale = sum(floored)
    return tuple(value / scale for value in floored)


def estimate_prior(profiles: Sequence[PersonProfile]) -> float:
    """The chance two random records are one person, from pairs sharing an NHS number."""
    numbers = Counter(p.nhs_number for p in profiles if p.nhs_number)
    holders = sum(numbers.values())
    same = sum(n * (n - 1) // 2 for n in numbers.values())
    pairs = holders * (holders - 1) // 2
    return max(same, 1) / max(pairs, 1)


def name_frequencies(
    profiles: Sequence[PersonProfile], field: str, index: int
) -> tuple[dict[str, float], float]:
    """Each name's share of the records that give one, for names of `MIN_NAME_COUNT`+ records."""
    if COMPARISONS[index].term_frequency_level is None:
        return {}, 1.0
    counts = Counter(getattr(p, field) for p in profiles if getattr(p, field))
    total = sum(counts.values()) or 1
    kept = {name: n / total for name, n in counts.items() if n >= MIN_NAME_COUNT}
    return kept, MIN_NAME_COUNT / total
