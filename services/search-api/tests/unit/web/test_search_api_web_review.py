"""The data steward's review queue pages, against the real matcher: the matcher (bootstrap on an
in-memory bus and a tmp SQLite file) is served over HTTP on a loopback port, as in a
deployment, and the web app calls it on the signed-in steward's behalf. Review items come in as
they do in production: a doubtful pair from the matching engine, a practitioner's report."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from lateral_matcher.bootstrap import bootstrap as bootstrap_matcher
from lateral_matcher.config import MatcherSettings
from lateral_search_api.adapters.database import open_database
from lateral_search_api.bootstrap import bootstrap as bootstrap_search_api
from lateral_search_api.config import SearchApiSettings
from lateral_search_api.entrypoints.web.review_client import matcher_url
from lateral_search_api.entrypoints.web.review_display import pagination
from lateral_search_api.service_layer.users import ensure_user
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
from lateral_shared.contracts.records import AgencyKind, CleanPerson, CleanRecord, RecordStatus
from lateral_shared.db import session_factory
from lateral_shared.runtime import Service, create_app
from lateral_shared.testing.engines import free_port
from lateral_shared.testing.fakes import InMemoryBus, InMemoryIndex

SECRET = "review-pages-test-secret-0123456789-not-real"  # noqa: S105 (a test-only key)
PASSWORD = "a long test password"  # noqa: S105 (test-only accounts)
STEWARD = "stella.steward"
OTHER_ROLES = ("practitioner", "duty_manager", "ig_officer", "admin")
# A synthetic child (no NHS number), then a record with only her birth month: a doubtful pair.
AMY = {"forename": "Amy", "surname": "Smith", "date_of_birth": "2012-03-04",
       "dob_precision": "day", "gender": "female"}  # fmt: skip
AMY_MONTH_ONLY = {**AMY, "date_of_birth": "2012-03", "dob_precision": "month"}
FORENAMES = ("Ada", "Bea", "Cal", "Dot", "Eve", "Fay", "Gus", "Hal", "Ida", "Jon", "Kit",
             "Lou", "Max", "Ned", "Oz", "Pip", "Quin", "Roy", "Sid", "Tam", "Uma")  # fmt: skip


def _record(source_id: str, person: dict[str, Any], event_date: date) -> CleanRecord:
    return CleanRecord(
        record_key=f"csc-leeds/{source_id}", partner_id="csc", feed_id="csc-leeds",
        source_record_id=source_id, agency_kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
        event_type="referral", event_date=event_date, status=RecordStatus.OPEN,
        person=CleanPerson(**person),
        content_hash=hashlib.sha256(f"{source_id}/{person}".encode()).hexdigest(),
    )  # fmt: skip


@dataclass
class Desk:
    """The web app (driven as a browser would) and the matcher it calls."""

    web: httpx.AsyncClient
    matcher: Service
    matcher_bus: InMemoryBus
    search_bus: InMemoryBus
    matcher_url: str

    async def sign_in(self, username: str = STEWARD) -> str:
        """Sign in through the form; the signed-in session's CSRF token."""
        form = await self.web.get("/sign-in")
        done = await self.web.post("/sign-in", data={
            "csrf_token": csrf_of(form), "username": username, "password": PASSWORD})  # fmt: skip
        assert done.status_code == 303, done.text
        # Any page carries the session's token; this one asks nothing of the matcher.
        page = await self.web.get("/reason")
        return csrf_of(page)

    async def consume(self, topic: str, *events: Any) -> None:
        """Publish on `topic` and let the matcher's consumer of that topic handle the events."""
        await self.matcher_bus.publish(
            topic, [OutgoingMessage(str(uuid.uuid4()), encode_event(e)) for e in events]
        )
        [consumer] = [c for c in self.matcher.consumers() if c.subscription.topic == topic]
        reader = self.matcher_bus.consumer(consumer.subscription.group_id, [topic])
        await reader.start()
        await consumer.process(reader, await reader.fetch())

    async def send(self, record: CleanRecord) -> list[RecordLinked]:
        """One cleansed record through the matcher; the `records.linked` events it caused."""
        before = len(self.matcher_bus.topics[RECORDS_LINKED])
        cleaned = RecordCleaned(batch_id=uuid.uuid4(), record_key=record.record_key, record=record)
        await self.consume(RECORDS_CLEAN, cleaned)
        events = [decode_event(RECORDS_LINKED, m.value)
                  for m in self.matcher_bus.topics[RECORDS_LINKED][before:]]  # fmt: skip
        return [e for e in events if isinstance(e, RecordLinked)]

    async def doubtful_pair(self) -> str:
        """Amy, then a record of hers with only her birth month: one open review item."""
        await self.send(_record("1", AMY, date(2025, 1, 10)))
        await self.send(_record("2", AMY_MONTH_ONLY, date(2025, 2, 1)))
        [item] = [i for i in await self.open_items() if i["record_key"] == "csc-leeds/2"]
        return str(item["review_id"])

    async def reported_link(self) -> str:
        """Two records of Amy's, linked; a practitioner reports that the second is not hers."""
        await self.send(_record("5", AMY, date(2025, 1, 20)))
        [linked] = await self.send(_record("7", AMY, date(2025, 3, 1)))
        assert linked.person is not None and len(linked.person.records) >= 2
        report = LinkReported(
            person_id=linked.person.person_id,
            record_key="csc-leeds/7",
            reported_by="pat",
            reason="Our records show a different child.",
        )
        await self.consume(LINKS_REPORTED, report)
        [item] = [i for i in await self.open_items() if i["source"] == "practitioner"]
        return str(item["review_id"])

    async def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The matcher's own API, as a steward's API client would call it (the test's check)."""
        token = issue_token(SECRET, subject="checker", roles=["data_steward"])
        async with httpx.AsyncClient(base_url=self.matcher_url) as client:
            return await client.request(
                method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs
            )

    async def open_items(self) -> list[dict[str, Any]]:
        return list((await self.api("GET", "/v1/review-items")).json()["items"])

    async def item(self, review_id: str) -> dict[str, Any]:
        found = await self.api("GET", f"/v1/review-items/{review_id}")
        assert found.status_code == 200
        return dict(found.json())

    def matcher_audit(self, action: str) -> list[AuditEvent]:
        topic = self.matcher_bus.topics[AUDIT_EVENTS]
        events = [decode_event(AUDIT_EVENTS, m.value) for m in topic]
        # Not the test's own checks through the API (as "checker").
        return [
            e
            for e in events
            if isinstance(e, AuditEvent) and e.action == action and e.actor != "checker"
        ]

    def web_audit(self, action: str) -> list[AuditEvent]:
        events = [decode_event(AUDIT_EVENTS, v) for v in self.search_bus.values(AUDIT_EVENTS)]
        return [e for e in events if isinstance(e, AuditEvent) and e.action == action]


def csrf_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "the page has a form with a CSRF token"
    return match.group(1)


@contextlib.asynccontextmanager
async def served(app: Any, port: int) -> AsyncIterator[None]:
    """`app` served by uvicorn on 127.0.0.1:`port` in this event loop."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():  # noqa: ASYNC110 (uvicorn offers a flag)
        await asyncio.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        await task


async def _search_api(tmp_path: Path, matcher_url: str, bus: InMemoryBus) -> Service:
    settings = SearchApiSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/search-api.db", secret_key=SECRET,
        environment="test", matcher_url=matcher_url,
    )  # fmt: skip
    engine = await open_database(settings.database_url)
    async with session_factory(engine)() as session:
        await ensure_user(session, username=STEWARD, password=PASSWORD, roles=["data_steward"])
        for role in OTHER_ROLES:
            await ensure_user(session, username=role.replace("_", "-"), password=PASSWORD,
                              roles=[role])  # fmt: skip
    await engine.dispose()
    return await bootstrap_search_api(settings, bus=bus, index=InMemoryIndex())


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    matcher_bus, search_bus = InMemoryBus(), InMemoryBus()
    matcher = await bootstrap_matcher(
        MatcherSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'matcher.db'}",
                        secret_key=SECRET),
        bus=matcher_bus,
    )  # fmt: skip
    port = free_port()
    matcher_url = f"http://127.0.0.1:{port}"
    search_api = await _search_api(tmp_path, matcher_url, search_bus)
    transport = httpx.ASGITransport(app=create_app([search_api]))
    async with (
        served(create_app([matcher]), port),
        httpx.AsyncClient(transport=transport, base_url="http://test") as web,
    ):
        yield Desk(web, matcher, matcher_bus, search_bus, matcher_url)
    for hook in [*search_api.on_stop, *matcher.on_stop]:
        await hook()


# --- The queue


async def test_a_steward_sees_the_open_items_oldest_first(desk: Desk) -> None:
    doubtful = await desk.doubtful_pair()
    reported = await desk.reported_link()
    await desk.sign_in()
    page = await desk.web.get("/review")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    text = " ".join(page.text.split())
    assert '<h1 class="govuk-heading-l">Review queue</h1>' in text
    waiting = len(await desk.open_items())  # Amy's later records are doubtful too
    assert waiting >= 2
    assert f"{waiting} items are waiting for a decision, oldest first." in text
    # Oldest first: the engine's doubtful pair, then the practitioner's report.
    assert text.index(f'href="/review/{doubtful}"') < text.index(f'href="/review/{reported}"')
    assert "Possible match: the matching engine was not sure" in text
    assert "Reported by a practitioner" in text
    assert "Smith" not in text  # the list names no one; the links carry item IDs only
    [look] = desk.matcher_audit("list_review_items")
    assert look.actor == STEWARD  # the steward's own user ID, not a service's


async def test_an_empty_queue_says_there_is_nothing_to_review(desk: Desk) -> None:
    await desk.sign_in()
    page = await desk.web.get("/review")
    assert page.status_code == 200
    assert "There is nothing to review." in page.text


async def test_a_long_queue_is_shown_twenty_to_a_page(desk: Desk) -> None:
    people = [{**AMY, "forename": name, "surname": f"{name}ley", "date_of_birth": f"20{i:02}-01-02"}
              for i, name in enumerate(FORENAMES)]  # fmt: skip
    records = [_record(f"P-{i}", person, date(2025, 1, 5)) for i, person in enumerate(people)]
    batch = uuid.uuid4()
    cleaned = [RecordCleaned(batch_id=batch, record_key=r.record_key, record=r) for r in records]
    await desk.consume(RECORDS_CLEAN, *cleaned)
    linked = [
        decode_event(RECORDS_LINKED, m.value) for m in desk.matcher_bus.topics[RECORDS_LINKED]
    ]
    reports = [
        LinkReported(person_id=e.person.person_id, record_key=e.record.record_key,
                     reported_by="pat", reason="Not this child.")
        for e in linked if isinstance(e, RecordLinked) and e.person is not None
    ]  # fmt: skip
    await desk.consume(LINKS_REPORTED, *reports)
    total = len(await desk.open_items())
    assert total > 20
    await desk.sign_in()
    first = await desk.web.get("/review")
    assert re.findall(r">Review item (\d+)</a>", first.text) == [str(n) for n in range(1, 21)]
    assert f"{total} items are waiting" in first.text and "Showing 1 to 20." in first.text
    assert 'href="/review?page=2"' in first.text and 'aria-current="page"' in first.text
    second = await desk.web.get("/review?page=2")
    numbers = re.findall(r">Review item (\d+)</a>", second.text)
    assert numbers == [str(n) for n in range(21, total + 1)]
    assert 'href="/review?page=1"' in second.text
    # No row is shown twice across the pages.
    ids = re.findall(r'href="/review/([0-9a-f-]{36})"', first.text + second.text)
    assert len(ids) == len(set(ids)) == total


def test_the_queue_pages_link_to_their_neighbours() -> None:
    links = pagination(3, 10)
    assert links["previous"]["href"] == "/review?page=2"
    assert links["next"]["href"] == "/review?page=4"
    numbers = [i["number"] for i in links["items"] if not i.get("ellipsis")]
    assert numbers == [1, 2, 3, 4, 10]
    assert [i["number"] for i in links["items"] if i.get("current")] == [3]
    assert sum(1 for i in links["items"] if i.get("ellipsis")) == 1
    assert pagination(1, 1)["previous"] is None and pagination(1, 1)["next"] is None


# --- Decided items


async def _decide_by_api(desk: Desk, review_id: str, decision: str, reason: str) -> None:
    sent = await desk.api("POST", f"/v1/review-items/{review_id}/decision",
                          json={"decision": decision, "reason": reason})  # fmt: skip
    assert sent.status_code == 200


async def test_a_steward_sees_past_decisions_newest_first(desk: Desk) -> None:
    doubtful = await desk.doubtful_pair()
    reported = await desk.reported_link()
    await _decide_by_api(desk, doubtful, "same", "Same school and GP practice.")
    await _decide_by_api(desk, reported, "not_same", "A cousin, checked with the school.")
    await desk.sign_in()
    queue = await desk.web.get("/review")
    assert 'href="/review/decided"' in queue.text  # the queue leads to the decided items
    page = await desk.web.get("/review/decided")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = " ".join(page.text.split())
    assert '<h1 class="govuk-heading-l">Decided items</h1>' in text
    assert "2 items have been decided." in text
    assert 'href="/review"' in text  # and back to the items waiting
    # Newest first: the report decided last comes first, with who, which way and why.
    assert text.index(f'href="/review/{reported}"') < text.index(f'href="/review/{doubtful}"')
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', text)[1:]
    assert "Not the same person" in rows[0] and "A cousin, checked with the school." in rows[0]
    assert "Same person" in rows[1] and "Same school and GP practice." in rows[1]
    assert all("checker" in row for row in rows)
    assert "Smith" not in text  # names no one: item IDs and the stewards' reasons
    [look] = desk.matcher_audit("list_decided_review_items")
    assert (look.actor, look.result_ids) == (STEWARD, [reported, doubtful])


async def test_no_decisions_yet_says_so(desk: Desk) -> None:
    await desk.doubtful_pair()
    await desk.sign_in()
    page = await desk.web.get("/review/decided")
    assert page.status_code == 200
    assert "Nothing has been decided yet." in page.text


async def test_a_long_decided_list_is_shown_twenty_to_a_page(desk: Desk) -> None:
    people = [{**AMY, "forename": name, "surname": f"{name}ley", "date_of_birth": f"20{i:02}-01-02"}
              for i, name in enumerate(FORENAMES)]  # fmt: skip
    for i, person in enumerate(people):
        [linked] = await desk.send(_record(f"D-{i}", person, date(2025, 1, 5)))
        assert linked.person is not None
        report = LinkReported(person_id=linked.person.person_id, record_key=f"csc-leeds/D-{i}",
                              reported_by="pat", reason="Not this child.")  # fmt: skip
        await desk.consume(LINKS_REPORTED, report)
    items = await desk.open_items()
    for item in items:
        await _decide_by_api(desk, item["review_id"], "same", "Checked: it is this child.")
    await desk.sign_in()
    first = await desk.web.get("/review/decided")
    assert re.findall(r">Decided item (\d+)</a>", first.text) == [str(n) for n in range(1, 21)]
    assert "Showing 1 to 20." in first.text and 'href="/review/decided?page=2"' in first.text
    second = await desk.web.get("/review/decided?page=2")
    numbers = re.findall(r">Decided item (\d+)</a>", second.text)
    assert numbers == [str(n) for n in range(21, len(items) + 1)]
    ids = re.findall(r'href="/review/([0-9a-f-]{36})"', first.text + second.text)
    assert len(ids) == len(set(ids)) == len(items)


# --- One item


async def test_the_item_shows_the_record_and_the_person_side_by_side(desk: Desk) -> None:
    review_id = await desk.doubtful_pair()
    item = await desk.item(review_id)
    await desk.sign_in()
    page = await desk.web.get(f"/review/{review_id}")
    assert page.status_code == 200
    text = page.text
    table = text[text.index('id="side-by-side-caption"') :]
    row = re.search(r"Date of birth</th>(.*?)</tr>", table, re.S)
    assert row is not None
    cells = re.findall(r'<td class="govuk-table__cell">([^<]*)</td>', row.group(1))
    assert cells == ["2012-03", "4 Mar 2012"]  # the record under review, then hers
    assert table.count("Amy Smith") == 2
    # The engine's explanation, in the matcher's own plain words.
    assert item["explanation"]["summary"] in text
    assert "How each detail compared" in text and "Agree as far as both are known" in text
    assert 'name="decision" type="radio" value="same"' in text
    assert 'name="decision" type="radio" value="not_same"' in text
    assert '<textarea class="govuk-textarea" id="reason" name="reason"' in text
    [look] = desk.matcher_audit("view_review_item")
    assert (look.actor, look.criteria) == (STEWARD, {"review_id": review_id})


async def test_a_practitioners_report_shows_who_reported_it_and_why(desk: Desk) -> None:
    review_id = await desk.reported_link()
    await desk.sign_in()
    text = (await desk.web.get(f"/review/{review_id}")).text
    assert "Reported by a practitioner" in text
    assert "Our records show a different child." in text
    assert "The record under review is linked to this person now" in text
    assert "csc-leeds/7" in text and "csc-leeds/5" in text  # the reported record, and hers


async def test_an_unknown_item_is_a_404_page(desk: Desk) -> None:
    await desk.sign_in()
    unknown = await desk.web.get(f"/review/{uuid.uuid4()}")
    assert unknown.status_code == 404
    assert "Review item not found" in unknown.text
    not_an_id = await desk.web.get("/review/not-an-item")
    assert not_an_id.status_code == 404


# --- Deciding


async def test_a_steward_decides_and_sees_the_confirmation(desk: Desk) -> None:
    review_id = await desk.doubtful_pair()
    csrf = await desk.sign_in()
    reason = "Same school and GP practice; the partner sent only her birth month."
    sent = await desk.web.post(
        f"/review/{review_id}", data={"csrf_token": csrf, "decision": "same", "reason": reason}
    )
    assert (sent.status_code, sent.headers["location"]) == (303, f"/review/{review_id}/decided")
    done = await desk.web.get(sent.headers["location"])
    assert done.status_code == 200
    assert "Decision saved" in done.text and "Same person" in done.text
    assert "The record is now linked to the person" in done.text
    item = await desk.item(review_id)
    assert (item["status"], item["decided_by"]) == ("same", STEWARD)
    [decision] = desk.matcher_audit("decide_review_item")
    assert decision.actor == STEWARD
    assert decision.reason == reason
    assert decision.criteria == {"review_id": review_id, "decision": "same"}
    assert await desk.open_items() == []
    # The item's page now shows the decision instead of the form.
    text = (await desk.web.get(f"/review/{review_id}")).text
    assert 'name="decision"' not in text and STEWARD in text


async def test_not_the_same_person_is_kept_and_confirmed(desk: Desk) -> None:
    review_id = await desk.reported_link()
    csrf = await desk.sign_in()
    form = {"csrf_token": csrf, "decision": "not_same", "reason": "A cousin, checked with school."}
    sent = await desk.web.post(f"/review/{review_id}", data=form)
    assert sent.status_code == 303
    done = await desk.web.get(sent.headers["location"])
    assert "Not the same person" in done.text and "kept apart from the person" in done.text
    assert (await desk.item(review_id))["status"] == "not_same"


async def test_missing_fields_are_named_in_the_error_summary(desk: Desk) -> None:
    review_id = await desk.doubtful_pair()
    csrf = await desk.sign_in()
    sent = await desk.web.post(f"/review/{review_id}", data={"csrf_token": csrf})
    assert sent.status_code == 422
    text = sent.text
    assert "<title>Error: " in text
    start = text.index("govuk-error-summary")
    summary = text[start : text.index("</ul>", start)]
    assert '<a href="#decision">Select whether the records are about the same person</a>' in summary
    assert '<a href="#reason">Enter the reason for your decision</a>' in summary
    assert 'id="decision"' in text and 'id="reason"' in text  # where the links land
    # A decision with no reason keeps the chosen radio and names only the reason.
    again = await desk.web.post(f"/review/{review_id}", data={
        "csrf_token": csrf, "decision": "not_same", "reason": "  "})  # fmt: skip
    assert again.status_code == 422
    assert 'value="not_same" checked' in again.text
    assert "Select whether" not in again.text and "Enter the reason for your decision" in again.text
    too_long = await desk.web.post(f"/review/{review_id}", data={
        "csrf_token": csrf, "decision": "same", "reason": "x" * 2001})  # fmt: skip
    assert too_long.status_code == 422
    assert "The reason must be 2,000 characters or fewer" in too_long.text
    assert (await desk.item(review_id))["status"] == "open"
    assert desk.matcher_audit("decide_review_item") == []


async def test_a_decision_without_the_csrf_token_is_refused(desk: Desk) -> None:
    review_id = await desk.doubtful_pair()
    await desk.sign_in()
    for token in ({}, {"csrf_token": "forged"}):
        sent = await desk.web.post(f"/review/{review_id}", data={
            **token, "decision": "same", "reason": "Looks like her."})  # fmt: skip
        assert sent.status_code == 403
        assert "This form has expired" in sent.text
    assert (await desk.item(review_id))["status"] == "open"


async def test_a_second_decision_is_told_kindly_it_was_already_decided(desk: Desk) -> None:
    review_id = await desk.doubtful_pair()
    first = await desk.api("POST", f"/v1/review-items/{review_id}/decision",
                           json={"decision": "not_same", "reason": "Different child."})  # fmt: skip
    assert first.status_code == 200
    csrf = await desk.sign_in()
    sent = await desk.web.post(f"/review/{review_id}", data={
        "csrf_token": csrf, "decision": "same", "reason": "Same school."})  # fmt: skip
    assert sent.status_code == 409
    text = " ".join(sent.text.split())
    assert "This item has already been decided" in text and "your decision was not saved" in text
    assert "checker" in text and "Not the same person" in text
    assert (await desk.item(review_id))["status"] == "not_same"


async def test_nothing_is_shown_or_decided_when_the_matcher_cannot_audit(desk: Desk) -> None:
    review_id = await desk.doubtful_pair()
    csrf = await desk.sign_in()
    desk.matcher_bus.fail_publish = True
    page = await desk.web.get(f"/review/{review_id}")
    assert page.status_code == 503
    assert "audit trail is unavailable" in page.text and "Smith" not in page.text
    sent = await desk.web.post(f"/review/{review_id}", data={
        "csrf_token": csrf, "decision": "same", "reason": "Same school."})  # fmt: skip
    assert sent.status_code == 503
    desk.matcher_bus.fail_publish = False
    assert (await desk.item(review_id))["status"] == "open"


async def test_the_queue_says_so_when_the_matcher_cannot_be_reached(tmp_path: Path) -> None:
    bus = InMemoryBus()
    search_api = await _search_api(tmp_path, f"http://127.0.0.1:{free_port()}", bus)
    transport = httpx.ASGITransport(app=create_app([search_api]))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as web:
        await Desk(web, search_api, InMemoryBus(), bus, "").sign_in()
        page = await web.get("/review")
    for hook in search_api.on_stop:
        await hook()
    assert page.status_code == 503
    assert "The review queue is not available just now" in page.text


# --- Who may


@pytest.mark.parametrize("role", OTHER_ROLES)
async def test_only_data_stewards_may_see_or_decide(desk: Desk, role: str) -> None:
    review_id = await desk.doubtful_pair()
    csrf = await desk.sign_in(role.replace("_", "-"))
    for response in (
        await desk.web.get("/review"),
        await desk.web.get("/review/decided"),
        await desk.web.get(f"/review/{review_id}"),
        await desk.web.post(
            f"/review/{review_id}",
            data={"csrf_token": csrf, "decision": "same", "reason": "Looks like her."},
        ),
        await desk.web.get(f"/review/{review_id}/decided"),
    ):
        assert response.status_code == 403
        assert "You cannot review links" in response.text
        assert "Smith" not in response.text
    assert (await desk.item(review_id))["status"] == "open"
    # Refused by the web app itself (the matcher is never asked) and audited there.
    assert desk.matcher_audit("list_review_items") == []
    assert desk.matcher_audit("list_decided_review_items") == []
    looks = desk.web_audit("review_queue")
    [decision] = desk.web_audit("decide_review_item")  # a refused decision, on its item
    assert len(looks) == 4 and {e.outcome for e in [*looks, decision]} == {"denied"}
    assert {e.actor for e in [*looks, decision]} == {role.replace("_", "-")}
    assert decision.criteria == {"review_id": review_id}


async def test_the_review_queue_is_in_the_menu_of_data_stewards_only(desk: Desk) -> None:
    await desk.sign_in("practitioner")
    home = await desk.web.get("/reason")
    assert 'href="/search"' in home.text and 'href="/review"' not in home.text
    await desk.web.post("/sign-out", data={"csrf_token": csrf_of(home)})
    await desk.sign_in()
    queue = await desk.web.get("/review")
    menu = queue.text[queue.text.index("govuk-service-navigation") :]
    menu = menu[: menu.index("</nav>")]
    assert 'href="/review"' in menu and 'href="/search"' not in menu


async def test_a_steward_signing_in_lands_on_the_queue(desk: Desk) -> None:
    await desk.sign_in()
    home = await desk.web.get("/")
    assert (home.status_code, home.headers["location"]) == (303, "/review")


async def test_signed_out_visitors_are_sent_to_sign_in(desk: Desk) -> None:
    review_id = await desk.doubtful_pair()
    for path in ("/review", f"/review/{review_id}"):
        response = await desk.web.get(path)
        assert (response.status_code, response.headers["location"]) == (303, "/sign-in")
    posted = await desk.web.post(f"/review/{review_id}", data={"decision": "same", "reason": "x"})
    assert (posted.status_code, posted.headers["location"]) == (303, "/sign-in")
    assert (await desk.item(review_id))["status"] == "open"


def test_the_matcher_is_on_the_same_server_unless_its_url_is_set() -> None:
    def url(**values: Any) -> str:
        return matcher_url(SearchApiSettings(secret_key=SECRET, environment="test", **values))

    # Embedded mode: one server for every service, called on loopback even if it listens widely.
    assert url(http_host="127.0.0.1", http_port=8123) == "http://127.0.0.1:8123"
    assert url(http_host="0.0.0.0", http_port=8123) == "http://127.0.0.1:8123"  # noqa: S104
    # Distributed mode: the setting.
    assert url(matcher_url="http://matcher:8000/") == "http://matcher:8000"
