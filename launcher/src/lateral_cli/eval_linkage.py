"""`lateral eval-linkage FILE`: Lateral's resolver measured against the truth, and against Splink.

Reads partner-layout rows with a true person ID column (`linkage_input`), cleanses them as the
pipeline does, sends them ONE AT A TIME (in event-date order) through the resolver with an
in-memory store (`linkage_run`), runs Splink on the same cleansed records (`linkage_splink`),
and prints pairwise and B-cubed precision, recall and F1, blocking recall, review items,
throughput and wall time side by side, then accuracy by agency kind and by age band. Only
records about a person (a true person ID) are scored; address-only records are counted.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from lateral_matcher.domain.model import model_from_json
from lateral_matcher.domain.profile import person_profile
from lateral_matcher.domain.resolution import DEPLOYED_THRESHOLDS, Resolver, Thresholds
from lateral_matcher.domain.shipped import load_shipped_model
from lateral_shared.contracts.records import AgencyKind, CleanRecord

from .linkage_input import (
    DEFAULT_TRUTH_COLUMN,
    LinkageFileError,
    TruthRecord,
    read_linkage_input,
)
from .linkage_metrics import Scores, age_band, blocking_recall, grouped, score
from .linkage_run import run_incremental
from .linkage_splink import SplinkMissing, run_splink


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="partner-layout CSV with truth, or a synth folder")
    parser.add_argument("--truth-column", default=DEFAULT_TRUTH_COLUMN)
    parser.add_argument(
        "--agency-kind", type=AgencyKind, default=None, help="for a file without agency_kind"
    )
    parser.add_argument("--model", type=Path, default=None, help="model JSON (default: shipped)")
    parser.add_argument("--no-splink", action="store_true", help="skip the Splink comparison")


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What one run measured (the command prints it; tests read it)."""

    lateral: Scores
    blocking_recall: float
    review_items: int
    records_per_second: float
    records_per_cpu_second: float  # steadier than wall time on a busy machine (both processes)
    wall_seconds: float
    memory_growth: int | None  # what the in-memory store and the resolver's caches took
    by_kind: dict[str, Scores]
    by_age: dict[str, Scores]
    address_only: int
    splink: Scores | None
    splink_seconds: float | None


def evaluate(
    path: Path, *, truth_column: str = DEFAULT_TRUTH_COLUMN, agency_kind: AgencyKind | None = None,
    resolver: Resolver | None = None, with_splink: bool = True,
) -> Evaluation:  # fmt: skip
    """Read, cleanse, resolve one at a time, score; and the same through Splink."""
    data = read_linkage_input(path, truth_column=truth_column, agency_kind=agency_kind)
    records = sorted(data.records, key=lambda r: (r.record.event_date, r.record.record_key))
    resolver = resolver or Resolver(load_shipped_model(), DEPLOYED_THRESHOLDS)
    run = run_incremental(resolver, [r.record for r in records])
    scored = [i for i, r in enumerate(records) if r.true_person_id is not None]
    truth = [records[i].true_person_id for i in scored]
    predicted = [run.person_of[i] or f"record:{i}" for i in scored]
    kinds = [records[i].record.agency_kind.value for i in scored]
    ages = [_age(records[i].record) for i in scored]
    splink = _splink(records, scored, resolver.thresholds) if with_splink else None
    return Evaluation(
        lateral=score(predicted, truth),
        blocking_recall=blocking_recall(truth, [run.keys[i] for i in scored]),
        review_items=run.review_items,
        records_per_second=len(records) / run.seconds if run.seconds else 0.0,
        records_per_cpu_second=len(records) / run.cpu_seconds if run.cpu_seconds else 0.0,
        wall_seconds=run.seconds,
        memory_growth=run.memory_growth,
        by_kind=grouped(predicted, truth, kinds),
        by_age=grouped(predicted, truth, ages),
        address_only=len(records) - len(scored),
        splink=score(splink[0], truth) if splink else None,
        splink_seconds=splink[1] if splink else None,
    )


def _age(record: CleanRecord) -> str:
    dob = record.person.date_of_birth if record.person is not None else None
    return age_band(dob, record.event_date.isoformat())


def _splink(
    records: Sequence[TruthRecord], scored: list[int], thresholds: Thresholds
) -> tuple[list[str], float]:
    """Splink's cluster of each scored record (a record without person details is alone)."""
    profiles = [person_profile(records[i].record) for i in scored]
    present = [p for p in profiles if p is not None]
    result = run_splink(present, link_threshold=thresholds.link)
    clusters = iter(result.cluster_of)
    labels = [next(clusters) if p is not None else f"record:{i}" for i, p in enumerate(profiles)]
    return labels, result.seconds


WALL_TIME_NOTE = (
    "  wall time: Lateral's from cleansed records to persons (profiles, blocking keys, candidates,",
    "  comparisons, rules, explanations), one record at a time in event-date order; from 200,000",
    "  records, a second process works out keys, candidates and comparisons ahead (CPU-s counts",
    "  both); its model was trained beforehand (`lateral train-linkage-model`), not timed here.",
    "  Splink's from the records' comparison forms (Lateral's profiles, made before its clock",
    "  starts) through its columns, DuckDB, its own training and predictions to clusters.",
)


def _row(name: str, ours: str, theirs: str = "") -> str:
    return f"  {name:<22}{ours:>14}{theirs:>14}"


def report(result: Evaluation, out: TextIO | None = None) -> None:
    """The figures, side by side with Splink's, then by agency kind and age band."""
    lines = [_row("", "Lateral", "Splink" if result.splink else "")]
    ours, theirs = result.lateral, result.splink
    for label, attribute in (
        ("pairwise precision", "precision"), ("pairwise recall", "recall"), ("pairwise F1", "f1"),
        ("B-cubed precision", "bcubed_precision"), ("B-cubed recall", "bcubed_recall"),
        ("B-cubed F1", "bcubed_f1"),
    ):  # fmt: skip
        mine = f"{getattr(ours, attribute):.5f}"
        lines.append(_row(label, mine, f"{getattr(theirs, attribute):.5f}" if theirs else ""))
    lines.append(_row("predicted pairs", f"{ours.predicted_pairs:,}",
                      f"{theirs.predicted_pairs:,}" if theirs else ""))  # fmt: skip
    lines.append(_row("true pairs", f"{ours.true_pairs:,}"))
    lines.append(_row("blocking recall", f"{result.blocking_recall:.5f}"))
    lines.append(_row("review items", f"{result.review_items:,}"))
    lines.append(_row("records/s", f"{result.records_per_second:,.0f}"))
    lines.append(_row("records/CPU-s", f"{result.records_per_cpu_second:,.0f}"))
    splink_time = f"{result.splink_seconds:.1f} s" if result.splink_seconds is not None else ""
    lines.append(_row("wall time", f"{result.wall_seconds:.1f} s", splink_time))
    if result.memory_growth is not None:
        lines.append(_row("store memory", f"{result.memory_growth / 2**20:,.0f} MiB"))
    lines.append(f"  scored {ours.records:,} records about people; {result.address_only:,} "
                 "address-only records not scored")  # fmt: skip
    lines.extend(WALL_TIME_NOTE)
    for title, groups in (("agency kind", result.by_kind), ("age band", result.by_age)):
        lines.append(f"\nBy {title} (pairs with a record in the group):")
        lines.append(f"  {'':<24}{'records':>9}{'precision':>11}{'recall':>9}{'F1':>9}")
        for name, s in groups.items():
            lines.append(f"  {name:<24}{s.records:>9,}{s.precision:>11.5f}{s.recall:>9.5f}"
                         f"{s.f1:>9.5f}")  # fmt: skip
    print("\n".join(lines), file=out or sys.stdout)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        resolver = None
        if args.model is not None:
            model = model_from_json(args.model.read_text(encoding="utf-8"))
            resolver = Resolver(model, DEPLOYED_THRESHOLDS)
        result = evaluate(
            args.file, truth_column=args.truth_column, agency_kind=args.agency_kind,
            resolver=resolver, with_splink=not args.no_splink,
        )  # fmt: skip
    except (LinkageFileError, SplinkMissing) as error:
        print(error, file=sys.stderr)
        return 1
    report(result)
    print(f"\n(total, including reading and cleansing: {time.perf_counter() - started:.1f} s)")
    return 0
