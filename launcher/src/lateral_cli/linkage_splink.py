"""The same records through Splink (DuckDB backend), as the benchmark to beat.

A sensible Splink model for these fields, trained by Splink itself (no truth): forename and
surname (Splink's NameComparison: exact with term frequencies, Jaro-Winkler 0.92/0.88/0.7), date
of birth (DateOfBirthComparison), gender, address (same UPRN, postcode, postcode sector), NHS
number and the
partner's person ID within one feed; the prior from a deterministic NHS-number rule;
u by random sampling; m by EM blocked on date of birth, then on postcode. Predictions are blocked
on the same keys as Lateral's resolver and clustered (connected components) at the same link
threshold.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jellyfish import soundex

from lateral_matcher.domain.profile import PersonProfile

U_PAIRS = 5_000_000


class SplinkMissing(RuntimeError):
    """Splink (or DuckDB) is not installed."""


@dataclass(frozen=True, slots=True)
class SplinkResult:
    cluster_of: list[str]  # a cluster label for each profile, in input order
    seconds: float
    version: str


def _columns(profiles: Sequence[PersonProfile]) -> dict[str, list[Any]]:
    def full_dob(p: PersonProfile) -> str | None:
        return p.date_of_birth if p.full_dob else None

    return {
        "unique_id": list(range(len(profiles))),
        "first_name": [p.forename for p in profiles],
        "surname": [p.surname for p in profiles],
        "surname_sx": [soundex(p.surname) if p.surname else None for p in profiles],
        "dob": [full_dob(p) for p in profiles],
        "birth_year": [p.date_of_birth[:4] if p.date_of_birth else None for p in profiles],
        "gender": [p.gender for p in profiles],
        "postcode": [p.postcode for p in profiles],
        "uprn": [p.uprn for p in profiles],
        "sector": [p.sector for p in profiles],
        "nhs_number": [p.nhs_number for p in profiles],
        "feed_id": [p.feed_id for p in profiles],
        "person_ref": [p.person_ref for p in profiles],
        "initial": [p.forename[0] if p.forename else None for p in profiles],
    }


def _settings(link_threshold: float) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    feed_person = cl.CustomComparison(
        comparison_levels=[
            cll.CustomLevel(
                "person_ref_l IS NULL OR person_ref_r IS NULL OR feed_id_l <> feed_id_r"
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("person_ref"),
            cll.ElseLevel(),
        ],
        output_column_name="feed_person_id",
    )
    address = cl.CustomComparison(
        comparison_levels=[
            cll.CustomLevel(
                "(uprn_l IS NULL OR uprn_r IS NULL) AND (postcode_l IS NULL OR postcode_r IS NULL)"
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("uprn"),
            cll.ExactMatchLevel("postcode"),
            cll.ExactMatchLevel("sector"),
            cll.ElseLevel(),
        ],
        output_column_name="address",
    )
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("gender"),
            address,
            cl.ExactMatch("nhs_number"),
            feed_person,
        ],
        blocking_rules_to_generate_predictions=[
            block_on("nhs_number"),
            block_on("feed_id", "person_ref"),
            block_on("dob"),
            block_on("surname_sx", "birth_year"),
            block_on("uprn"),
            block_on("postcode", "initial"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def run_splink(profiles: Sequence[PersonProfile], *, link_threshold: float) -> SplinkResult:
    """Splink's clusters of the profiles at `link_threshold`, and the wall time it took."""
    try:
        import duckdb
        import splink
        from splink import DuckDBAPI, Linker, block_on
    except ImportError:
        raise SplinkMissing(
            "Splink is not installed: run `make install` (it is in the dev dependencies) "
            "or `pip install splink`."
        ) from None
    for name in ("splink", "duckdb"):
        logging.getLogger(name).setLevel(logging.ERROR)
    started = time.perf_counter()
    import pyarrow as pa

    db_api = DuckDBAPI(duckdb.connect())
    table = db_api.register(pa.table(_columns(profiles)), table_name="records")
    linker = Linker(table, _settings(link_threshold), log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nhs_number")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    predictions = linker.inference.predict(threshold_match_probability=link_threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=link_threshold
    )
    rows = clusters.as_dict()
    cluster_of = [""] * len(profiles)
    for unique_id, cluster_id in zip(rows["unique_id"], rows["cluster_id"], strict=True):
        cluster_of[int(unique_id)] = str(cluster_id)
    return SplinkResult(cluster_of, time.perf_counter() - started, splink.__version__)
