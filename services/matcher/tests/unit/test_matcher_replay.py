"""Reprocessing `records.clean` from the start reproduces the same clusters, with the same IDs,
and the data stewards' decisions still hold (they are kept when the links are rebuilt)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lateral_matcher.adapters import reviews
from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.domain.resolution import new_person_id
from lateral_matcher.service_layer.audit import matcher_audit_trail
from lateral_matcher.service_layer.linking import utc_now
from lateral_matcher.service_layer.reviewing import ReviewDesk
from lateral_shared.auth import Principal
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts.records import AgencyKind, CleanRecord

MakeRecord = Callable[..., CleanRecord]
AMY = {"forename": "Amy", "surname": "Smith", "date_of_birth": "2012-03-04", "dob_precision": "day"}
STEWARD = Principal(subject="steward-1", roles=frozenset({"data_steward"}))


def _records(make_record: MakeRecord) -> list[CleanRecord]:
    nhs = {**AMY, "nhs_number": "9434765919"}
    ben = {"forename": "Ben", "surname": "Okafor", "date_of_birth": "2009-11-23"}
    return [
        make_record("1", person=nhs),
        make_record("2", feed="health-leeds", agency=AgencyKind.HEALTH, person=nhs),
        make_record("3", person=ben),
        make_record(
            "4", feed="police-wy", agency=AgencyKind.POLICE, person={**ben, "forename": "BEN"}
        ),
        make_record("5", person={**AMY, "date_of_birth": "2012-03"}),  # doubtful: review
        make_record("6", feed="fire-wy", agency=AgencyKind.FIRE, address_key="100000000009"),
    ]


async def _clusters(matcher: Any) -> dict[str, str | None]:
    """Each record's person ID, as the store holds it."""
    async with matcher.engine.connect() as conn:
        rows = await conn.exec_driver_sql("SELECT record_key, person_id FROM records")
        return {key: person for key, person in rows}


async def test_replaying_in_other_batch_sizes_gives_the_same_persons(
    open_matcher: Any, make_record: MakeRecord
) -> None:
    records = _records(make_record)
    whole, one_by_one = await open_matcher("whole.db"), await open_matcher("single.db")
    await whole.send(*records)
    for record in records:
        await one_by_one.send(record)
    clusters = await _clusters(whole)
    assert clusters == await _clusters(one_by_one)
    assert len({p for p in clusters.values() if p}) == 3  # Amy, Ben, the doubtful record


async def _rebuild(matcher: Any, records: list[CleanRecord]) -> None:
    """Forget the links (keeping decisions) and reprocess every record from the start."""
    async with matcher.engine.begin() as conn:
        await MatcherRepository(conn).clear_links()
    await matcher.send(*records)


@pytest.mark.parametrize("decision", ["same", "not_same"])
async def test_a_stewards_decisions_hold_when_the_topic_is_reprocessed(
    matcher: Any, make_record: MakeRecord, decision: str
) -> None:
    records = _records(make_record)
    await matcher.send(*records)
    async with matcher.engine.connect() as conn:
        _, [item] = await reviews.list_items(conn, status="open", limit=10, offset=0)
    publisher = EventPublisher(matcher.bus, service="matcher")
    desk = ReviewDesk(matcher.engine, publisher, matcher_audit_trail(publisher))
    await desk.decide(item.review_id, decision=decision, reason="GP", principal=STEWARD)  # type: ignore[arg-type]
    decided = await _clusters(matcher)
    assert (decided["csc-leeds/5"] == decided["csc-leeds/1"]) is (decision == "same")
    await _rebuild(matcher, records)
    assert await _clusters(matcher) == decided
    async with matcher.engine.connect() as conn:
        total, _ = await reviews.list_items(conn, status="open", limit=10, offset=0)
    assert total == 0  # decided once, not asked again


async def test_splitting_out_a_founding_record_holds_when_the_topic_is_reprocessed(
    matcher: Any, make_record: MakeRecord
) -> None:
    """ "Not the same person" on the record a person was created from: on a replay that record
    arrives first and would found the person again, with its ID."""
    records = _records(make_record)
    await matcher.send(*records)
    founded = await _clusters(matcher)
    amy = founded["csc-leeds/1"]
    assert amy == new_person_id("csc-leeds/1") and founded["health-leeds/2"] == amy
    async with matcher.engine.begin() as conn:
        rid = await reviews.raise_report(conn, record_key="csc-leeds/1", person_id=amy,
                                         reported_by="sw-7", reason="not her",
                                         now=utc_now())  # fmt: skip
    publisher = EventPublisher(matcher.bus, service="matcher")
    desk = ReviewDesk(matcher.engine, publisher, matcher_audit_trail(publisher))
    await desk.decide(rid, decision="not_same", reason="a cousin", principal=STEWARD)
    decided = await _clusters(matcher)
    assert decided["health-leeds/2"] == amy  # the rest of the person keeps its ID
    assert decided["csc-leeds/1"] not in (amy, None)
    await _rebuild(matcher, records)
    assert await _clusters(matcher) == decided
    await _rebuild(matcher, records)  # and again: nothing drifts
    assert await _clusters(matcher) == decided
    async with matcher.engine.connect() as conn:
        _, still_open = await reviews.list_items(conn, status="open", limit=10, offset=0)
        decided_item = await reviews.get_item(conn, rid)
    assert decided_item is not None and decided_item.status == "not_same"
    # Only the doubtful record 5 (now also doubtful against the split-out record's person):
    # the decided records are not asked about again.
    assert {item.record_key for item in still_open} == {"csc-leeds/5"}


async def _decide(matcher: Any, review_id: str, decision: str) -> None:
    publisher = EventPublisher(matcher.bus, service="matcher")
    desk = ReviewDesk(matcher.engine, publisher, matcher_audit_trail(publisher))
    await desk.decide(review_id, decision=decision, reason="checked", principal=STEWARD)  # type: ignore[arg-type]


async def _report(matcher: Any, record_key: str, person_id: str) -> str:
    async with matcher.engine.begin() as conn:
        return await reviews.raise_report(
            conn, record_key=record_key, person_id=person_id, reported_by="sw-7",
            reason="not her", now=utc_now(),
        )  # fmt: skip


async def _open_items(matcher: Any) -> list[tuple[str, str]]:
    async with matcher.engine.connect() as conn:
        _, items = await reviews.list_items(conn, status="open", limit=50, offset=0)
    return [(item.record_key, item.person_id) for item in items]


async def test_a_record_kept_apart_from_a_person_is_not_asked_about_its_split_out_record(
    matcher: Any, make_record: MakeRecord
) -> None:
    """A steward said the doubtful record 5 is not Amy, then split Amy's founding record out of
    her: on a replay record 5 meets the founding record under the split's person ID, and must not
    be asked about it again (it was part of Amy when the steward decided)."""
    records = _records(make_record)
    await matcher.send(*records)
    amy = new_person_id("csc-leeds/1")
    async with matcher.engine.connect() as conn:
        _, [item] = await reviews.list_items(conn, status="open", limit=10, offset=0)
    assert (item.record_key, item.person_id) == ("csc-leeds/5", amy)
    await _decide(matcher, item.review_id, "not_same")
    await _decide(matcher, await _report(matcher, "csc-leeds/1", amy), "not_same")
    decided = await _clusters(matcher)
    assert decided["health-leeds/2"] == amy and decided["csc-leeds/1"] not in (amy, None)
    assert await _open_items(matcher) == []
    await _rebuild(matcher, records)
    assert await _clusters(matcher) == decided
    assert await _open_items(matcher) == []  # not asked again


async def test_the_rest_of_a_person_is_not_asked_about_a_record_split_out_of_it(
    open_matcher: Any, make_record: MakeRecord, scripted: Any
) -> None:
    """Records 1, 2 and 3 are Amy; a steward splits record 2 (not her founding record) out. On a
    replay record 3, doubtful about record 2 alone, must not be asked whether it is record 2's
    person: the steward said record 2 is not Amy, and record 3 is Amy."""
    matcher = await open_matcher("split-rest.db", scripted)
    scripted.links["csc-leeds/2"] = {"csc-leeds/1"}
    scripted.links["csc-leeds/3"] = {"csc-leeds/1"}
    scripted.reviews["csc-leeds/3"] = {"csc-leeds/2"}
    records = [make_record(n, person=AMY) for n in ("1", "2", "3")]
    for record in records:
        await matcher.send(record)
    amy = new_person_id("csc-leeds/1")
    assert set((await _clusters(matcher)).values()) == {amy}
    assert await _open_items(matcher) == []
    await _decide(matcher, await _report(matcher, "csc-leeds/2", amy), "not_same")
    decided = await _clusters(matcher)
    assert decided["csc-leeds/3"] == amy and decided["csc-leeds/2"] not in (amy, None)
    await _rebuild(matcher, records)
    assert await _clusters(matcher) == decided
    assert await _open_items(matcher) == []  # not asked again
