"""Write a synthetic region to a folder: gazetteer, partner feeds, truth and manifest.

    python -m lateral_synthetic --size demo|test|region|nation --seed N --out DIR [--today DATE]
    (also `lateral synth ...`)

writes DIR/gazetteer.csv (BS7666 layout), DIR/feeds/<feed_id>.csv (the published CSV layout; the
demo size also DIR/feeds/<feed_id>.json, the JSON batch body), DIR/truth.csv (the true person and
UPRN of every record) and DIR/manifest.json (seed, size, counts). Same seed, same bytes.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from .output import write_region
from .rates import SIZES
from .region import generate_region


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options (shared with `lateral synth`)."""
    parser.add_argument(
        "--size",
        choices=list(SIZES),
        default="demo",
        help="demo ~5,000 records, test ~50,000, region ~600,000, nation ~5,000,000",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same files)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the files to")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="reference date, YYYY-MM-DD (default: today); events fall in the 12 months up to it",
    )


def run(args: argparse.Namespace) -> int:
    """Generate and write the region the parsed options ask for."""
    started = time.perf_counter()
    out = args.out
    region = generate_region(size=args.size, seed=args.seed, today=args.today)
    manifest = write_region(region, out, size=args.size, json_batches=args.size == "demo")
    print(
        f"wrote {manifest['records']:,} records in {len(manifest['feeds'])} feeds about "
        f"{manifest['people_with_records']:,} of {manifest['people']:,} synthetic people, and "
        f"{manifest['addresses']:,} addresses, to {out} in {time.perf_counter() - started:.1f} s"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lateral_synthetic",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
