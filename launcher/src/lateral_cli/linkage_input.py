"""Reading a linkage evaluation file: partner-CSV-layout rows with a true person ID column.

Accepted inputs:
- one CSV file in the published partner CSV layout (docs/data-schema.md) with a truth column
  (`true_person_id` unless told otherwise) and, because a partner file's agency kind is its
  feed's, an `agency_kind` column or `--agency-kind`; optional `feed_id` and `partner_id` columns
  (default: one feed, `eval`). Columns outside the layout are ignored;
- a folder written by `lateral synth` (feeds/*.csv, truth.csv, manifest.json, gazetteer.csv).

Each row is checked by the ingest-gateway's rules and cleansed by the cleanser's pure functions,
as in the pipeline; rejected rows and withdrawals are counted and left out.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lateral_cleanser.domain import Gazetteer, cleanse_record
from lateral_ingest_gateway.domain.validation import validate_csv_row
from lateral_shared.contracts.records import AgencyKind, CleanRecord

DEFAULT_TRUTH_COLUMN = "true_person_id"


class LinkageFileError(ValueError):
    """The evaluation input cannot be used; the message names the problem (never a value)."""


@dataclass(frozen=True, slots=True)
class TruthRecord:
    record: CleanRecord
    true_person_id: str | None  # None: an address-only record (or no truth given)


@dataclass
class LinkageInput:
    records: list[TruthRecord] = field(default_factory=list)
    rejected: int = 0  # rows the gateway would have rejected
    withdrawals: int = 0


@dataclass(frozen=True, slots=True)
class _Row:
    feed_id: str
    partner_id: str
    agency_kind: AgencyKind
    cells: dict[str, str]
    truth: str | None


def read_linkage_input(
    path: Path, *, truth_column: str | None = DEFAULT_TRUTH_COLUMN,
    agency_kind: AgencyKind | None = None, today: date | None = None,
    gazetteer: Gazetteer | None = None,
) -> LinkageInput:  # fmt: skip
    """The cleansed records of `path` (a CSV file or a `lateral synth` folder) with their truth."""
    if path.is_dir():
        rows = _synth_rows(path)
        gazetteer = gazetteer or _synth_gazetteer(path)
        today = today or _synth_today(path)
    else:
        rows = _csv_rows(path, truth_column, agency_kind)
    today = today or date.today()
    result = LinkageInput()
    for number, row in enumerate(rows, start=2):
        outcome = validate_csv_row(row.cells, agency_kind=row.agency_kind, row=number, today=today)
        if outcome.action == "withdraw":
            result.withdrawals += 1
        elif outcome.record is None:
            result.rejected += 1
        else:
            clean = cleanse_record(
                outcome.record, partner_id=row.partner_id, feed_id=row.feed_id, today=today,
                gazetteer=gazetteer,
            )  # fmt: skip
            result.records.append(TruthRecord(clean, row.truth or None))
    return result


def _csv_rows(
    path: Path, truth_column: str | None, agency_kind: AgencyKind | None
) -> Iterator[_Row]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            header = [name.strip().lower() for name in reader.fieldnames or []]
            if truth_column is not None and truth_column not in header:
                raise LinkageFileError(
                    f"The file has no {truth_column} column: add the true person ID column "
                    "or name it with --truth-column."
                )
            if "agency_kind" not in header and agency_kind is None:
                raise LinkageFileError(
                    "The file has no agency_kind column: add one or give --agency-kind."
                )
            for raw in reader:
                cells = {k.strip().lower(): (v or "") for k, v in raw.items() if k}
                yield _row_from_cells(cells, truth_column, agency_kind)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LinkageFileError(
            f"The file cannot be read ({type(error).__name__}); give a UTF-8 CSV file."
        ) from None


def _row_from_cells(
    cells: dict[str, str], truth_column: str | None, agency_kind: AgencyKind | None
) -> _Row:
    kind_text = cells.pop("agency_kind", "").strip()
    try:
        kind = AgencyKind(kind_text) if kind_text else agency_kind
    except ValueError:
        raise LinkageFileError(
            f"An agency_kind is not one of {', '.join(k.value for k in AgencyKind)}."
        ) from None
    if kind is None:
        raise LinkageFileError("A row has a blank agency_kind and no --agency-kind was given.")
    feed_id = cells.pop("feed_id", "").strip() or "eval"
    partner_id = cells.pop("partner_id", "").strip() or feed_id
    truth = cells.pop(truth_column, "").strip() or None if truth_column else None
    return _Row(feed_id, partner_id, kind, cells, truth)


def _synth_rows(folder: Path) -> Iterator[_Row]:
    """The rows of every feed of a `lateral synth` folder, with truth.csv's person IDs."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        with (folder / "truth.csv").open(newline="", encoding="utf-8") as file:
            truth = {
                (r["feed_id"], r["source_record_id"]): r["true_person_id"]
                for r in csv.DictReader(file)
            }
    except (OSError, ValueError, KeyError) as error:
        raise LinkageFileError(
            f"The folder is not a `lateral synth` output ({type(error).__name__}): it needs "
            "manifest.json and truth.csv."
        ) from None
    for feed_id, feed in sorted(manifest["feeds"].items()):
        kind = AgencyKind(feed["agency_kind"])
        with (folder / "feeds" / f"{feed_id}.csv").open(newline="", encoding="utf-8") as file:
            for cells in csv.DictReader(file):
                person = truth.get((feed_id, cells["source_record_id"]))
                yield _Row(feed_id, feed["partner_id"], kind, dict(cells), person)


def _synth_today(folder: Path) -> date | None:
    """The day the synthetic data was made as of: its dates of birth are valid on that day."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return date.fromisoformat(manifest["today"])
    except (OSError, ValueError, KeyError):
        return None


def _synth_gazetteer(folder: Path) -> Gazetteer | None:
    from lateral_cleanser.adapters.gazetteer_csv import load_gazetteer

    path = folder / "gazetteer.csv"
    return load_gazetteer(path) if path.exists() else None
