"""UPRN look-up accuracy against the synthetic generator's truth: correct, wrong, left without.

For every record with an address, the cleanser's UPRN is compared with the true UPRN:
- correct: the true UPRN; wrong: another UPRN (or any UPRN where truth has no property);
- left without: no UPRN (the honest answer when the address does not say enough).
Twice: as sent (partners' UPRNs used and checked), and with every partner UPRN removed, which
measures the gazetteer look-up on its own. Targets: >= 99 % correct, <= 0.1 % wrong.

    .venv/bin/python bench/uprn_accuracy.py --size test
    .venv/bin/python bench/uprn_accuracy.py --gazetteer G.csv --records F.csv --truth T.csv
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cleanser_throughput import TODAY, BenchRecord, Dataset, add_source_arguments, load_dataset

from lateral_cleanser.adapters.gazetteer_csv import load_gazetteer
from lateral_cleanser.domain import Gazetteer, cleanse_record
from lateral_shared.contracts.records import PartnerRecord

CORRECT_TARGET, WRONG_TARGET = 0.99, 0.001


@dataclass
class Tally:
    """Outcomes of one pass, overall and by how the UPRN was found."""

    outcomes: Counter[str] = field(default_factory=Counter)
    by_method: Counter[tuple[str, str]] = field(default_factory=Counter)
    wrong_examples: list[str] = field(default_factory=list)

    def add(self, outcome: str, method: str | None, note: str) -> None:
        self.outcomes[outcome] += 1
        self.by_method[(method or "none", outcome)] += 1
        if outcome == "wrong" and len(self.wrong_examples) < 5:
            self.wrong_examples.append(note)


def without_partner_uprn(record: PartnerRecord) -> PartnerRecord:
    """The record as if the partner had sent no UPRN."""
    if record.address is None or record.address.uprn is None:
        return record
    return record.model_copy(update={"address": record.address.model_copy(update={"uprn": None})})


def score(dataset: Dataset, gazetteer: Gazetteer, *, strip_uprn: bool) -> Tally:
    """Compare every addressed record's UPRN with the truth."""
    tally = Tally()
    for item in dataset.records:
        key = (item.feed_id, item.record.source_record_id)
        if item.record.address is None or key not in dataset.truth:
            continue
        outcome, method = _outcome(item, gazetteer, dataset.truth[key], strip_uprn=strip_uprn)
        tally.add(outcome, method, f"{item.feed_id}/{item.record.source_record_id}")
    return tally


def _outcome(
    item: BenchRecord, gazetteer: Gazetteer, truth: str | None, *, strip_uprn: bool
) -> tuple[str, str | None]:
    record = without_partner_uprn(item.record) if strip_uprn else item.record
    clean = cleanse_record(
        record, partner_id=item.partner_id, feed_id=item.feed_id, today=TODAY, gazetteer=gazetteer
    )
    address = clean.address
    uprn, method = (address.uprn, address.uprn_method) if address else (None, None)
    if truth is None:  # no property in truth (a street location, no fixed abode)
        return ("wrong" if uprn else "no_property_left_without"), method
    if uprn is None:
        return "left_without", method
    return ("correct" if uprn == truth else "wrong"), method


def report(title: str, tally: Tally) -> None:
    """Print one pass's figures against the targets."""
    with_property = sum(tally.outcomes[k] for k in ("correct", "wrong", "left_without"))
    everyone = with_property + tally.outcomes["no_property_left_without"]
    correct = tally.outcomes["correct"] / max(1, with_property)
    wrong = tally.outcomes["wrong"] / max(1, everyone)
    left = tally.outcomes["left_without"] / max(1, with_property)
    print(f"\n{title}: {everyone:,} addressed records ({with_property:,} at a property in truth)")
    print(f"  correct      {correct:8.3%}  (target >= {CORRECT_TARGET:.0%})")
    print(f"  wrong        {wrong:8.3%}  (target <= {WRONG_TARGET:.1%})")
    print(f"  left without {left:8.3%}")
    print(
        f"  no property in truth, left without UPRN: {tally.outcomes['no_property_left_without']:,}"
    )
    for (method, outcome), count in sorted(tally.by_method.items()):
        print(f"    method {method:8} {outcome:25} {count:8,}")
    if tally.wrong_examples:
        print(f"  some wrong records (IDs only): {', '.join(tally.wrong_examples)}")
    met = correct >= CORRECT_TARGET and wrong <= WRONG_TARGET
    print(f"  targets {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_source_arguments(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        dataset = load_dataset(args, Path(workdir))
        gazetteer = load_gazetteer(dataset.gazetteer_csv)
    if not dataset.truth:
        parser.error("no truth: give --truth with --gazetteer, or use the generator")
    print(f"{len(dataset.records):,} records, gazetteer of {len(gazetteer):,} addresses")
    report("as sent (partners' UPRNs checked)", score(dataset, gazetteer, strip_uprn=False))
    report("gazetteer look-up alone (partners' UPRNs removed)",
           score(dataset, gazetteer, strip_uprn=True))  # fmt: skip


if __name__ == "__main__":
    main()
