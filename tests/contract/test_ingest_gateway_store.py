"""The ingest-gateway's repository and partner registry on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lateral_ingest_gateway.adapters import batch_store, quarantine_store, repository, tables
from lateral_ingest_gateway.adapters.quarantine_store import QuarantinedRow
from lateral_ingest_gateway.bootstrap import MIGRATIONS, VERSION_TABLE, open_database
from lateral_ingest_gateway.domain.changes import Change, Coverage, RecordState, RowDecision
from lateral_ingest_gateway.domain.model import Batch, BatchCounts, BatchStatus, WayIn
from lateral_ingest_gateway.domain.validation import RowError, RowOutcome
from lateral_ingest_gateway.service_layer import partners
from lateral_shared.contracts import AgencyKind
from lateral_shared.db import create_engine, session_factory

SECRET = "contract-test-client-secret-0123456789"  # noqa: S105 (a test secret)
EVERY_SCOPE = frozenset({"records:write", "batches:read"})


async def add_partner_row(session: AsyncSession, partner_id: str, name: str = "P") -> None:
    """A partner row as the repository stores it (its "hash" a unique stand-in)."""
    await repository.create_partner(
        session, partner_id=partner_id, name=name, client_id=f"{partner_id}-app",
        secret_hash=f"scrypt$stand-in${partner_id}", scopes=EVERY_SCOPE,
    )  # fmt: skip


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = await open_database(database_url)
    await (await open_database(database_url)).dispose()  # migrating twice changes nothing
    yield session_factory(engine)
    await engine.dispose()


async def test_a_partner_client_is_found_by_client_id_with_its_secret_hash(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await repository.create_partner(
            session,
            partner_id="trust",
            name="City Trust",
            client_id="trust-app",
            secret_hash="scrypt$stand-in",  # noqa: S106 (a stand-in hash)
            scopes=frozenset({"batches:read"}),
        )
        await session.commit()
    async with sessions() as session:
        found = await repository.get_client_credentials(session, client_id="trust-app")
        by_client = await repository.get_partner_by_client_id(session, client_id="trust-app")
        assert await repository.get_client_credentials(session, client_id="trust") is None
    assert found is not None and by_client == found[0]
    partner, secret_hash = found
    assert (partner.partner_id, partner.name, partner.client_id, partner.disabled) == (
        "trust", "City Trust", "trust-app", False,
    )  # fmt: skip
    assert (partner.scopes, secret_hash) == (frozenset({"batches:read"}), "scrypt$stand-in")
    assert partner.created_at.tzinfo is not None and partner.secret_rotated_at is not None


async def test_client_ids_are_unique(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await add_partner_row(session, "a")
        await session.commit()
        with pytest.raises(IntegrityError):
            await repository.create_partner(
                session,
                partner_id="b",
                name="B",
                client_id="a-app",
                secret_hash="scrypt$other",  # noqa: S106 (a stand-in hash)
                scopes=EVERY_SCOPE,
            )
            await session.commit()


async def test_update_rotate_and_list_partners(sessions: async_sessionmaker[AsyncSession]) -> None:
    rotated_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    async with sessions() as session:
        for partner_id in ["police", "fire"]:
            await add_partner_row(session, partner_id, partner_id.title())
        assert await repository.update_partner(
            session, partner_id="fire", disabled=True, scopes=frozenset({"batches:read"})
        )
        assert await repository.set_secret_hash(
            session,
            partner_id="police",
            secret_hash="scrypt$new",  # noqa: S106 (a stand-in hash)
            rotated_at=rotated_at,
        )
        assert not await repository.update_partner(session, partner_id="nobody", disabled=True)
        await session.commit()
    async with sessions() as session:
        listed = await repository.list_partners(session)
        police = await repository.get_client_credentials(session, client_id="police-app")
    assert [(p.partner_id, p.disabled, p.scopes) for p in listed] == [
        ("fire", True, frozenset({"batches:read"})), ("police", False, EVERY_SCOPE),
    ]  # fmt: skip
    assert police is not None
    assert (police[0].secret_rotated_at, police[1]) == (rotated_at, "scrypt$new")


async def test_feeds_belong_to_existing_partners(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await add_partner_row(session, "p1")
        await repository.create_feed(
            session, feed_id="p1-csc", partner_id="p1", agency_kind=AgencyKind.CHILDRENS_SOCIAL_CARE
        )
        await session.commit()
        feed = await repository.get_feed(session, feed_id="p1-csc")
        assert feed is not None and feed.agency_kind is AgencyKind.CHILDRENS_SOCIAL_CARE
        assert [f.feed_id for f in await repository.list_feeds(session, partner_id="p1")] == [
            "p1-csc"
        ]
        assert await repository.list_feeds(session, partner_id="p2") == []
        with pytest.raises(IntegrityError):
            await repository.create_feed(
                session, feed_id="orphan", partner_id="nobody", agency_kind=AgencyKind.FIRE
            )
            await session.commit()


async def add_feed_row(session: AsyncSession, feed_id: str = "p1-ed") -> None:
    await add_partner_row(session, "p1")
    await repository.create_feed(
        session, feed_id=feed_id, partner_id="p1", agency_kind=AgencyKind.HEALTH
    )


async def test_batches_round_trip_count_and_finish(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    received = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    first = Batch(uuid.uuid4(), "p1-ed", "p1", WayIn.UPLOAD, received, BatchStatus.PROCESSING)
    second = Batch(uuid.uuid4(), "p1-ed", "p1", WayIn.API, received + timedelta(hours=1),
                   BatchStatus.REJECTED, file_error="The file is empty.")  # fmt: skip
    async with sessions() as session:
        await add_feed_row(session)
        await batch_store.create_batch(session, batch=first)
        await batch_store.create_batch(session, batch=second)
        await session.commit()
    async with sessions() as session:
        for counts in (BatchCounts(3, 1, 1, 1, 0, 0), BatchCounts(2, 0, 0, 0, 1, 1)):
            await batch_store.add_batch_counts(session, batch_id=first.batch_id, counts=counts)
        await batch_store.finish_batch(
            session, batch_id=first.batch_id, status=BatchStatus.COMPLETED, finished_at=received
        )
        await session.commit()
    async with sessions() as session:
        stored = await batch_store.get_batch(session, batch_id=first.batch_id)
        recent = await batch_store.list_batches(session, feed_id="p1-ed")
        missing = await batch_store.get_batch(session, batch_id=uuid.uuid4())
    assert stored is not None and missing is None
    assert (stored.status, stored.counts, stored.finished_at, stored.way_in) == (
        BatchStatus.COMPLETED, BatchCounts(5, 1, 1, 1, 1, 1), received, WayIn.UPLOAD,
    )  # fmt: skip
    assert [(b.batch_id, b.file_error) for b in recent] == [
        (second.batch_id, "The file is empty."), (first.batch_id, None),
    ]  # fmt: skip


async def test_record_states_are_inserted_then_replaced(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    batch_a, batch_b = uuid.uuid4(), uuid.uuid4()

    def taken(source_id: str, row: int, fingerprint: str, action: str = "upsert") -> RowDecision:
        outcome = RowOutcome(row, source_id, action, None, ())  # type: ignore[arg-type]
        return RowDecision(outcome, Change.ACCEPTED, fingerprint, Coverage(has_person=True))

    async with sessions() as session:
        await add_feed_row(session)
        first = [taken("R1", 2, "h1"), taken("R2", 3, "h2")]
        await batch_store.save_record_states(
            session, feed_id="p1-ed", batch_id=batch_a, decisions=first
        )
        await session.commit()
    async with sessions() as session:
        await batch_store.save_record_states(
            session, feed_id="p1-ed", batch_id=batch_b, decisions=[taken("R1", 7, "h1", "withdraw")]
        )
        await session.commit()
        states = await batch_store.record_states(
            session, feed_id="p1-ed", source_record_ids={"R1", "R2", "R3"}
        )
        figures = await quarantine_store.coverage(session, feed_id="p1-ed")
    assert states == {
        "R1": RecordState("h1", True, batch_b, 7), "R2": RecordState("h2", False, batch_a, 3),
    }  # fmt: skip
    assert (figures.records, figures.person_records, figures.with_nhs_number) == (1, 1, 0)


async def test_record_states_keep_when_they_were_saved(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    outcome = RowOutcome(2, "R1", "upsert", None, ())  # type: ignore[arg-type]
    before = datetime.now(UTC).replace(microsecond=0)
    async with sessions() as session:
        await add_feed_row(session)
        await batch_store.save_record_states(
            session, feed_id="p1-ed", batch_id=uuid.uuid4(),
            decisions=[RowDecision(outcome, Change.ACCEPTED, "h1", Coverage())],
        )  # fmt: skip
        await session.commit()
        stored = (await session.execute(sa.text("SELECT updated_at FROM feed_records"))).scalar()
        saved = (await session.execute(sa.select(tables.feed_records.c.updated_at))).scalar_one()
    # Written as every other timestamp of the store is (on SQLite: text without a zone, in UTC).
    assert not isinstance(stored, str) or "+" not in stored
    assert before <= batch_store.aware(saved) <= datetime.now(UTC)


async def test_row_errors_page_and_quarantine_replaces_and_releases(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    received = datetime(2025, 3, 1, tzinfo=UTC)
    first, later = (Batch(uuid.uuid4(), "p1-ed", "p1", WayIn.API, received,
                          BatchStatus.COMPLETED) for _ in range(2))  # fmt: skip

    def kept(batch: Batch, row: int, source_id: str | None) -> QuarantinedRow:
        error = RowError(row, "event_date", "must be a real date written YYYY-MM-DD")
        return QuarantinedRow(batch.batch_id, row, source_id, (error,), {"surname": "Nowak"},
                              received)  # fmt: skip

    async with sessions() as session:
        await add_feed_row(session)
        for batch in (first, later):
            await batch_store.create_batch(session, batch=batch)
        errors = [RowError(row, "status", "must be one of: 'open', 'closed'") for row in (4, 2, 3)]
        await batch_store.add_row_errors(session, batch_id=first.batch_id, errors=errors)
        await quarantine_store.quarantine(session, feed_id="p1-ed", batch_id=first.batch_id,
                                          rows=[kept(first, 2, "Q1"), kept(first, 3, "Q2"),
                                                kept(first, 4, None)])  # fmt: skip
        await quarantine_store.quarantine(session, feed_id="p1-ed", batch_id=later.batch_id,
                                          rows=[kept(later, 5, "Q1")])  # fmt: skip
        await quarantine_store.release(session, feed_id="p1-ed", batch_id=later.batch_id,
                                       source_record_ids=["Q2"])  # fmt: skip
        await session.commit()
    async with sessions() as session:
        page, total = await batch_store.row_errors(
            session, batch_id=first.batch_id, offset=1, limit=5
        )
        rows, count = await quarantine_store.quarantined(
            session, feed_id="p1-ed", offset=0, limit=10
        )
        in_later = await quarantine_store.rows_in_batch(
            session, batch_id=later.batch_id, source_record_ids={"Q1", "Q2"}
        )
    assert ([e.row for e in page], total) == ([3, 4], 3)
    assert [(r.batch_id, r.row, r.source_record_id) for r in rows] == [
        (first.batch_id, 4, None), (later.batch_id, 5, "Q1"),
    ]  # fmt: skip
    assert count == 2 and rows[1].data == {"surname": "Nowak"}
    assert rows[1].errors[0].field == "event_date" and rows[1].quarantined_at == received
    assert in_later == {"Q1": 5}


async def test_batches_from_before_per_row_counts_keep_their_meaning(database_url: str) -> None:
    """Migration 0003 on a database at 0002: an accepted batch becomes completed, every record
    counted accepted; one left publishing becomes failed."""
    engine = create_engine(database_url)
    at = datetime(2025, 1, 1, tzinfo=UTC)
    try:
        await _upgrade(engine, "0002")
        async with engine.begin() as connection:
            await connection.execute(sa.text(
                "INSERT INTO partners (partner_id, name, client_id, secret_hash, scopes, disabled,"
                " created_at) VALUES ('p1', 'P1', 'p1', 'x', 'records:write', false, :at)"
            ), {"at": at})  # fmt: skip
            await connection.execute(sa.text(
                "INSERT INTO feeds (feed_id, partner_id, agency_kind, created_at)"
                " VALUES ('p1-ed', 'p1', 'health', :at)"
            ), {"at": at})  # fmt: skip
            for batch_id, status in (("a" * 36, "accepted"), ("b" * 36, "publishing")):
                await connection.execute(sa.text(
                    "INSERT INTO batches (batch_id, feed_id, partner_id, received_at,"
                    " record_count, status) VALUES (:id, 'p1-ed', 'p1', :at, 4, :status)"
                ), {"id": batch_id, "at": at, "status": status})  # fmt: skip
        await _upgrade(engine, "head")
        async with engine.connect() as connection:
            rows = (await connection.execute(sa.text(
                "SELECT status, record_count, accepted, way_in FROM batches ORDER BY batch_id"
            ))).all()  # fmt: skip
        assert [tuple(row) for row in rows] == [("completed", 4, 4, "api"), ("failed", 4, 0, "api")]
    finally:
        await engine.dispose()


async def test_ensure_partner_and_feed_are_idempotent(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        for _ in range(2):
            first = await partners.ensure_partner(
                session, partner_id="demo", name="Demo", client_secret=SECRET
            )
            await partners.ensure_feed(
                session, feed_id="demo-fire", partner_id="demo", agency_kind=AgencyKind.FIRE
            )
        again = await partners.ensure_partner(
            session, partner_id="demo", name="Demo", client_secret=SECRET
        )
        # The same secret again is no rotation: tokens the demo already holds stay valid.
        assert again.secret_rotated_at == first.secret_rotated_at
        new_secret = SECRET + "-rotated"
        await partners.ensure_partner(
            session,
            partner_id="demo",
            name="Demo Fire",
            client_secret=new_secret,
            scopes=["records:write"],
        )
    async with sessions() as session:
        assert await partners.authenticate_client(
            session, client_id="demo", client_secret=SECRET
        ) is None  # fmt: skip
        partner = await partners.authenticate_client(
            session, client_id="demo", client_secret=new_secret
        )
        assert partner is not None and partner.name == "Demo Fire"
        assert partner.scopes == {"records:write"}
        assert len(await repository.list_partners(session)) == 1
        assert len(await repository.list_feeds(session)) == 1
        with pytest.raises(partners.RegistryConflict):
            await partners.ensure_feed(
                session, feed_id="demo-fire", partner_id="demo", agency_kind=AgencyKind.POLICE
            )
        with pytest.raises(ValueError, match="24 characters"):
            await partners.ensure_partner(
                session,
                partner_id="x",
                name="X",
                client_secret="short",  # noqa: S106
            )


async def test_a_disabled_partner_does_not_authenticate(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await partners.ensure_partner(session, partner_id="demo", name="Demo", client_secret=SECRET)
        assert await partners.disable_partner(session, partner_id="demo")
        # Registering the demo again must not switch a disabled partner back on.
        await partners.ensure_partner(session, partner_id="demo", name="Demo", client_secret=SECRET)
    async with sessions() as session:
        assert await partners.authenticate_client(
            session, client_id="demo", client_secret=SECRET
        ) is None  # fmt: skip
        assert await partners.enabled_client(session, client_id="demo") is None


async def test_a_rotated_secret_replaces_the_old_one(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await partners.ensure_partner(session, partner_id="demo", name="Demo", client_secret=SECRET)
        rotated = await partners.rotate_secret(session, partner_id="demo")
        assert await partners.rotate_secret(session, partner_id="nobody") is None
    assert rotated is not None
    _, new_secret = rotated
    async with sessions() as session:
        old = await partners.authenticate_client(session, client_id="demo", client_secret=SECRET)
        new = await partners.authenticate_client(
            session, client_id="demo", client_secret=new_secret
        )
    assert old is None and new is not None and new.partner_id == "demo"


async def test_partners_registered_before_client_credentials_keep_their_feeds(
    database_url: str,
) -> None:
    """Migration 0002 on a database at 0001: the partner becomes a client that needs a new
    secret (its old token hash is no secret hash); its feed is untouched."""
    engine = create_engine(database_url)
    try:
        await _upgrade(engine, "0001")
        async with engine.begin() as connection:
            await connection.execute(
                sa.text("INSERT INTO partners (partner_id, name, token_hash, disabled, created_at)"
                        " VALUES ('old', 'Old Trust', :hash, false, :at)"),
                {"hash": "ab" * 32, "at": datetime(2025, 1, 1, tzinfo=UTC)},
            )  # fmt: skip
            await connection.execute(
                sa.text("INSERT INTO feeds (feed_id, partner_id, agency_kind, created_at)"
                        " VALUES ('old-ed', 'old', 'health', :at)"),
                {"at": datetime(2025, 1, 1, tzinfo=UTC)},
            )  # fmt: skip
        await _upgrade(engine, "head")
        sessions = session_factory(engine)
        async with sessions() as session:
            partner = await partners.enabled_client(session, client_id="old")
            assert partner is not None
            assert (partner.partner_id, partner.scopes) == ("old", EVERY_SCOPE)
            assert [f.feed_id for f in await repository.list_feeds(session, partner_id="old")] == [
                "old-ed"
            ]
            assert await partners.authenticate_client(
                session, client_id="old", client_secret="ab" * 32
            ) is None  # fmt: skip
            rotated = await partners.rotate_secret(session, partner_id="old")
            assert rotated is not None
            assert await partners.authenticate_client(
                session, client_id="old", client_secret=rotated[1]
            ) is not None  # fmt: skip
    finally:
        await engine.dispose()


async def _upgrade(engine: AsyncEngine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["version_table"] = VERSION_TABLE

    def upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(upgrade)
