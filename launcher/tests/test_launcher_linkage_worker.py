"""`lateral eval-linkage` with its second process: the same persons as linking in one process."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lateral_cli.linkage_input import read_linkage_input
from lateral_cli.linkage_prepare import can_fork
from lateral_cli.linkage_run import run_incremental
from lateral_matcher.domain.profile import clear_profiles
from lateral_matcher.domain.resolution import default_resolver
from lateral_shared.contracts.records import CleanRecord
from lateral_synthetic.output import write_region
from lateral_synthetic.region import generate_region

pytestmark = pytest.mark.skipif(not can_fork(), reason="the worker is forked (Linux)")


@pytest.fixture(scope="module")
def demo_records(tmp_path_factory: pytest.TempPathFactory) -> list[CleanRecord]:
    """A synthetic demo region (~5,000 records), cleansed, in event-date order."""
    folder: Path = tmp_path_factory.mktemp("demo")
    region = generate_region(size="demo", seed=11, today=date(2026, 11, 21))
    write_region(region, folder, size="demo", json_batches=False)
    records = [t.record for t in read_linkage_input(folder).records]
    return sorted(records, key=lambda r: (r.event_date, r.record_key))


def test_the_worker_links_every_record_to_the_same_person(demo_records: list[CleanRecord]) -> None:
    clear_profiles()
    alone = run_incremental(default_resolver(), demo_records, in_worker=False)
    clear_profiles()
    paired = run_incremental(default_resolver(), demo_records, in_worker=True)
    assert paired.person_of == alone.person_of
    assert paired.outcomes == alone.outcomes
    assert (paired.review_items, paired.merges) == (alone.review_items, alone.merges)
    assert paired.keys == alone.keys
    # The run links as well as merges: most records about a person join someone else's.
    assert len(set(paired.person_of)) < len(demo_records) / 2


def test_a_failing_worker_stops_the_run_with_a_clear_error(
    demo_records: list[CleanRecord],
) -> None:
    broken = [*demo_records[:300], None]  # not a record: the worker fails on it
    with pytest.raises(RuntimeError, match="the linkage worker failed: AttributeError"):
        run_incremental(default_resolver(), broken, in_worker=True)  # type: ignore[list-item]
