"""Writes a synthetic region to a folder, streaming: one district in memory at a time.

DIR/gazetteer.csv          the address gazetteer (BS7666 layout)
DIR/feeds/<feed_id>.csv    each partner feed in the published CSV layout
DIR/feeds/<feed_id>.json   the same as a JSON batch ({"records": [...]}), when asked
DIR/truth.csv              the true person and UPRN of every record
DIR/manifest.json          seed, size and counts
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .feeds import CSV_COLUMNS
from .gazetteer import GAZETTEER_COLUMNS
from .region import TRUTH_COLUMNS, District, SyntheticRegion


def _writer(stack: ExitStack, path: Path, header: tuple[str, ...]) -> Any:
    handle = stack.enter_context(path.open("w", newline="", encoding="utf-8"))
    writer = csv.writer(handle)
    writer.writerow(header)
    return writer


class _Tally:
    """The manifest's counts, added up district by district."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.by_feed: dict[str, Counter[str]] = {}

    def add(self, district: District) -> None:
        self.counts.update(
            people=len(district.people), households=len(district.households),
            addresses=len(district.properties), records=len(district.records),
            people_with_records=len({r.true_person_id for r in district.records} - {None}),
            address_only_records=sum(r.true_person_id is None for r in district.records),
        )  # fmt: skip
        for record in district.records:
            self.by_feed.setdefault(record.feed.feed_id, Counter())[record.cells["event_type"]] += 1

    def manifest(self, region: SyntheticRegion, size: str) -> dict[str, Any]:
        kinds: Counter[str] = Counter()
        feeds = {}
        for feed in region.feeds:
            event_types = self.by_feed.get(feed.feed_id, Counter())
            kinds[feed.agency_kind.value] += sum(event_types.values())
            feeds[feed.feed_id] = {
                "partner_id": feed.partner_id, "agency_kind": feed.agency_kind.value,
                "records": sum(event_types.values()),
                "event_types": dict(sorted(event_types.items())),
            }  # fmt: skip
        return {
            "seed": region.seed, "size": size, "today": region.today.isoformat(),
            **dict(sorted(self.counts.items())), "records_by_kind": dict(sorted(kinds.items())),
            "feeds": feeds,
        }  # fmt: skip


def write_region(
    region: SyntheticRegion, out: Path, *, size: str, json_batches: bool
) -> dict[str, Any]:
    """Write every file of `region` under `out`; return the manifest (also written)."""
    (out / "feeds").mkdir(parents=True, exist_ok=True)
    tally = _Tally()
    batches: dict[str, list[dict[str, Any]]] = {feed.feed_id: [] for feed in region.feeds}
    with ExitStack() as stack:
        gazetteer = _writer(stack, out / "gazetteer.csv", GAZETTEER_COLUMNS)
        truth = _writer(stack, out / "truth.csv", TRUTH_COLUMNS)
        feeds = {f.feed_id: _writer(stack, out / "feeds" / f"{f.feed_id}.csv", CSV_COLUMNS)
                 for f in region.feeds}  # fmt: skip
        for district in region.districts():
            gazetteer.writerows(p.row() for p in district.properties)
            for record in district.records:
                feeds[record.feed.feed_id].writerow(record.csv_row())
                truth.writerow(record.truth_row())
                if json_batches:
                    batches[record.feed.feed_id].append(record.json_record())
            tally.add(district)
    if json_batches:
        for feed_id, records in batches.items():
            text = json.dumps({"records": records}, indent=1, ensure_ascii=False)
            (out / "feeds" / f"{feed_id}.json").write_text(text + "\n", encoding="utf-8")
    manifest = tally.manifest(region, size)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
