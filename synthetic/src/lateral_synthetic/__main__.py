"""Write the synthetic demo data set as partner batch files.

    python -m lateral_synthetic --seed 7 --records 3000 --out DIR [--today YYYY-MM-DD]

writes DIR/<feed_id>.json ({"records": [...]}, the body `POST /v1/feeds/{feed_id}/records`
takes) for each feed, and DIR/truth.json (record key → synthetic person key).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from .dataset import generate_demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m lateral_synthetic",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    parser.add_argument("--records", type=int, default=3000, help="number of records in all")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the files to")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="reference date, YYYY-MM-DD (default: today); events fall in the 12 months up to it",
    )
    args = parser.parse_args(argv)
    if args.records < 0:
        parser.error("--records must be zero or more")
    dataset = generate_demo(seed=args.seed, records=args.records, today=args.today)
    args.out.mkdir(parents=True, exist_ok=True)
    for feed in dataset.feeds:
        records = dataset.records_by_feed[feed.feed_id]
        body = {"records": [r.model_dump(mode="json", exclude_none=True) for r in records]}
        (args.out / f"{feed.feed_id}.json").write_text(json.dumps(body, indent=1) + "\n")
    (args.out / "truth.json").write_text(json.dumps(dataset.truth, indent=1, sort_keys=True) + "\n")
    print(
        f"wrote {dataset.record_count} synthetic records in {len(dataset.feeds)} feed files "
        f"and truth.json to {args.out}"
    )


if __name__ == "__main__":
    main()
