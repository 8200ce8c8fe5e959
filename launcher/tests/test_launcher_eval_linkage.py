"""`lateral eval-linkage` on a small hand-made file whose right answer is worked out by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lateral_cli.eval_linkage import evaluate
from lateral_cli.linkage_input import LinkageFileError
from lateral_cli.linkage_metrics import age_band, score
from lateral_cli.main import main
from lateral_matcher.domain.model import model_from_json
from lateral_shared.contracts.schema import CSV_COLUMNS

HOME = {"address_line_1": "12 Heath Road", "postcode": "NX1 2AB", "uprn": "900000000123"}
ALICE = {"forename": "Alice", "surname": "Ashworth", "date_of_birth": "2012-03-04",
         "gender": "F"}  # fmt: skip
ROWS = [
    # Alice: linked by NHS number (trust -> csc), then by name, birth date and home (police).
    {"feed_id": "trust", "agency_kind": "health", "source_record_id": "T1",
     "event_type": "emergency_attendance", "event_date": "2025-01-01", "status": "closed",
     "end_date": "2025-01-01", **ALICE, "nhs_number": "9434765919", **HOME, "true": "alice"},
    {"feed_id": "csc", "agency_kind": "childrens_social_care", "source_record_id": "C1",
     "event_type": "child_in_need", "event_date": "2025-01-02", "status": "open", **ALICE,
     "nhs_number": "943 476 5919", "person_ref": "C1", **HOME, "true": "alice"},
    {"feed_id": "police", "agency_kind": "police", "source_record_id": "P1",
     "event_type": "incident", "event_date": "2025-01-03", "status": "closed",
     "end_date": "2025-01-04", "category": "concern_for_welfare", **ALICE, **HOME,
     "true": "alice"},
    # Grace, Alice's twin: same home, surname and birth date; must not join Alice.
    {"feed_id": "csc", "agency_kind": "childrens_social_care", "source_record_id": "C2",
     "event_type": "child_in_need", "event_date": "2025-01-05", "status": "open", **ALICE,
     "forename": "Grace", "person_ref": "C2", **HOME, "true": "grace"},
    # Oliver: the second record, an initial, a birth year and another address, is too thin.
    {"feed_id": "trust", "agency_kind": "health", "source_record_id": "T2",
     "event_type": "emergency_attendance", "event_date": "2025-01-06", "status": "closed",
     "end_date": "2025-01-06", "forename": "Oliver", "surname": "Patel",
     "date_of_birth": "1970-11-25", "gender": "M", "nhs_number": "9100123455",
     "address_line_1": "3 Mill Lane", "postcode": "NX9 8ZZ", "true": "oliver"},
    {"feed_id": "police", "agency_kind": "police", "source_record_id": "P2",
     "event_type": "incident", "event_date": "2025-01-07", "status": "closed",
     "end_date": "2025-01-07", "category": "crime", "forename": "O", "surname": "Patel",
     "date_of_birth": "1970", "address_line_1": "40 Station Road", "postcode": "NY4 1AA",
     "true": "oliver"},
    # An address-only police record: not about a person, so not scored.
    {"feed_id": "police", "agency_kind": "police", "source_record_id": "P3",
     "event_type": "emergency_call", "event_date": "2025-01-08", "status": "closed",
     "end_date": "2025-01-08", "category": "anti_social_behaviour", **HOME, "true": ""},
]  # fmt: skip


@pytest.fixture
def truth_file(tmp_path: Path) -> Path:
    path = tmp_path / "linkage.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, [*CSV_COLUMNS, "feed_id", "agency_kind", "true"])
        writer.writeheader()
        writer.writerows(ROWS)
    return path


def test_the_figures_are_the_ones_worked_out_by_hand(truth_file: Path) -> None:
    result = evaluate(truth_file, truth_column="true", with_splink=False)
    ours = result.lateral
    # Predicted: {Alice x3}, {Grace}, {Oliver}, {O Patel}; true: {Alice x3}, {Grace}, {Oliver x2}.
    assert (ours.records, result.address_only) == (6, 1)
    assert (ours.predicted_pairs, ours.true_pairs) == (3, 4)
    assert ours.precision == 1.0
    assert ours.recall == pytest.approx(3 / 4)
    assert ours.f1 == pytest.approx(2 * 0.75 / 1.75)
    assert ours.bcubed_precision == 1.0
    assert ours.bcubed_recall == pytest.approx((3 + 1 + 0.5 + 0.5) / 6)
    # Every true pair shares a key (Patel's sound and birth year included).
    assert result.blocking_recall == 1.0
    assert result.review_items == 1  # Grace against Alice
    assert result.by_kind["police"].recall == pytest.approx(2 / 3)  # Alice-police yes, Oliver no
    assert set(result.by_age) == {"adult", "child"}


def test_the_command_prints_the_figures_and_says_what_is_missing(
    truth_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval-linkage", str(truth_file), "--truth-column", "true", "--no-splink"]) == 0
    printed = capsys.readouterr().out
    assert "pairwise precision           1.00000" in printed
    assert "pairwise recall              0.75000" in printed
    assert "By agency kind" in printed and "By age band" in printed
    assert main(["eval-linkage", str(truth_file), "--no-splink"]) == 1
    assert "no true_person_id column" in capsys.readouterr().err


def test_a_file_without_agency_kinds_needs_the_option(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("source_record_id,true_person_id\nX1,p\n", encoding="utf-8")
    with pytest.raises(LinkageFileError, match="agency_kind"):
        evaluate(path, with_splink=False)


def test_metrics_on_clusters_worked_out_by_hand() -> None:
    truth = ["a", "a", "a", "b", "b", "c"]
    predicted = [1, 1, 2, 2, 2, 3]  # one a split off and merged with the b's
    scores = score(predicted, truth)
    # predicted pairs: (0,1), (2,3), (2,4), (3,4) = 4; true pairs: 3 + 1 = 4; right: (0,1), (3,4)
    assert (scores.predicted_pairs, scores.true_pairs) == (4, 4)
    assert scores.precision == scores.recall == 0.5
    assert scores.bcubed_precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3 + 1) / 6)
    assert scores.bcubed_recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1 + 1) / 6)


@pytest.mark.parametrize(
    ("dob", "event", "band"),
    [("2010-06-02", "2025-06-01", "child"), ("2007-06-01", "2025-06-01", "adult"),
     ("1960", "2025-06-01", "older"), (None, "2025-06-01", "unknown age")],
)  # fmt: skip
def test_age_bands_at_the_event(dob: str | None, event: str, band: str) -> None:
    assert age_band(dob, event) == band


def test_splink_runs_on_the_same_records_side_by_side(
    truth_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval-linkage", str(truth_file), "--truth-column", "true"]) == 0
    printed = capsys.readouterr().out
    header = printed.splitlines()[0].split()
    assert header == ["Lateral", "Splink"]
    precision = printed.splitlines()[1].split()
    assert precision[:2] == ["pairwise", "precision"] and len(precision) == 4


def test_the_command_says_clearly_when_splink_is_missing(
    truth_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "splink", None)
    assert main(["eval-linkage", str(truth_file), "--truth-column", "true"]) == 1
    assert "Splink is not installed: run `make install`" in capsys.readouterr().err


def test_a_partnership_can_train_its_own_model_and_evaluate_with_it(
    truth_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model_path = tmp_path / "ours.json"
    command = ["train-linkage-model", str(truth_file), "--out", str(model_path), "--u-pairs", "500"]
    assert main(command) == 0
    assert "trained fs-ours on 6 records" in capsys.readouterr().out
    model = model_from_json(model_path.read_text(encoding="utf-8"))
    assert model.version == "fs-ours"
    assert 0 < model.prior < 1
    assert "Alice" not in model_path.read_text(encoding="utf-8")  # rarer names are not kept
    command = ["eval-linkage", str(truth_file), "--truth-column", "true", "--no-splink",
               "--model", str(model_path)]  # fmt: skip
    assert main(command) == 0
    assert "pairwise precision" in capsys.readouterr().out
