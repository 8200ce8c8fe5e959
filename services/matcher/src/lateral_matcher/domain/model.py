"""The Fellegi-Sunter match model: m- and u-probabilities per agreement level, and the prior.

A pair's match weight is log2 of the prior odds plus, for every compared field, log2(m/u) of its
agreement level, where m is the chance of that level among records of the same person and u among
records of different people. Exact name agreement is weighed by how common the name is: u becomes
the name's share of all records (Splink's term-frequency adjustment), so agreeing on a common
surname counts for less than agreeing on a rare one. The model is data (a versioned JSON document
made by `training.train_model`); this module only reads it and scores with it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from operator import getitem
from typing import Any

from .comparisons import COMPARISONS, Pattern
from .profile import PersonProfile

FORMAT = "lateral-fellegi-sunter/1"
# Name frequencies of fewer records than this are not kept in a model file (it may travel).
MIN_NAME_COUNT = 5
TF_CACHE_SIZE = 100_000  # names whose term-frequency weight a scorer remembers, per field


@dataclass(frozen=True, slots=True)
class ComparisonParameters:
    """m and u for each level of one comparison; name frequencies for its exact level."""

    m: tuple[float, ...]
    u: tuple[float, ...]
    term_frequencies: Mapping[str, float]
    # The share given to a value not in the table: the rarest share kept.
    term_frequency_floor: float


@dataclass(frozen=True, slots=True)
class MatchModel:
    version: str
    prior: float  # the chance that two records picked at random are about the same person
    parameters: Mapping[str, ComparisonParameters]
    trained_on: str  # what data, how many records: for the model card, never personal data

    def __post_init__(self) -> None:
        for comparison in COMPARISONS:
            params = self.parameters.get(comparison.name)
            if params is None:
                raise ValueError(f"model has no parameters for the {comparison.name} comparison")
            if len(params.m) != len(comparison.levels) or len(params.u) != len(comparison.levels):
                raise ValueError(f"model's {comparison.name} levels do not match the comparison")

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))


class Scorer:
    """Match weights of agreement patterns under one model, with the level weights precomputed."""

    def __init__(self, model: MatchModel) -> None:
        self.model = model
        self._prior_weight = model.prior_weight
        # Per comparison, the weight of each level shifted by one, so NULL (-1) reads 0.0.
        self._tables = [
            (0.0, *(_log2_ratio(m, u) for m, u in zip(params.m, params.u, strict=True)))
            for params in (model.parameters[c.name] for c in COMPARISONS)
        ]
        self._tf = [
            (index, c.term_frequency_level)
            for index, c in enumerate(COMPARISONS)
            if c.term_frequency_level is not None
        ]
        self._names = [c.name for c in COMPARISONS]
        self._tf_weights: list[dict[str, float]] = [{} for _ in COMPARISONS]  # value -> weight
        # Each pattern's level weights before the name adjustment (patterns are few: thousands).
        self._by_pattern: dict[Pattern, tuple[float, ...]] = {}

    def field_weights(self, pattern: Pattern, a: PersonProfile) -> tuple[float, ...]:
        """The weight of each field's level (0 for a missing field)."""
        found = self._by_pattern.get(pattern)
        if found is None:
            found = self._by_pattern[pattern] = tuple(
                map(getitem, self._tables, map(_next, pattern))
            )
        weights: list[float] | None = None
        for index, level in self._tf:
            if pattern[index] == level:
                weights = weights or list(found)
                weights[index] = self._tf_weight(index, level, a)
        return found if weights is None else tuple(weights)

    def _tf_weight(self, index: int, level: int, a: PersonProfile) -> float:
        """The exact level's weight for `a`'s value, u being the value's share of all records."""
        value = getattr(a, self._names[index])
        weights = self._tf_weights[index]
        found = weights.get(value)
        if found is None:
            params = self.model.parameters[self._names[index]]
            share = params.term_frequencies.get(value, params.term_frequency_floor)
            if len(weights) >= TF_CACHE_SIZE:
                weights.clear()
            found = weights[value] = _log2_ratio(params.m[level], share)
        return found

    def match_weight(self, field_weights: tuple[float, ...]) -> float:
        return self._prior_weight + sum(field_weights)


_next = (1).__add__  # a level's place in a weight table: NULL (-1) reads the 0.0 in front


def probability(match_weight: float) -> float:
    """The match probability of a match weight (log2 of the posterior odds)."""
    if match_weight < -500:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** (-match_weight)) if match_weight < 500 else 1.0


def _log2_ratio(m: float, u: float) -> float:
    return math.log2(m / u)


def model_to_json(model: MatchModel) -> str:
    """The model as a JSON document (stable key order, so a retrained model diffs cleanly)."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": model.version,
        "trained_on": model.trained_on,
        "prior": model.prior,
        "comparisons": {
            c.name: {
                "levels": list(c.levels),
                "m": list(model.parameters[c.name].m),
                "u": list(model.parameters[c.name].u),
                "term_frequency_floor": model.parameters[c.name].term_frequency_floor,
                "term_frequencies": dict(sorted(model.parameters[c.name].term_frequencies.items())),
            }
            for c in COMPARISONS
        },
    }
    return json.dumps(document, indent=1, sort_keys=False) + "\n"


def model_from_json(text: str) -> MatchModel:
    """Read a model document, checking it fits today's comparisons (ValueError if not)."""
    try:
        document = json.loads(text)
        if document.get("format") != FORMAT:
            raise ValueError(f"model format must be {FORMAT}")
        return _model_from_document(document)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"model document is incomplete ({type(error).__name__})") from None


def _model_from_document(document: dict[str, Any]) -> MatchModel:
    parameters = {}
    for name, entry in document["comparisons"].items():
        parameters[name] = ComparisonParameters(
            m=tuple(float(x) for x in entry["m"]),
            u=tuple(float(x) for x in entry["u"]),
            term_frequencies={str(k): float(v) for k, v in entry["term_frequencies"].items()},
            term_frequency_floor=float(entry["term_frequency_floor"]),
        )
        levels = next((c.levels for c in COMPARISONS if c.name == name), None)
        if levels is not None and tuple(entry["levels"]) != levels:
            raise ValueError(f"model's {name} levels differ from the comparison's")
    return MatchModel(
        version=str(document["version"]),
        prior=float(document["prior"]),
        parameters=parameters,
        trained_on=str(document["trained_on"]),
    )
