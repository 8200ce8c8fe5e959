"""`lateral train-linkage-model FILE --out M.json`: a match model from a partnership's own data.

Unsupervised (no truth is read): u from random pairs, m by expectation maximisation over blocked
pairs, the prior from pairs sharing an NHS number, name frequencies for the term-frequency
adjustment (see `lateral_matcher.domain.training`). FILE is a partner-layout CSV with an
`agency_kind` column, or a `lateral synth` folder.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lateral_matcher.domain.model import model_to_json
from lateral_matcher.domain.profile import person_profile
from lateral_matcher.domain.training import train_model

from .linkage_input import LinkageFileError, read_linkage_input


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="partner-layout CSV, or a `lateral synth` folder")
    parser.add_argument("--out", type=Path, required=True, help="where to write the model JSON")
    parser.add_argument("--version", default=None, help="model version (default: from --out)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random pair sampling")
    parser.add_argument("--u-pairs", type=int, default=1_000_000, help="random pairs for u")


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        data = read_linkage_input(args.file, truth_column=None)
    except LinkageFileError as error:
        print(error, file=sys.stderr)
        return 1
    profiles = [p for r in data.records if (p := person_profile(r.record)) is not None]
    if len(profiles) < 2:
        print("The file has fewer than two records with person details.", file=sys.stderr)
        return 1
    version = args.version or f"fs-{args.out.stem}"
    trained_on = f"{len(profiles)} records with person details"
    model = train_model(
        profiles, version=version, trained_on=trained_on, seed=args.seed, u_pairs=args.u_pairs
    )
    args.out.write_text(model_to_json(model), encoding="utf-8")
    elapsed = time.perf_counter() - started
    print(f"trained {version} on {len(profiles):,} records in {elapsed:.1f} s -> {args.out}")
    return 0
