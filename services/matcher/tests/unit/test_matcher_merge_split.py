"""Merge and split with stable identity: a bridging record merges two persons into the survivor,
a merged ID redirects, a steward's "not the same person" splits the record (and what it brought)
back out, and every change is logged. The resolver's answers are scripted: these tests are about
what the service does with them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from lateral_matcher.adapters import identity, reviews
from lateral_matcher.adapters.tables import identity_changes
from lateral_matcher.service_layer.audit import matcher_audit_trail
from lateral_matcher.service_layer.reviewing import ReviewDesk
from lateral_shared.auth import Principal
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts.records import CleanRecord

MakeRecord = Callable[..., CleanRecord]
AMY = {"forename": "Amy", "surname": "Smith", "date_of_birth": "2012-03-04"}
STEWARD = Principal(subject="steward-1", roles=frozenset({"data_steward"}))


async def _two_persons_and_a_bridge(matcher: Any, scripted: Any, make_record: MakeRecord) -> Any:
    """Records 1 and 2 start two persons; record 3 links to both."""
    one, two = make_record("1", person=AMY), make_record("2", person={**AMY, "forename": "Aimee"})
    bridge = make_record("3", person={**AMY, "nhs_number": "9434765919"})
    scripted.links[bridge.record_key] = {one.record_key, two.record_key}
    [a], [b] = await matcher.send(one), await matcher.send(two)
    [merged] = await matcher.send(bridge)
    return a.person.person_id, b.person.person_id, merged


async def _decide(matcher: Any, review_id: str, decision: str, reason: str) -> None:
    publisher = EventPublisher(matcher.bus, service="matcher")
    desk = ReviewDesk(matcher.engine, publisher, matcher_audit_trail(publisher))
    await desk.decide(review_id, decision=decision, reason=reason, principal=STEWARD)  # type: ignore[arg-type]


async def test_a_record_linking_to_two_persons_merges_them_into_the_smaller_id(
    open_matcher: Any, scripted: Any, make_record: MakeRecord
) -> None:
    matcher = await open_matcher("m.db", scripted)
    a, b, merged = await _two_persons_and_a_bridge(matcher, scripted, make_record)
    survivor, absorbed = min(a, b), max(a, b)
    assert merged.person.person_id == survivor
    assert merged.merged_person_ids == [absorbed]  # the indexer deletes its document
    assert {r.record_key for r in merged.person.records} == {"csc-leeds/1", "csc-leeds/2",
                                                            "csc-leeds/3"}  # fmt: skip
    async with matcher.engine.connect() as conn:
        assert await identity.where_is(conn, absorbed) == survivor
        assert await identity.where_is(conn, survivor) == survivor
        [change] = await identity.changes_of(conn, absorbed)
    assert (change.kind, change.person_id, change.other_person_id) == ("merge", survivor, absorbed)
    assert change.cause_record_key == "csc-leeds/3" and change.actor == "matcher"
    assert "csc-leeds/3" in change.reason
    assert change.record_keys == ["csc-leeds/1" if absorbed == a else "csc-leeds/2"]


async def test_a_later_record_of_a_merged_person_links_to_the_survivor(
    open_matcher: Any, scripted: Any, make_record: MakeRecord
) -> None:
    matcher = await open_matcher("m.db", scripted)
    a, b, _ = await _two_persons_and_a_bridge(matcher, scripted, make_record)
    later = make_record("4", person=AMY)
    scripted.links[later.record_key] = {"csc-leeds/1"}
    [event] = await matcher.send(later)
    assert event.person.person_id == min(a, b)
    assert await matcher.count("persons") == 2  # the survivor, and the ID redirecting to it


async def test_replaying_the_records_gives_the_same_survivor(
    open_matcher: Any, scripted: Any, make_record: MakeRecord
) -> None:
    first = await open_matcher("first.db", scripted)
    replay = await open_matcher("replay.db", scripted)
    _, _, merged = await _two_persons_and_a_bridge(first, scripted, make_record)
    _, _, again = await _two_persons_and_a_bridge(replay, scripted, make_record)
    assert again.person.person_id == merged.person.person_id
    assert again.merged_person_ids == merged.merged_person_ids


async def test_rejecting_the_bridge_splits_it_out_and_restores_the_merged_person(
    open_matcher: Any, scripted: Any, make_record: MakeRecord
) -> None:
    matcher = await open_matcher("m.db", scripted)
    a, b, merged = await _two_persons_and_a_bridge(matcher, scripted, make_record)
    absorbed = max(a, b)
    async with matcher.engine.begin() as conn:
        rid = await reviews.raise_report(conn, record_key="csc-leeds/3", person_id=absorbed,
                                         reported_by="sw-7", reason="different child",
                                         now=merged.occurred_at)  # fmt: skip
    await _decide(matcher, rid, "not_same", "different school, different mother")
    published = matcher.bus.topics["records.linked"][-3:]
    assert len(published) == 3  # the restored person, the split-out record, the survivor
    async with matcher.engine.connect() as conn:
        assert await identity.where_is(conn, absorbed) == absorbed  # a person again
        own = await identity.person_of_record(conn, "csc-leeds/3")
        assert own not in (a, b)
        assert await identity.person_of_record(conn, "csc-leeds/1") == a
        assert await identity.person_of_record(conn, "csc-leeds/2") == b
        log = (await conn.execute(select(identity_changes.c.kind, identity_changes.c.actor))).all()
    assert sorted(log) == [("merge", "matcher"), ("split", "steward-1"), ("split", "steward-1")]


async def test_a_steward_saying_same_merges_the_review_pair(
    open_matcher: Any, scripted: Any, make_record: MakeRecord
) -> None:
    matcher = await open_matcher("m.db", scripted)
    [a] = await matcher.send(make_record("1", person=AMY))
    doubtful = make_record("2", person={**AMY, "date_of_birth": "2012"})
    scripted.reviews[doubtful.record_key] = {"csc-leeds/1"}
    [b] = await matcher.send(doubtful)
    assert b.person.person_id != a.person.person_id
    async with matcher.engine.connect() as conn:
        _, [item] = await reviews.list_items(conn, status="open", limit=10, offset=0)
    assert (item.record_key, item.person_id) == (doubtful.record_key, a.person.person_id)
    await _decide(matcher, item.review_id, "same", "same GP and school")
    async with matcher.engine.connect() as conn:
        together = {
            await identity.person_of_record(conn, k) for k in ("csc-leeds/1", "csc-leeds/2")
        }
        _, still_open = await reviews.list_items(conn, status="open", limit=10, offset=0)
    assert together == {a.person.person_id}  # the reviewed person keeps its ID
    assert still_open == []
