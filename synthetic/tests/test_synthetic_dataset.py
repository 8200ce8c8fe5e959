"""The synthetic demo data set: deterministic, valid, realistic enough, and only synthetic."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta

import pytest

from lateral_shared.contracts import AgencyKind, PartnerRecord, RecordStatus, record_key
from lateral_synthetic import DemoDataset, generate_demo, is_valid_nhs_number

TODAY = date(2025, 6, 1)
# From REFERENCE.md ("a regex that holds up in tests").
POSTCODE = re.compile(
    r"^(?:GIR 0AA|[A-PR-UWYZ](?:[0-9][0-9]?|[A-HK-Y][0-9][0-9]?|[0-9][A-HJKPSTUW]|"
    r"[A-HK-Y][0-9][ABEHMNPRVWXY]) [0-9][ABD-HJLNP-UW-Z]{2})$"
)
PSEUDO_POSTCODE = re.compile(r"^ZZ99 [0-9][A-Z]Z$")


@pytest.fixture(scope="module")
def dataset() -> DemoDataset:
    return generate_demo(seed=7, records=3000, today=TODAY)


def _records(dataset: DemoDataset) -> list[tuple[str, PartnerRecord]]:
    return [(feed_id, r) for feed_id, rs in dataset.records_by_feed.items() for r in rs]


def _mod11_valid(number: str) -> bool:
    """Modulus 11 as the NHS Data Dictionary states it (written out here, not imported)."""
    total = sum(int(number[i]) * (10 - i) for i in range(9))
    check = 11 - total % 11
    return check != 10 and (0 if check == 11 else check) == int(number[9])


def _normalise_postcode(raw: str) -> str:
    compact = "".join(raw.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}"


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    first = generate_demo(seed=11, records=400, today=TODAY)
    again = generate_demo(seed=11, records=400, today=TODAY)
    other = generate_demo(seed=12, records=400, today=TODAY)

    assert first.records_by_feed == again.records_by_feed
    assert (first.truth, first.planted_alerts) == (again.truth, again.planted_alerts)
    assert first.records_by_feed != other.records_by_feed


@pytest.mark.parametrize("records", [0, 1, 137, 3000])
def test_as_many_records_as_asked_and_every_feed_listed(records: int) -> None:
    data = generate_demo(seed=3, records=records, today=TODAY)

    assert data.record_count == records
    assert {f.agency_kind for f in data.feeds} == set(AgencyKind)
    assert set(data.records_by_feed) == {f.feed_id for f in data.feeds}
    if records >= 3000:  # both councils' and both trusts' feeds have records
        assert all(data.records_by_feed[f.feed_id] for f in data.feeds)


def test_every_agency_kind_has_records_and_each_feed_only_its_own(dataset: DemoDataset) -> None:
    for feed in dataset.feeds:
        kinds = {r.agency_kind for r in dataset.records_by_feed[feed.feed_id]}
        assert kinds == {feed.agency_kind}


def test_every_record_is_a_valid_partner_record_with_a_unique_id(dataset: DemoDataset) -> None:
    keys = [record_key(f, r.source_record_id) for f, r in _records(dataset)]

    for _, record in _records(dataset):
        sent = record.model_dump_json(exclude_none=True)
        assert PartnerRecord.model_validate_json(sent) == record
    assert len(keys) == len(set(keys))


def test_every_nhs_number_is_a_valid_9xx_number(dataset: DemoDataset) -> None:
    numbers = [
        r.person.nhs_number.replace(" ", "")
        for _, r in _records(dataset)
        if r.person is not None and r.person.nhs_number is not None
    ]

    assert len(numbers) > 500
    assert all(len(n) == 10 and n.isdigit() and n.startswith("9") for n in numbers)
    assert all(_mod11_valid(n) for n in numbers)


def test_the_nhs_number_check_agrees_with_the_published_examples() -> None:
    assert is_valid_nhs_number("9434765919")
    assert is_valid_nhs_number("9000000009")
    assert not is_valid_nhs_number("9876544321")


def test_postcodes_match_the_reference_format_once_normalised(dataset: DemoDataset) -> None:
    raw = [r.address.postcode for _, r in _records(dataset) if r.address and r.address.postcode]
    pseudo = [p for p in raw if PSEUDO_POSTCODE.match(p)]  # A&E: no fixed abode, not known

    assert pseudo and all(r.agency_kind is AgencyKind.HEALTH for _, r in _records(dataset)
                          if r.address and r.address.postcode in pseudo)  # fmt: skip
    raw = [p for p in raw if p not in pseudo]
    assert all(POSTCODE.match(_normalise_postcode(p)) for p in raw)
    # Partners type them inconsistently: some are not in the canonical form as sent.
    assert any(not POSTCODE.match(p) for p in raw)
    assert sum(bool(POSTCODE.match(p)) for p in raw) > 0.8 * len(raw)


def test_event_dates_fall_in_the_twelve_months_up_to_the_reference_date(
    dataset: DemoDataset,
) -> None:
    for _, record in _records(dataset):
        assert TODAY - timedelta(days=365) < record.event_date <= TODAY
        if record.end_date is not None:
            assert record.event_date <= record.end_date <= TODAY
            assert record.status is RecordStatus.CLOSED


def test_truth_names_the_person_of_every_person_record_and_no_address_only_one(
    dataset: DemoDataset,
) -> None:
    for feed_id, record in _records(dataset):
        key = record_key(feed_id, record.source_record_id)
        assert (key in dataset.truth) is (record.person is not None)
    fire = dataset.records_by_feed["northshire-fire-irs"]
    police = dataset.records_by_feed["northshire-police-cad"]
    assert all(r.person is None for r in fire)
    assert 0 < sum(r.person is not None for r in police) < len(police) / 2


def test_records_carry_realistic_mistakes(dataset: DemoDataset) -> None:
    people = [(dataset.truth[record_key(f, r.source_record_id)], r)
              for f, r in _records(dataset) if r.person is not None]  # fmt: skip
    surnames: dict[str, set[str]] = defaultdict(set)
    for key, record in people:
        surnames[key].add((record.person.surname or "").upper())  # type: ignore[union-attr]
    health = [r.person for _, r in people if r.agency_kind is AgencyKind.HEALTH]
    with_nhs = [p for p in health if p and p.nhs_number]

    assert any(len(spellings) > 1 for spellings in surnames.values())  # misspelt somewhere
    assert any(r.person and r.person.date_of_birth and len(r.person.date_of_birth) == 4
               for _, r in people)  # fmt: skip
    assert 0.8 * len(health) < len(with_nhs) < len(health)  # usually present, not always


def test_lead_professionals_have_synthetic_contact_details(dataset: DemoDataset) -> None:
    leads = [r.lead_professional for _, r in _records(dataset) if r.lead_professional]

    assert leads
    assert all(lp.email and lp.email.endswith(".example.org.uk") for lp in leads)
    assert all(lp.phone and lp.phone.startswith("01632 960") for lp in leads)  # Ofcom drama range


def test_planted_children_have_an_open_case_and_a_later_incident_at_home(
    dataset: DemoDataset,
) -> None:
    by_key = {record_key(f, r.source_record_id): r for f, r in _records(dataset)}
    assert len(dataset.planted_alerts) >= 3
    for child_key, trigger_key in dataset.planted_alerts:
        trigger = by_key[trigger_key]
        cases = [by_key[k] for k, who in dataset.truth.items() if who == child_key
                 and by_key[k].agency_kind is AgencyKind.CHILDRENS_SOCIAL_CARE
                 and by_key[k].status is RecordStatus.OPEN]  # fmt: skip
        assert trigger.agency_kind in (AgencyKind.POLICE, AgencyKind.FIRE)
        assert any(c.address and trigger.address and c.address.uprn == trigger.address.uprn
                   and c.address.uprn is not None for c in cases)  # fmt: skip
        born = date.fromisoformat(cases[0].person.date_of_birth)  # type: ignore[union-attr,arg-type]
        on = trigger.event_date
        assert on.year - born.year - ((on.month, on.day) < (born.month, born.day)) < 18


def test_every_demo_record_passes_the_gateways_json_validation(dataset: DemoDataset) -> None:
    from lateral_ingest_gateway.domain.validation import validate_record

    kind_of = {f.feed_id: f.agency_kind for f in dataset.feeds}
    for feed_id, records in dataset.records_by_feed.items():
        for row, record in enumerate(records, start=1):
            sent = record.model_dump(mode="json", exclude_none=True)
            outcome = validate_record(sent, agency_kind=kind_of[feed_id], row=row, today=TODAY)
            assert outcome.errors == (), (feed_id, outcome.errors)
