"""Explanations: every field with its level and weight, and a summary a practitioner can read."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from lateral_matcher.domain.comparisons import COMPARISON_NAMES
from lateral_matcher.domain.resolution import CandidateRecord, Outcome, default_resolver
from lateral_shared.contracts.records import (
    AgencyKind,
    CleanAddress,
    CleanPerson,
    CleanRecord,
    RecordStatus,
)

BILL = {"forename": "Bill", "forename_key": "bill", "surname": "Ashworth",
        "surname_key": "ashworth", "date_of_birth": "1961-07-21", "gender": "male",
        "nhs_number": "9434765919"}  # fmt: skip
HOME = {"uprn": "900000000123", "postcode": "NX1 2AB", "sector": "NX1 2"}


def record(key: str, person: dict[str, Any]) -> CleanRecord:
    feed, source = key.split("/")
    return CleanRecord(
        record_key=key, partner_id=feed, feed_id=feed, source_record_id=source,
        agency_kind=AgencyKind.HEALTH, event_type="emergency_attendance",
        event_date=date(2025, 1, 1), status=RecordStatus.CLOSED, person=CleanPerson(**person),
        address=CleanAddress(**HOME), content_hash=key,
    )  # fmt: skip


def test_a_link_explains_every_field_the_rule_the_model_and_the_score() -> None:
    resolver = default_resolver()
    known = record("trust/1", {**BILL, "forename": "William", "forename_key": "william"})
    resolution = resolver.resolve(record("asc/2", BILL), [CandidateRecord("P1", known)])
    assert resolution.outcome is Outcome.LINK
    explanation = resolution.explanation
    assert explanation.rule == "nhs_number"
    assert explanation.model_version == resolver.model.version
    assert 0.999 <= explanation.score <= 1.0
    levels = {f.field: f.agreement for f in explanation.fields}
    assert list(levels) == list(COMPARISON_NAMES)
    assert levels["forename"] == "known_short_form"
    assert levels["date_of_birth"] == "exact"
    assert levels["feed_person_id"] == "missing"
    weights = {f.field: f.weight for f in explanation.fields}
    assert weights["nhs_number"] > 0 and weights["feed_person_id"] == 0


def test_the_summary_reads_as_plain_words_without_numbers_or_dates() -> None:
    known = record("trust/1", {**BILL, "forename": "William", "forename_key": "william"})
    resolution = default_resolver().resolve(record("asc/2", BILL), [CandidateRecord("P1", known)])
    summary = resolution.explanation.summary
    assert summary.startswith("Linked on the same NHS number: ")
    assert "same NHS number" in summary
    assert "date of birth matches" in summary
    assert "'Bill' is a known short form of 'William'" in summary
    assert not re.search(r"\d{3}", summary)  # no NHS number, date or UPRN
    assert "1961" not in summary and "NX1" not in summary


def test_a_new_person_says_how_close_the_nearest_person_came() -> None:
    other = {**BILL, "forename": "Oliver", "forename_key": "oliver", "nhs_number": None,
             "date_of_birth": "1990-01-02"}  # fmt: skip
    resolution = default_resolver().resolve(
        record("asc/2", {**BILL, "nhs_number": None}),
        [CandidateRecord("P1", record("trust/1", other))],
    )
    assert resolution.outcome is Outcome.NEW_PERSON
    explanation = resolution.explanation
    assert explanation.score < 0.5
    assert explanation.summary.startswith(
        f"New person: no existing person matched closely enough "
        f"(closest score {explanation.score:.2f}): "
    )
    assert "different forenames" in explanation.summary
    assert "different dates of birth" in explanation.summary


def test_an_explanation_is_a_valid_contract_and_names_each_records_own_forenames() -> None:
    """Summaries are shared between pairs alike: one naming forenames must not serve another."""
    resolver = default_resolver()
    known = record("trust/1", {**BILL, "forename": "William", "forename_key": "william"})
    first = resolver.resolve(record("asc/2", BILL), [CandidateRecord("P1", known)]).explanation
    will = {**BILL, "forename": "Will", "forename_key": "will"}
    second = resolver.resolve(record("asc/3", will), [CandidateRecord("P1", known)]).explanation
    assert "'Bill' is a known short form of 'William'" in first.summary
    assert "'Will' is a known short form of 'William'" in second.summary
    for explanation in (first, second):
        assert type(explanation).model_validate(explanation.model_dump()) == explanation
