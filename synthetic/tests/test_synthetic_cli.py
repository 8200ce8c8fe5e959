"""`python -m lateral_synthetic` / `lateral synth`: the files a region is written to."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lateral_shared.contracts.records import PartnerRecord

BIN = Path(sys.executable).parent
TODAY = "2025-06-01"
# The published layouts (issue 3 and REFERENCE.md), written out here rather than imported.
FEED_HEADER = [
    "action", "source_record_id", "event_type", "event_date", "status", "end_date", "category",
    "attend_code", "forename", "middle_names", "surname", "other_names", "date_of_birth", "gender",
    "nhs_number", "person_ref", "address_line_1", "address_line_2", "address_line_3",
    "address_line_4", "postcode", "uprn", "lead_professional_name", "lead_professional_team",
    "lead_professional_phone", "lead_professional_email",
]  # fmt: skip
GAZETTEER_HEADER = ["uprn", "parent_uprn", "sao", "pao", "street", "locality", "town",
                    "postcode", "x", "y"]  # fmt: skip
TRUTH_HEADER = ["feed_id", "source_record_id", "true_person_id", "true_uprn"]


def _synth(out: Path, *, seed: int) -> None:
    subprocess.run(
        [sys.executable, "-m", "lateral_synthetic", "--size", "demo", "--seed", str(seed),
         "--out", str(out), "--today", TODAY],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    _synth(out, seed=7)
    return out


def test_the_same_seed_writes_byte_identical_files_and_another_seed_others(
    demo: Path, tmp_path: Path
) -> None:
    _synth(tmp_path / "again", seed=7)
    _synth(tmp_path / "other", seed=8)

    first = _files(demo)
    assert _files(tmp_path / "again") == first
    other = _files(tmp_path / "other")
    assert other.keys() == first.keys()
    assert other["gazetteer.csv"] != first["gazetteer.csv"]
    assert other["truth.csv"] != first["truth.csv"]


def test_lateral_synth_writes_the_same_files_as_the_module(demo: Path, tmp_path: Path) -> None:
    subprocess.run(
        [BIN / "lateral", "synth", "--size", "demo", "--seed", "7", "--out", tmp_path,
         "--today", TODAY],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip

    assert _files(tmp_path) == _files(demo)


def test_every_file_has_its_published_header(demo: Path) -> None:
    manifest = json.loads((demo / "manifest.json").read_text())

    assert _rows(demo / "gazetteer.csv")[0] == GAZETTEER_HEADER
    assert _rows(demo / "truth.csv")[0] == TRUTH_HEADER
    assert len(manifest["feeds"]) >= 5
    for feed_id in manifest["feeds"]:
        rows = _rows(demo / "feeds" / f"{feed_id}.csv")
        assert rows[0] == FEED_HEADER
        assert all(len(row) == len(FEED_HEADER) for row in rows)


def test_the_manifest_counts_what_the_files_hold(demo: Path) -> None:
    manifest = json.loads((demo / "manifest.json").read_text())
    truth = _rows(demo / "truth.csv")[1:]
    per_feed = {f: len(_rows(demo / "feeds" / f"{f}.csv")) - 1 for f in manifest["feeds"]}

    assert manifest["seed"] == 7 and manifest["size"] == "demo"
    assert 4_000 <= manifest["records"] <= 6_500  # "demo (~5,000 records)"
    assert sum(per_feed.values()) == len(truth) == manifest["records"]
    assert all(manifest["feeds"][f]["records"] == n for f, n in per_feed.items())
    assert manifest["addresses"] == len(_rows(demo / "gazetteer.csv")) - 1
    assert manifest["people_with_records"] == len({row[2] for row in truth if row[2]})
    assert set(manifest["records_by_kind"]) == {
        "childrens_social_care", "adult_social_care", "health", "police", "fire"}  # fmt: skip
    assert manifest["households"] < manifest["people"]


def test_the_json_batches_hold_the_same_records_as_the_csv_files(demo: Path) -> None:
    manifest = json.loads((demo / "manifest.json").read_text())
    for feed_id, feed in manifest["feeds"].items():
        body = json.loads((demo / "feeds" / f"{feed_id}.json").read_text())
        rows = _rows(demo / "feeds" / f"{feed_id}.csv")
        records = [PartnerRecord.model_validate(r) for r in body["records"]]

        assert [r.source_record_id for r in records] == [row[1] for row in rows[1:]]
        assert all(r.agency_kind.value == feed["agency_kind"] for r in records)
        by_id = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
        for record in records[:200]:
            cells = by_id[record.source_record_id]
            assert record.event_date.isoformat() == cells["event_date"]
            assert (record.address.postcode if record.address else "") == cells["postcode"] or (
                record.address is not None and record.address.postcode is None
                and cells["postcode"] == "")  # fmt: skip
            if record.person is not None:
                assert (record.person.nhs_number or "") == cells["nhs_number"]
                assert ";".join(record.person.other_names) == cells["other_names"]


def test_only_the_demo_size_writes_json_batches(tmp_path: Path) -> None:
    from lateral_synthetic.__main__ import main

    assert main(["--size", "test", "--seed", "1", "--out", str(tmp_path), "--today", TODAY]) == 0
    assert list((tmp_path / "feeds").glob("*.json")) == []
    assert len(list((tmp_path / "feeds").glob("*.csv"))) >= 5
