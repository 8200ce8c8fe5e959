"""Search through the JSON API on the real embedded index: every field, their combinations, the
addresses found, and why each result matched."""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pytest

from lateral_shared.index import address_id

FamilyApi = Any  # the `family` fixture (conftest.py)
REASON = "section 47 enquiry"
HOME = address_id("100000000012")

# Ada Testwood, searched the way a practitioner might, each field on its own.
ADA = {
    "name": "Adda Testwod",
    "dob": "2012",
    "postcode": "LS6",
    "address": "12 High Street",
    "nhs_number": "943 476 5919",
    "ref_id": "C-1",
}


async def search(family: FamilyApi, **criteria: str) -> dict[str, Any]:
    response = await family.client.post(
        "/v1/search", json={**criteria, "reason": REASON}, headers=family.token("practitioner")
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def ids(body: dict[str, Any]) -> list[str]:
    return [r["person_id"] for r in body["results"]]


def why(body: dict[str, Any], person_id: str) -> list[str]:
    return next(r["why"] for r in body["results"] if r["person_id"] == person_id)


async def test_a_misspelt_name_and_a_birth_year_find_the_child_and_say_why(
    family: FamilyApi,
) -> None:
    body = await search(family, name="Adda Testwod", dob="2012")
    assert ids(body) == ["person-ada"]
    assert why(body, "person-ada") == [
        "forename 'Adda' ~ 'Ada' (1 edit)",
        "surname 'Testwod' ~ 'Testwood' (1 edit)",
        "born 2012",
    ]
    row = body["results"][0]
    assert row["names"] == [{"forename": "Ada", "middle_names": None, "surname": "Testwood"}]
    assert (row["date_of_birth"], row["gender"]) == ("2012-03-04", "female")
    assert row["current_address"]["lines"] == ["12 High Street", "Headingley", "Leeds"]
    assert row["agencies"] == ["childrens_social_care", "health"]
    assert row["has_open_case"] is True


async def test_nicknames_initials_and_aliases(family: FamilyApi) -> None:
    bill = await search(family, name="Bill Brown")
    assert ids(bill) == ["person-bill"]
    assert why(bill, "person-bill")[0] == "forename 'Bill' is a short form of 'William'"
    initial = await search(family, name="A Testwood")
    assert ids(initial) == ["person-ada"]
    assert why(initial, "person-ada") == ["forename initial A", "surname exact"]
    alias = await search(family, name="Addy")
    assert (ids(alias), why(alias, "person-ada")) == (["person-ada"], ["alias exact"])


@pytest.mark.parametrize(
    ("dob", "found", "said"),
    [
        ("2012-03-04", ["person-ada"], "born 4 March 2012"),
        ("04/03/2012", ["person-ada"], "born 4 March 2012"),
        ("2012-03", ["person-ada"], "born March 2012"),
        ("3/2012", ["person-ada"], "born March 2012"),
        ("1985-07-21", ["person-jane"], "born July 1985 (known only to the month)"),
        ("2012-04", [], None),
    ],
)
async def test_full_and_partial_dates_of_birth(
    family: FamilyApi, dob: str, found: list[str], said: str | None
) -> None:
    body = await search(family, name="Testwood", dob=dob)
    assert ids(body) == found
    if said:
        assert why(body, found[0])[-1] == said


@pytest.mark.parametrize(
    ("address", "found", "said"),
    [
        (
            "12 High Street",
            ["person-ada", "person-jane"],
            "current address has '12' 'High' 'Street'",
        ),
        ("headingley", ["person-ada", "person-jane"], "current address has 'Headingley'"),
        ("LS6 1AA", ["person-ada", "person-jane"], "current address has 'LS61AA'"),
        ("LS6 1", ["person-ada", "person-jane"], "current address has 'LS61'"),
        ("4 Low Lane", ["person-ada"], "previous address has '4' 'Low' 'Lane'"),
        ("Mill Road Bradford", ["person-bill"], "current address has 'Mill' 'Road' 'Bradford'"),
        # however a partner wrote the street type, and whether or not it is current
        ("12 High St", ["person-ada", "person-jane"], "current address has '12' 'High' 'St'"),
        ("7 Mill Rd", ["person-bill"], "current address has '7' 'Mill' 'Rd'"),
        ("4 low ln", ["person-ada"], "previous address has '4' 'Low' 'Ln'"),
        # with spelling mistakes, when no address holds the word as typed
        (
            "12 Hihg Stret",
            ["person-ada", "person-jane"],
            "current address has '12' 'Hihg' ~ 'High' 'Stret' ~ 'Street'",
        ),
        ("7 Mill Raod", ["person-bill"], "current address has '7' 'Mill' 'Raod' ~ 'Road'"),
        ("13 High Street", [], None),
    ],
)
async def test_any_element_of_an_address(
    family: FamilyApi, address: str, found: list[str], said: str | None
) -> None:
    body = await search(family, address=address)
    assert ids(body) == found
    if said:
        assert why(body, found[0]) == [said]


async def test_postcode_full_or_outward_nhs_number_and_partner_reference(
    family: FamilyApi,
) -> None:
    assert ids(await search(family, postcode="ls61aa")) == ["person-ada", "person-jane"]
    assert ids(await search(family, postcode="BD1")) == ["person-bill"]
    nhs = await search(family, nhs_number="943 476 5919")
    assert (ids(nhs), why(nhs, "person-ada")) == (["person-ada"], ["NHS number exact"])
    ref = await search(family, ref_id="POL-77")
    assert why(ref, "person-bill") == ["partner reference POL-77 (police)"]


CRITERIA = sorted(ADA)


@pytest.mark.parametrize(
    "fields",
    [c for r in range(2, len(CRITERIA) + 1) for c in itertools.combinations(CRITERIA, r)],
    ids="+".join,
)
async def test_every_combination_of_fields_finds_her_and_explains_each(
    family: FamilyApi, fields: tuple[str, ...]
) -> None:
    body = await search(family, **{f: ADA[f] for f in fields})
    assert "person-ada" in ids(body)
    # One reason per criterion, and one per name word: two for "Adda Testwod".
    assert len(why(body, "person-ada")) == len(fields) + ("name" in fields)
    if {"nhs_number", "ref_id", "name", "dob"} & set(fields):
        assert ids(body) == ["person-ada"]  # only she has them


async def test_a_search_by_place_alone_also_finds_addresses(family: FamilyApi) -> None:
    body = await search(family, address="High Street", postcode="LS6 1AA")
    assert body["address_total"] == 1
    [home] = body["addresses"]
    assert (home["address_key"], home["address_id"]) == ("100000000012", HOME)
    assert (home["current_residents"], home["past_residents"], home["records"]) == (2, 1, 3)
    assert home["why"] == ["postcode LS6 1AA", "address has 'High' 'Street'"]
    with_name = await search(family, name="Testwood", address="High Street")
    assert (with_name["addresses"], with_name["address_total"]) == ([], 0)
    [event] = [e for e in family.audit_events() if e.criteria.get("postcode")]
    assert event.result_ids == ["person-ada", "person-jane", HOME]


async def test_pages(family: FamilyApi) -> None:
    first = await search(family, name="Testwood", page_size="1")
    second = await search(family, name="Testwood", page="2", page_size="1")
    assert (first["total"], second["total"]) == (2, 2)
    assert ids(first) + ids(second) == ["person-ada", "person-jane"]


async def test_get_search_takes_an_address_and_logs_no_criteria(
    family: FamilyApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await family.client.get(
        "/v1/search",
        params={"address": "Headingley", "name": "Testwood", "reason": REASON},
        headers=family.token("duty_manager"),
    )
    assert ids(response.json()) == ["person-ada", "person-jane"]
    # What the service logs (the test's own HTTP client logs the URL it sends: not Lateral's).
    served = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert served  # the request log line is there...
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in served)
    assert "Headingley" not in logged  # ...without the criteria
    assert "Testwood" not in logged
