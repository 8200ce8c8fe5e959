"""Addresses and households: who lives at an address within the window, address-only records
(police, fire) attached to the household, and no household ever at a ZZ99 pseudo-postcode."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from lateral_matcher.domain.households import household_address_key, household_members
from lateral_shared.contracts.records import AgencyKind, CleanAddress, CleanRecord, RecordStatus

MakeRecord = Callable[..., CleanRecord]
HOME = "uprn:100023336956"
CAROL = {"forename": "Carol", "surname": "Ndlovu", "date_of_birth": "1984-06-02"}
TOM = {"forename": "Tom", "surname": "Ndlovu", "date_of_birth": "2016-09-12"}
LODGER = {"forename": "Piotr", "surname": "Nowak", "date_of_birth": "1979-01-20"}


def test_an_address_is_its_uprn_else_its_key_and_a_pseudo_postcode_is_none() -> None:
    assert household_address_key(CleanAddress(uprn="100023336956", address_key=HOME)) == HOME
    assert household_address_key(CleanAddress(uprn="100023336956")) == HOME
    normalised = "addr:12 HIGH STREET|LS6 1AB"
    assert household_address_key(CleanAddress(address_key=normalised)) == normalised
    assert household_address_key(CleanAddress(postcode="ZZ99 3VZ", address_key="addr:x")) is None
    assert household_address_key(CleanAddress(no_fixed_abode=True, address_key="addr:x")) is None
    assert household_address_key(None) is None


def test_a_household_is_everyone_there_within_the_window_of_the_latest_activity(
    make_record: MakeRecord,
) -> None:
    closed = RecordStatus.CLOSED
    at_home = [
        ("carol", make_record("1", person=CAROL, event_date=date(2025, 5, 1), status=closed)),
        ("piotr", make_record("2", person=LODGER, event_date=date(2023, 1, 1), status=closed)),
        ("tom", make_record("3", person=TOM, event_date=date(2022, 2, 1))),  # still open
        (None, make_record("4", feed="police-wy", event_date=date(2025, 6, 1), status=closed)),
    ]
    assert household_members(at_home) == ["carol", "tom"]
    assert household_members([]) == []


async def test_an_address_only_callout_shows_the_household_at_its_address(
    open_matcher: Any, scripted: Any, make_record: MakeRecord
) -> None:
    matcher = await open_matcher("m.db", scripted)
    await matcher.send(
        make_record("1", person=CAROL, address_key=HOME, agency=AgencyKind.ADULT_SOCIAL_CARE),
        make_record("2", person=TOM, address_key=HOME),
    )
    fire = make_record("F1", feed="fire-wy", agency=AgencyKind.FIRE, address_key=HOME)
    [callout] = await matcher.send(fire)
    assert callout.person is None
    assert callout.address.address_key == HOME
    assert len(callout.address.residents) == 2
    assert {r.date_of_birth for r in callout.address.residents} == {"1984-06-02", "2016-09-12"}
    assert callout.address.record_keys == ["csc-leeds/1", "csc-leeds/2", "fire-wy/F1"]


async def test_people_at_a_pseudo_postcode_never_form_a_household(
    open_matcher: Any, scripted: Any, make_record: MakeRecord
) -> None:
    matcher = await open_matcher("m.db", scripted)
    nfa = "addr:NO FIXED ABODE|ZZ99 3VZ"  # as a careless partner system might key it
    events = await matcher.send(
        make_record("1", person=CAROL, address_key=nfa, postcode="ZZ99 3VZ"),
        make_record("2", person=LODGER, address_key=nfa, postcode="ZZ99 3VZ"),
    )
    assert [e.address for e in events] == [None, None]
    assert await matcher.count("addresses") == 0


async def test_an_address_keeps_what_it_knows_and_takes_what_a_later_record_adds(
    open_matcher: Any, scripted: Any, make_record: MakeRecord
) -> None:
    matcher = await open_matcher("m.db", scripted)
    [first] = await matcher.send(make_record("1", person=CAROL, address_key=HOME))
    assert first.address.postcode == "LS6 1AA"
    # Nothing new (the same address again, then one without a postcode): the address is kept.
    [same] = await matcher.send(make_record("2", person=TOM, address_key=HOME))
    [silent] = await matcher.send(make_record("3", person=LODGER, address_key=HOME, postcode=None))
    assert same.address.postcode == silent.address.postcode == "LS6 1AA"
    assert silent.address.lines == ["1 Test Street", "Leeds"]
    # A later record with a different postcode refreshes it.
    [moved] = await matcher.send(
        make_record("4", person=CAROL, address_key=HOME, postcode="LS6 2BB")
    )
    assert moved.address.postcode == "LS6 2BB"
    assert await matcher.count("addresses") == 1
