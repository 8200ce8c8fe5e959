"""The rule `ChildWithOpenSocialCareCaseNewIncident`: who is alerted about, and who is not."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lateral_alerts.domain.age import could_be_under
from lateral_alerts.domain.rules import ChildWithOpenSocialCareCaseNewIncident, evaluate
from lateral_shared.contracts import AgencyKind, RecordStatus, Resident

RULE = ChildWithOpenSocialCareCaseNewIncident()
CSC = AgencyKind.CHILDRENS_SOCIAL_CARE
INCIDENT_DAY = date(2025, 6, 1)


def _police(events: Any, key: str = "met-police/INC-1", **kw: Any) -> Any:
    return events.record(key, AgencyKind.POLICE, "domestic_abuse", on=INCIDENT_DAY, **kw)


def _open_case(events: Any, dob: str, status: RecordStatus = RecordStatus.OPEN) -> Any:
    return events.record("csc-case/CIN-7", CSC, "child_in_need", status=status, dob=dob)


def test_incident_on_the_childs_own_record_raises_one_priority_alert(events: Any) -> None:
    police = _police(events, dob="2012-03-04")
    event = events.linked(police, person=("P-child", [_open_case(events, "2012-03-04"), police]))

    [alert] = RULE.evaluate(event)

    assert (alert.person_id, alert.trigger_record_key) == ("P-child", "met-police/INC-1")
    assert (alert.trigger_date, alert.severity) == (INCIDENT_DAY, "priority")
    assert alert.address_key == "100023456789"


def test_incident_at_the_address_alerts_about_each_child_with_an_open_case(events: Any) -> None:
    residents = [
        events.csc_child("P-child-a", "2015-01-01"),
        events.csc_child("P-child-b", "2019-08-30"),
        Resident(person_id="P-sibling-no-case", date_of_birth="2016-02-02"),
        Resident(
            person_id="P-parent",
            date_of_birth="1988-05-05",
            open_agency_kinds=[AgencyKind.ADULT_SOCIAL_CARE],
        ),
    ]
    event = events.linked(_police(events), residents=residents)

    alerted = {a.person_id for a in RULE.evaluate(event)}

    assert alerted == {"P-child-a", "P-child-b"}


def test_child_alerted_both_directly_and_at_the_address_gets_one_alert(events: Any) -> None:
    police = _police(events, dob="2012-03-04")
    event = events.linked(
        police,
        person=("P-child", [_open_case(events, "2012-03-04"), police]),
        residents=[events.csc_child("P-child", "2012-03-04")],
    )

    assert [a.person_id for a in evaluate(event)] == ["P-child"]


@pytest.mark.parametrize(
    ("dob", "alerted"),
    [("1990-01-01", False), ("2007-06-01", False), ("2007-06-02", True), ("2024-12-01", True)],
)
def test_only_someone_under_18_on_the_incident_date_is_alerted(
    events: Any, dob: str, alerted: bool
) -> None:
    # 2007-06-01 turns 18 on the incident day itself (2025-06-01): an adult by then.
    event = events.linked(_police(events), residents=[events.csc_child("P", dob)])

    assert bool(RULE.evaluate(event)) is alerted


def test_closed_childrens_social_care_case_raises_nothing(events: Any) -> None:
    police = _police(events, dob="2012-03-04")
    closed = _open_case(events, "2012-03-04", status=RecordStatus.CLOSED)
    residents = [Resident(person_id="P-child", date_of_birth="2012-03-04", open_agency_kinds=[])]
    event = events.linked(police, person=("P-child", [closed, police]), residents=residents)

    assert RULE.evaluate(event) == []


@pytest.mark.parametrize(
    ("kind", "event_type", "alerted"),
    [
        (AgencyKind.POLICE, "missing_person", True),
        (AgencyKind.FIRE, "home_fire_safety_visit", True),
        (AgencyKind.HEALTH, "emergency_attendance", True),
        (AgencyKind.HEALTH, "missed_appointment", False),
        (AgencyKind.ADULT_SOCIAL_CARE, "safeguarding_enquiry", False),
        (AgencyKind.CHILDRENS_SOCIAL_CARE, "child_protection_plan", False),
    ],
)
def test_only_police_fire_and_emergency_attendance_records_trigger(
    events: Any, kind: AgencyKind, event_type: str, alerted: bool
) -> None:
    trigger = events.record("feed-x/R-1", kind, event_type, on=INCIDENT_DAY)
    event = events.linked(trigger, residents=[events.csc_child("P-child", "2014-01-01")])

    assert bool(RULE.evaluate(event)) is alerted


@pytest.mark.parametrize(
    ("dob", "alerted"),
    [
        ("2007", True),  # could be born as late as 2007-12-31: 17 on 2025-06-01
        ("2006", False),  # at the latest 2006-12-31: 18 by 2024-12-31
        ("2007-06", True),  # as late as 2007-06-30: still 17 on 2025-06-01
        ("2007-05", False),  # at the latest 2007-05-31: 18 on 2025-05-31
        (None, False),  # nothing known about the age
    ],
)
def test_partial_date_of_birth_counts_as_a_child_when_it_could_be_one(
    events: Any, dob: str | None, alerted: bool
) -> None:
    police = _police(events, dob=dob)
    case = events.record("csc-case/CIN-7", CSC, "child_in_need", dob=dob)
    event = events.linked(police, person=("P-child", [case, police]))

    assert bool(RULE.evaluate(event)) is alerted


def test_records_that_disagree_on_dob_alert_if_any_makes_a_child(events: Any) -> None:
    police = _police(events, dob="1995-01-01")
    event = events.linked(police, person=("P", [_open_case(events, "2013-04-04"), police]))

    assert [a.person_id for a in RULE.evaluate(event)] == ["P"]


def test_same_record_resent_gives_the_same_alert_id_and_another_record_a_new_one(
    events: Any,
) -> None:
    residents = [events.csc_child("P-child", "2014-01-01")]
    first = RULE.evaluate(events.linked(_police(events), residents=residents))
    resent = RULE.evaluate(events.linked(_police(events), residents=residents, change="updated"))
    other = RULE.evaluate(events.linked(_police(events, "met-police/INC-2"), residents=residents))

    assert [a.alert_id for a in first] == [a.alert_id for a in resent]
    assert first[0].alert_id != other[0].alert_id


def test_a_withdrawn_record_and_no_fixed_abode_raise_nothing(events: Any) -> None:
    residents = [events.csc_child("P-child", "2014-01-01")]
    withdrawn = events.linked(_police(events), residents=residents, change="withdrawn")
    nfa = events.linked(_police(events, no_fixed_abode=True), residents=residents)

    assert RULE.evaluate(withdrawn) == []
    assert RULE.evaluate(nfa) == []


def test_a_redelivered_unchanged_record_gives_the_same_alert_not_a_second(events: Any) -> None:
    """After a crash between the matcher's commit and publish, the record comes "unchanged"."""
    residents = [events.csc_child("P-child", "2014-01-01")]
    created = RULE.evaluate(events.linked(_police(events), residents=residents))
    unchanged = RULE.evaluate(
        events.linked(_police(events), residents=residents, change="unchanged")
    )
    assert [a.alert_id for a in unchanged] == [a.alert_id for a in created]
    assert len(created) == 1


def test_a_29_february_birthday_comes_of_age_on_1_march() -> None:
    assert could_be_under(18, date_of_birth="2008-02-29", on=date(2026, 2, 28))
    assert not could_be_under(18, date_of_birth="2008-02-29", on=date(2026, 3, 1))


def test_an_impossible_date_of_birth_is_not_treated_as_a_child() -> None:
    assert not could_be_under(18, date_of_birth="2010-13", on=INCIDENT_DAY)
    assert not could_be_under(18, date_of_birth="2010-02-30", on=INCIDENT_DAY)
