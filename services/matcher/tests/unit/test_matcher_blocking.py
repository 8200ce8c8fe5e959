"""Blocking keys: which stored records a new record is compared with."""

from __future__ import annotations

from datetime import date
from typing import Any

from jellyfish import soundex

from lateral_matcher.domain.blocking import blocking_keys
from lateral_shared.contracts.records import (
    AgencyKind,
    CleanAddress,
    CleanPerson,
    CleanRecord,
    RecordStatus,
)


def record(
    person: dict[str, Any] | None, *, uprn: str | None = None, postcode: str | None = None
) -> CleanRecord:
    return CleanRecord(
        record_key="nhs-trust/7", partner_id="trust", feed_id="nhs-trust", source_record_id="7",
        agency_kind=AgencyKind.HEALTH, event_type="emergency_attendance",
        event_date=date(2025, 1, 1), status=RecordStatus.CLOSED,
        person=CleanPerson(**person) if person is not None else None,
        address=CleanAddress(uprn=uprn, postcode=postcode) if uprn or postcode else None,
        content_hash="h",
    )  # fmt: skip


def test_a_full_record_has_every_kind_of_key() -> None:
    keys = blocking_keys(
        record(
            {
                "forename": "Jo",
                "surname": "Ashworth",
                "date_of_birth": "2012-03-04",
                "nhs_number": "9434765919",
                "person_ref": "C123",
                "gender": "female",
            },
            uprn="100023336956",
            postcode="LS6 1AB",
        )
    )
    assert keys == [
        "nhs:9434765919",
        "pref:nhs-trust:C123",
        "dob:2012-03-04:female",
        f"sxy:{soundex('ashworth')}:2012:j",
        "uprn:100023336956",
        "pci:LS61AB:j",
    ]


def test_a_partial_date_of_birth_still_blocks_on_surname_sound_year_and_initial() -> None:
    keys = blocking_keys(
        record({"forename": "Kim", "surname": "Smith", "date_of_birth": "1980-06"})
    )
    assert keys == [f"sxy:{soundex('smith')}:1980:k"]


def test_misspelt_surnames_that_sound_alike_share_a_key() -> None:
    one = blocking_keys(record({"forename": "Al", "surname": "Smith", "date_of_birth": "1980"}))
    other = blocking_keys(
        record({"forename": "Al", "surname": "Smyth", "date_of_birth": "1980-01-02"})
    )
    assert set(one) & set(other)


def test_a_former_surname_in_other_names_adds_its_own_key() -> None:
    keys = blocking_keys(
        record(
            {
                "forename": "Ann",
                "surname": "Smith",
                "aliases": ["Jones"],
                "date_of_birth": "1990-05-05",
            }
        )
    )
    assert f"sxy:{soundex('jones')}:1990:a" in keys


def test_a_record_of_unknown_gender_meets_records_of_every_gender() -> None:
    person = {"forename": "Sam", "surname": "Lee", "date_of_birth": "2001-02-03"}
    unknown = set(blocking_keys(record(person)))
    for gender in ("female", "male", "other"):
        assert unknown & set(blocking_keys(record({**person, "gender": gender})))
    female = set(blocking_keys(record({**person, "gender": "female"})))
    male = set(blocking_keys(record({**person, "gender": "male"})))
    assert not {k for k in female & male if k.startswith("dob:")}


def test_address_only_records_and_pseudo_postcodes_give_no_person_keys() -> None:
    assert blocking_keys(record(None, uprn="100023336956")) == []
    keys = blocking_keys(record({"forename": "Ann", "surname": "Lee"}, postcode="ZZ99 3VZ"))
    assert keys == []
