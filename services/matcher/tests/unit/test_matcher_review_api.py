"""The review queue as a data steward uses it: over HTTP, on the matcher as bootstrap wires it
(in-memory bus, real SQLite file). Doubtful pairs come from the deployed model; practitioners'
reports come in on `links.reported`; every look and decision is audited, fail closed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from lateral_matcher.bootstrap import bootstrap
from lateral_matcher.config import MatcherSettings
from lateral_shared.auth import issue_token
from lateral_shared.bus import OutgoingMessage
from lateral_shared.contracts import (
    AUDIT_EVENTS,
    LINKS_REPORTED,
    RECORDS_CLEAN,
    RECORDS_LINKED,
    AuditEvent,
    LinkReported,
    RecordCleaned,
    RecordLinked,
    decode_event,
    encode_event,
)
from lateral_shared.contracts.records import CleanRecord
from lateral_shared.runtime import Service, create_app
from lateral_shared.testing.fakes import InMemoryBus

MakeRecord = Callable[..., CleanRecord]
SECRET = "review-api-test-secret-of-enough-length"  # noqa: S105 (a test key)
AMY = {"forename": "Amy", "surname": "Smith", "date_of_birth": "2012-03-04", "dob_precision": "day"}


@dataclass
class Matcher:
    service: Service
    bus: InMemoryBus
    http: httpx.AsyncClient

    async def consume(self, topic: str, *events: Any) -> None:
        """Publish events on `topic` and let the matcher's consumer of that topic handle them."""
        await self.bus.publish(
            topic, [OutgoingMessage(str(uuid.uuid4()), encode_event(e)) for e in events]
        )
        [consumer] = [c for c in self.service.consumers() if c.subscription.topic == topic]
        reader = self.bus.consumer(consumer.subscription.group_id, [topic])
        await reader.start()
        await consumer.process(reader, await reader.fetch())

    async def send(self, *records: CleanRecord) -> list[RecordLinked]:
        before = len(self.bus.topics[RECORDS_LINKED])
        await self.consume(RECORDS_CLEAN, *(RecordCleaned(batch_id=uuid.uuid4(), record=r)
                                            for r in records))  # fmt: skip
        return [decode_event(RECORDS_LINKED, m.value)  # type: ignore[misc]
                for m in self.bus.topics[RECORDS_LINKED][before:]]  # fmt: skip

    def audited(self) -> list[AuditEvent]:
        return [decode_event(AUDIT_EVENTS, m.value) for m in self.bus.topics[AUDIT_EVENTS]]  # type: ignore[misc]


def _as(*roles: str, subject: str = "steward-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SECRET, subject=subject, roles=list(roles))}"}


STEWARD = _as("data_steward")


@pytest.fixture
async def matcher(tmp_path: Path) -> AsyncIterator[Matcher]:
    bus = InMemoryBus()
    settings = MatcherSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}", secret_key=SECRET
    )
    service = await bootstrap(settings, bus=bus)
    transport = httpx.ASGITransport(app=create_app([service]))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        yield Matcher(service, bus, http)
    for hook in service.on_stop:
        await hook()


async def _doubtful_pair(matcher: Matcher, make_record: MakeRecord) -> tuple[str, str]:
    """Amy, then a record with only her birth month: a review item. (review ID, Amy's ID)"""
    [amy] = await matcher.send(make_record("1", person=AMY))
    await matcher.send(make_record("2", person={**AMY, "date_of_birth": "2012-03"}))
    page = (await matcher.http.get("/v1/review-items", headers=STEWARD)).json()
    [item] = page["items"]
    assert amy.person is not None
    return item["review_id"], amy.person.person_id


async def test_a_steward_lists_and_opens_a_doubtful_pair(
    matcher: Matcher, make_record: MakeRecord
) -> None:
    review_id, amy = await _doubtful_pair(matcher, make_record)
    response = await matcher.http.get(f"/v1/review-items/{review_id}", headers=STEWARD)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    item = response.json()
    assert (item["record_key"], item["person_id"], item["status"]) == ("csc-leeds/2", amy, "open")
    assert item["source"] == "matcher" and 0 < item["probability"] < 1
    assert item["record"]["person"]["date_of_birth"] == "2012-03"
    assert [r["record_key"] for r in item["person_records"]] == ["csc-leeds/1"]
    actions = [(e.action, e.actor) for e in matcher.audited()]
    assert actions == [("list_review_items", "steward-1"), ("view_review_item", "steward-1")]


async def test_deciding_same_merges_and_is_audited_and_cannot_be_decided_twice(
    matcher: Matcher, make_record: MakeRecord
) -> None:
    review_id, amy = await _doubtful_pair(matcher, make_record)
    before = len(matcher.bus.topics[RECORDS_LINKED])
    body = {"decision": "same", "reason": "same school and GP"}
    url = f"/v1/review-items/{review_id}/decision"
    decided = await matcher.http.post(url, json=body, headers=STEWARD)
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["decided_by"]) == ("same", "steward-1")
    [linked] = [decode_event(RECORDS_LINKED, m.value)
                for m in matcher.bus.topics[RECORDS_LINKED][before:]]  # fmt: skip
    assert isinstance(linked, RecordLinked) and linked.person is not None
    assert linked.person.person_id == amy  # the reviewed person keeps its ID
    assert {r.record_key for r in linked.person.records} == {"csc-leeds/1", "csc-leeds/2"}
    decision = matcher.audited()[-1]
    assert (decision.action, decision.reason) == ("decide_review_item", "same school and GP")
    assert decision.criteria == {"review_id": review_id, "decision": "same"}
    again = await matcher.http.post(url, json=body, headers=STEWARD)
    assert again.status_code == 409


async def test_no_decision_is_kept_when_the_audit_trail_is_down(
    matcher: Matcher, make_record: MakeRecord
) -> None:
    review_id, _ = await _doubtful_pair(matcher, make_record)
    matcher.bus.fail_publish = True
    url = f"/v1/review-items/{review_id}/decision"
    refused = await matcher.http.post(url, json={"decision": "same", "reason": "x"},
                                      headers=STEWARD)  # fmt: skip
    matcher.bus.fail_publish = False
    assert refused.status_code == 503
    item = (await matcher.http.get(f"/v1/review-items/{review_id}", headers=STEWARD)).json()
    assert item["status"] == "open"


async def test_a_decision_on_persons_that_keep_changing_is_refused_and_can_be_retried(
    matcher: Matcher, make_record: MakeRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a decision locks its persons' blocking keys as a linking batch would; if
    batches keep adding records to them while it waits, it gives up after a few rounds (here
    forced: the lock step always reports a change) and the steward is told to try again."""
    from lateral_matcher.service_layer import reviewing

    review_id, _ = await _doubtful_pair(matcher, make_record)

    async def always_changed(*_: object) -> bool:
        return False

    monkeypatch.setattr(reviewing, "lock_persons", always_changed)
    url = f"/v1/review-items/{review_id}/decision"
    body = {"decision": "same", "reason": "same school"}
    busy = await matcher.http.post(url, json=body, headers=STEWARD)
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "2"
    assert "try again" in busy.json()["detail"]
    item = (await matcher.http.get(f"/v1/review-items/{review_id}", headers=STEWARD)).json()
    assert item["status"] == "open"
    made = [e for e in matcher.audited() if e.action == "decide_review_item"]
    assert all(e.outcome != "success" for e in made)  # the trail shows no decision made
    monkeypatch.undo()
    assert (await matcher.http.post(url, json=body, headers=STEWARD)).status_code == 200


async def test_only_data_stewards_see_the_queue(matcher: Matcher) -> None:
    anonymous = await matcher.http.get("/v1/review-items")
    practitioner = await matcher.http.get("/v1/review-items", headers=_as("practitioner"))
    assert (anonymous.status_code, practitioner.status_code) == (401, 403)
    [denied] = matcher.audited()
    assert (denied.action, denied.outcome) == ("list_review_items", "denied")


async def test_a_bad_decision_names_the_field_without_echoing_it(
    matcher: Matcher, make_record: MakeRecord
) -> None:
    review_id, _ = await _doubtful_pair(matcher, make_record)
    url = f"/v1/review-items/{review_id}/decision"
    response = await matcher.http.post(url, json={"decision": "Amy Smith"}, headers=STEWARD)
    assert response.status_code == 422
    assert "Amy Smith" not in response.text
    assert {tuple(d["loc"]) for d in response.json()["detail"]} == {
        ("body", "decision"), ("body", "reason")
    }  # fmt: skip


async def test_a_practitioners_report_becomes_a_review_item_and_not_same_splits(
    matcher: Matcher, make_record: MakeRecord
) -> None:
    nhs = {**AMY, "nhs_number": "9434765919"}
    [first], [second] = (
        await matcher.send(make_record("1", person=nhs)),
        await matcher.send(make_record("2", feed="health-leeds", person=nhs)),
    )
    assert first.person is not None and second.person is not None
    person = first.person.person_id
    assert second.person.person_id == person
    report = LinkReported(person_id=person, record_key="health-leeds/2",
                          reported_by="sw-9", reason="this attendance is her cousin")  # fmt: skip
    await matcher.consume(LINKS_REPORTED, report, report)  # reported twice: one item
    [item] = (await matcher.http.get("/v1/review-items", headers=STEWARD)).json()["items"]
    assert (item["source"], item["reported_by"]) == ("practitioner", "sw-9")
    assert item["report_reason"] == "this attendance is her cousin"
    url = f"/v1/review-items/{item['review_id']}/decision"
    body = {"decision": "not_same", "reason": "cousin"}
    assert (await matcher.http.post(url, json=body, headers=STEWARD)).status_code == 200
    identity = (await matcher.http.get(f"/v1/identity/{person}", headers=STEWARD)).json()
    [split] = identity["changes"]
    assert (split["kind"], split["record_keys"], split["actor"]) == (
        "split", ["health-leeds/2"], "steward-1"
    )  # fmt: skip
    later = await matcher.send(make_record("2", feed="health-leeds", person=nhs, version="2"))
    assert later[0].person is not None and later[0].person.person_id != person


async def test_a_report_about_an_unknown_record_raises_nothing(matcher: Matcher) -> None:
    report = LinkReported(person_id=str(uuid.uuid4()), record_key="csc-leeds/NEVER",
                          reported_by="sw-9", reason="not her")  # fmt: skip
    await matcher.consume(LINKS_REPORTED, report)
    page = (await matcher.http.get("/v1/review-items", headers=STEWARD)).json()
    assert page["total"] == 0


async def test_a_steward_lists_past_decisions_newest_first(
    matcher: Matcher, make_record: MakeRecord
) -> None:
    await matcher.send(make_record("1", person=AMY))
    await matcher.send(make_record("2", person={**AMY, "date_of_birth": "2012-03"}))
    await matcher.send(make_record("3", person={**AMY, "date_of_birth": "2012"}))
    items = (await matcher.http.get("/v1/review-items", headers=STEWARD)).json()["items"]
    first, second = items[0]["review_id"], items[1]["review_id"]
    for review_id, decision in ((first, "same"), (second, "not_same")):
        body = {"decision": decision, "reason": f"checked with the school ({decision})"}
        decided = await matcher.http.post(
            f"/v1/review-items/{review_id}/decision", json=body, headers=STEWARD
        )
        assert decided.status_code == 200
    page = await matcher.http.get("/v1/review-items/decided?page_size=1", headers=STEWARD)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert page.json()["total"] == 2
    [newest] = page.json()["items"]
    assert (newest["review_id"], newest["status"], newest["decided_by"]) == (
        second, "not_same", "steward-1"
    )  # fmt: skip
    assert newest["decision_reason"] == "checked with the school (not_same)"
    older = await matcher.http.get("/v1/review-items/decided?page=2&page_size=1", headers=STEWARD)
    assert [i["review_id"] for i in older.json()["items"]] == [first]
    looks = [e for e in matcher.audited() if e.action == "list_decided_review_items"]
    assert [(e.actor, e.result_ids) for e in looks] == [("steward-1", [second]),
                                                        ("steward-1", [first])]  # fmt: skip


async def test_only_data_stewards_see_past_decisions(matcher: Matcher) -> None:
    url = "/v1/review-items/decided"
    anonymous = await matcher.http.get(url)
    practitioner = await matcher.http.get(url, headers=_as("practitioner", subject="pat"))
    assert (anonymous.status_code, practitioner.status_code) == (401, 403)
    [denied] = matcher.audited()
    assert (denied.action, denied.outcome, denied.actor) == (
        "list_decided_review_items", "denied", "pat"
    )  # fmt: skip


async def test_a_refused_decision_is_audited_as_a_decision_on_that_item(
    matcher: Matcher, make_record: MakeRecord
) -> None:
    review_id, _ = await _doubtful_pair(matcher, make_record)
    refused = await matcher.http.post(
        f"/v1/review-items/{review_id}/decision",
        json={"decision": "same", "reason": "looks like her"},
        headers=_as("practitioner", subject="pat"),
    )
    assert refused.status_code == 403
    denied = matcher.audited()[-1]
    assert (denied.action, denied.outcome, denied.actor) == ("decide_review_item", "denied", "pat")
    assert denied.criteria == {"review_id": review_id}  # the item's ID, nothing from the body
    # A path that is not an item ID (it could be anything a client typed) is not recorded.
    await matcher.http.post("/v1/review-items/Amy%20Smith/decision", json={},
                            headers=_as("practitioner", subject="pat"))  # fmt: skip
    assert matcher.audited()[-1].criteria == {}


class LinkedTopicDown(InMemoryBus):
    """Takes audit events, refuses `records.linked` while `down` (as after a crash)."""

    down = False

    async def publish(self, topic: str, messages: Sequence[OutgoingMessage]) -> None:
        if topic == RECORDS_LINKED and self.down:
            raise ConnectionError("records.linked unavailable")
        await super().publish(topic, messages)


async def test_the_matchers_relay_publishes_what_a_decision_could_not(
    tmp_path: Path, make_record: MakeRecord
) -> None:
    bus = LinkedTopicDown()
    settings = MatcherSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
                               secret_key=SECRET)  # fmt: skip
    service = await bootstrap(settings, bus=bus)
    transport = httpx.ASGITransport(app=create_app([service]))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        matcher = Matcher(service, bus, http)
        review_id, amy = await _doubtful_pair(matcher, make_record)
        before = len(bus.topics[RECORDS_LINKED])
        bus.down = True
        body = {"decision": "same", "reason": "same school"}
        decided = await http.post(f"/v1/review-items/{review_id}/decision", json=body,
                                  headers=STEWARD)  # fmt: skip
        assert decided.status_code == 200  # kept: the events wait in the outbox
        assert len(bus.topics[RECORDS_LINKED]) == before
        bus.down = False
        [relay] = service.background  # what `serve` runs beside the consumers
        stopping = asyncio.Event()
        job = asyncio.create_task(relay(stopping))
        for _ in range(100):
            if len(bus.topics[RECORDS_LINKED]) > before:
                break
            await asyncio.sleep(0.05)
        stopping.set()
        await job
    for hook in service.on_stop:
        await hook()
    [linked] = [decode_event(RECORDS_LINKED, m.value) for m in bus.topics[RECORDS_LINKED][before:]]
    assert isinstance(linked, RecordLinked) and linked.person is not None
    assert linked.person.person_id == amy
