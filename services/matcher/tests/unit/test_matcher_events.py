"""The `records.linked` events as published: pydantic's own encoding, snapshots as stored, and
the candidates a record meets under a very common blocking key."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from lateral_matcher.adapters import candidates as candidate_reads
from lateral_matcher.adapters.engine import matcher_engine
from lateral_matcher.adapters.repository import MatcherRepository
from lateral_matcher.adapters.tables import records
from lateral_matcher.bootstrap import migrate_database
from lateral_matcher.domain.profile import clear_profiles, person_profile, profile_json
from lateral_matcher.domain.resolution import (
    CandidateRecord,
    Resolution,
    StewardDecisions,
    default_resolver,
)
from lateral_matcher.service_layer.linking import RecordLinker
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts import RECORDS_LINKED, RecordCleaned, decode_event, encode_event
from lateral_shared.contracts.records import AgencyKind, CleanRecord, RecordStatus
from lateral_shared.testing.fakes import InMemoryBus

MakeRecord = Callable[..., CleanRecord]
NHS = "9434765919"
HOME = "200000000001"
ZOE = {"forename": "Zoë", "surname": "O'Neill", "date_of_birth": "2012-03-04",
       "dob_precision": "day", "nhs_number": NHS}  # fmt: skip
KWAME = {"forename": "Kwame", "surname": "Mensah", "date_of_birth": "1979-02-11"}


async def test_every_event_is_exactly_what_pydantic_would_encode(
    matcher: Any, make_record: MakeRecord
) -> None:
    """The handler splices snapshots encoded once per batch into its events: each published
    value must be byte for byte `encode_event` of the event it decodes to."""
    first = make_record("1", person=ZOE, address_key=HOME)
    curly = {"nhs_number": NHS, "surname": "O\u2019Neill"}  # a typographic apostrophe
    second = make_record("2", feed="health-leeds", agency=AgencyKind.HEALTH, person=curly,
                         address_key=HOME)  # fmt: skip
    other = make_record("3", person=KWAME, address_key=HOME)
    fire = make_record("F1", feed="fire-wy", agency=AgencyKind.FIRE, address_key=HOME,
                       status=RecordStatus.CLOSED)  # fmt: skip
    await matcher.send(first, second, other, fire)
    await matcher.send(first)  # unchanged
    await matcher.send(make_record("1", person=ZOE, address_key=HOME, version="2"))  # updated
    await matcher.withdraw(second.record_key)
    published = matcher.bus.topics[RECORDS_LINKED]
    assert len(published) == 7
    changes = set()
    for message in published:
        event = decode_event(RECORDS_LINKED, message.value)
        assert encode_event(event) == message.value
        assert message.headers == {"event_type": "RecordLinked"}
        changes.add(event.change)  # type: ignore[attr-defined]
    assert changes == {"created", "unchanged", "updated", "withdrawn"}


async def test_snapshots_are_what_the_store_holds_after_the_batch(
    matcher: Any, make_record: MakeRecord
) -> None:
    """New persons' snapshots are built from the batch itself, others are read back: both must
    be the person's live records as stored, oldest event first, at the stored version."""
    [known] = await matcher.send(make_record("1", person=ZOE))
    events = await matcher.send(
        make_record("2", feed="health-leeds", agency=AgencyKind.HEALTH, person=ZOE),
        make_record("3", person=KWAME),
        make_record("4", person={**KWAME, "nhs_number": "9000000009"}),
    )
    assert events[0].person.person_id == known.person.person_id
    assert events[1].person.person_id == events[2].person.person_id != known.person.person_id
    async with matcher.engine.connect() as conn:
        repo = MatcherRepository(conn)
        ids = [known.person.person_id, events[1].person.person_id]
        stored = await repo.records_of_persons(ids)
        versions = await repo.person_versions(ids)
    for event in events:
        person = event.person
        assert person.records == stored[person.person_id]
        assert person.version == versions[person.person_id]
    assert [len(stored[pid]) for pid in ids] == [2, 2]


class Spy:
    """The real resolver, noting the candidates each record met."""

    def __init__(self) -> None:
        self.inner = default_resolver()
        self.seen: dict[str, list[str]] = {}

    def resolve(
        self, record: CleanRecord, candidates: Sequence[CandidateRecord], decisions: Any
    ) -> Resolution:
        self.seen[record.record_key] = sorted(c.record_key for c in candidates)
        assert isinstance(decisions, StewardDecisions)
        return self.inner.resolve(record, candidates, decisions)


@pytest.fixture
async def spied(tmp_path: Path) -> AsyncIterator[tuple[RecordLinker, Spy]]:
    engine = matcher_engine(f"sqlite+aiosqlite:///{tmp_path / 'capped.db'}")
    await migrate_database(engine)
    ticks = iter(datetime(2025, 6, 1, tzinfo=UTC) + timedelta(seconds=s) for s in range(100))
    spy = Spy()
    publisher = EventPublisher(InMemoryBus(), service="matcher")
    yield RecordLinker(engine, publisher, clock=lambda: next(ticks), resolver=spy), spy
    await engine.dispose()


async def test_a_very_common_key_meets_only_its_most_recent_records(
    spied: tuple[RecordLinker, Spy], make_record: MakeRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many records under one key (one NHS number here): a new record meets the most recent
    `CANDIDATES_PER_KEY` of them, when the key is first found to be common and after."""
    monkeypatch.setattr(candidate_reads, "CANDIDATES_PER_KEY", 3)
    monkeypatch.setattr(candidate_reads, "_BIG_KEYS", set())
    linker, spy = spied
    person = {"nhs_number": NHS}
    sent: list[str] = []
    for n in (5, 1, 4, 2, 3, 7, 6):  # one batch each, so each is more recent than the last
        record = make_record(f"{n}", person=person)
        event = RecordCleaned(batch_id=uuid.uuid4(), record_key=record.record_key, record=record)
        await linker([event])
        assert spy.seen[record.record_key] == sorted(sent[-3:])
        sent.append(record.record_key)
    assert candidate_reads._BIG_KEYS  # the common key was found, and is read ranked since


async def test_a_record_stored_anew_by_another_writer_is_read_as_stored(
    matcher: Any, make_record: MakeRecord
) -> None:
    """Parsed records are kept in memory: a record another matcher replica stored again under
    the same key (here: a new forename, written straight to the table) must be read as it is
    stored now, not as this process last parsed it."""
    [event] = await matcher.send(make_record("1", person=ZOE))
    person_id = event.person.person_id
    renamed = make_record("1", person={**ZOE, "forename": "Zoe"})
    async with matcher.engine.begin() as conn:
        await conn.execute(
            update(records)
            .where(records.c.record_key == renamed.record_key)
            .values(record=renamed.model_dump(mode="json"))
        )
    async with matcher.engine.connect() as conn:
        repo = MatcherRepository(conn)
        [stored] = (await repo.records_of_persons([person_id]))[person_id]
        by_key = await repo.stored_records([renamed.record_key])
    assert stored == renamed
    assert by_key[renamed.record_key] == renamed


async def test_a_candidate_is_compared_as_its_stored_record_says(
    matcher: Any, make_record: MakeRecord
) -> None:
    """A candidate is read from the profile stored beside its record, and kept in memory: what
    is read is the profile as stored now (here another replica re-stored the record with a new
    forename), the same as profiling the record itself would give."""
    first = make_record("1", person=ZOE)
    await matcher.send(first)
    renamed = make_record("1", person={**ZOE, "forename": "Zoe"})
    for record in (first, renamed):
        profile = person_profile(record)
        assert profile is not None
        async with matcher.engine.begin() as conn:
            await conn.execute(
                update(records)
                .where(records.c.record_key == record.record_key)
                .values(record=record.model_dump(mode="json"), profile=profile_json(profile))
            )
        async with matcher.engine.connect() as conn:
            met, _ = await candidate_reads.load_candidates(
                conn, [f"nhs:{NHS}"], MatcherRepository.parse_record
            )
        assert met[record.record_key].profile == profile
        assert met[record.record_key].profile.forename_text == record.person.forename


@pytest.mark.parametrize("kept", ["nothing", "another format"])
async def test_a_record_stored_without_a_usable_profile_is_still_a_candidate(
    matcher: Any, make_record: MakeRecord, kept: str
) -> None:
    """Records stored before profiles were kept beside them (NULL), or in an older format of
    profile, are profiled from the record itself when met: a later record still links to them."""
    [first] = await matcher.send(make_record("1", person=ZOE))
    async with matcher.engine.begin() as conn:
        text = (await conn.execute(select(records.c.profile))).scalar_one()
        older = None if kept == "nothing" else "[0," + text.split(",", 1)[1]
        await conn.execute(update(records).values(profile=older))
    clear_profiles()
    health = make_record("2", feed="health-leeds", agency=AgencyKind.HEALTH, person=ZOE)
    [second] = await matcher.send(health)
    assert first.person is not None and second.person is not None
    assert second.person.person_id == first.person.person_id
