"""Accuracy of a clustering against the truth: pairwise and B-cubed, overall and by group.

Pairwise: a pair of records is predicted when both sit in one predicted cluster, true when both
are about one true person; precision = true predicted pairs / predicted pairs, recall = true
predicted pairs / true pairs. B-cubed (Bagga and Baldwin): for each record, the share of its
predicted cluster that is truly its person (precision) and the share of its true person's records
that are in its predicted cluster (recall), averaged over records. A group's figures count the
pairs with at least one record in the group, and the group's records for B-cubed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Scores:
    records: int
    precision: float
    recall: float
    f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    predicted_pairs: int
    true_pairs: int


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score(
    predicted: Sequence[Hashable], truth: Sequence[Hashable], in_group: Sequence[bool] | None = None
) -> Scores:
    """Scores of the predicted cluster labels against the true ones (one label per record)."""
    group = list(in_group) if in_group is not None else [True] * len(truth)
    both = Counter(zip(predicted, truth, strict=True))
    both_in = Counter(
        k for k, g in zip(zip(predicted, truth, strict=True), group, strict=True) if g
    )
    by_predicted = Counter(predicted)
    by_predicted_in = Counter(p for p, g in zip(predicted, group, strict=True) if g)
    by_truth = Counter(truth)
    by_truth_in = Counter(t for t, g in zip(truth, group, strict=True) if g)

    def touching(total: Mapping[Any, int], inside: Mapping[Any, int]) -> int:
        # Pairs with at least one record in the group: all pairs less those wholly outside it.
        return sum(_pairs(n) - _pairs(n - inside.get(k, 0)) for k, n in total.items())

    correct = touching(both, both_in)
    predicted_pairs = touching(by_predicted, by_predicted_in)
    true_pairs = touching(by_truth, by_truth_in)
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    members = [i for i, g in enumerate(group) if g]
    b_precision = sum(both[(predicted[i], truth[i])] / by_predicted[predicted[i]] for i in members)
    b_recall = sum(both[(predicted[i], truth[i])] / by_truth[truth[i]] for i in members)
    count = len(members) or 1
    bp, br = b_precision / count, b_recall / count
    return Scores(
        len(members), precision, recall, _f1(precision, recall), bp, br, _f1(bp, br),
        predicted_pairs, true_pairs,
    )  # fmt: skip


def blocking_recall(truth: Sequence[Hashable], keys: Sequence[Sequence[str]]) -> float:
    """The share of true pairs of records that share at least one blocking key."""
    by_person: dict[Hashable, list[frozenset[str]]] = {}
    for person, record_keys in zip(truth, keys, strict=True):
        by_person.setdefault(person, []).append(frozenset(record_keys))
    found = total = 0
    for members in by_person.values():
        total += _pairs(len(members))
        for i, one in enumerate(members):
            found += sum(1 for other in members[i + 1 :] if not one.isdisjoint(other))
    return found / total if total else 1.0


def grouped(
    predicted: Sequence[Hashable], truth: Sequence[Hashable], groups: Sequence[str]
) -> dict[str, Scores]:
    """Scores for each group of records (e.g. agency kind, age band)."""
    return {
        name: score(predicted, truth, [g == name for g in groups]) for name in sorted(set(groups))
    }


def age_band(date_of_birth: str | None, event_date: str) -> str:
    """child (under 18), adult (18-64) or older (65+) at the event; unknown without a year."""
    if not date_of_birth:
        return "unknown age"
    age = int(event_date[:4]) - int(date_of_birth[:4])
    if len(date_of_birth) >= 7 and event_date[5:] < date_of_birth[5:].ljust(5, "0"):
        age -= 1
    return "child" if age < 18 else "older" if age >= 65 else "adult"
