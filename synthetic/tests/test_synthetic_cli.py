"""`python -m lateral_synthetic`: one partner batch file per feed, plus truth.json."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from lateral_shared.contracts import PartnerRecord
from lateral_synthetic import generate_demo


def test_the_command_writes_a_batch_file_per_feed_and_the_truth(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    done = subprocess.run(
        [sys.executable, "-m", "lateral_synthetic", "--seed", "5", "--records", "250",
         "--out", str(out), "--today", "2025-06-01"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    expected = generate_demo(seed=5, records=250, today=date(2025, 6, 1))

    assert "250" in done.stdout
    for feed in expected.feeds:
        body = json.loads((out / f"{feed.feed_id}.json").read_text())
        records = [PartnerRecord.model_validate(r) for r in body["records"]]
        assert records == expected.records_by_feed[feed.feed_id]
    assert json.loads((out / "truth.json").read_text()) == expected.truth
