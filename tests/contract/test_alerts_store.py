"""The alerts store on SQLite and PostgreSQL: each alert stored once (also under concurrent
writers), unpublished alerts handed back until published, newest-first pages, acknowledgement
and assignment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from lateral_alerts.adapters.repository import SqlAlertStore
from lateral_alerts.bootstrap import MIGRATIONS, VERSION_TABLE
from lateral_alerts.domain.model import Alert, AlertCandidate, AlertStatus
from lateral_shared.db import create_engine, migrate

T0 = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlAlertStore]:
    engine = create_engine(database_url)
    for _ in range(2):  # applying the migrations again changes nothing
        await migrate(engine, script_location=str(MIGRATIONS), version_table=VERSION_TABLE)
    yield SqlAlertStore(engine)
    await engine.dispose()


def _alert(n: int, *, minutes: int = 0) -> Alert:
    candidate = AlertCandidate(
        rule="child_with_open_social_care_case_new_incident",
        severity="priority",
        person_id=f"P-{n}",
        trigger_record_key=f"met-police/INC-{n}",
        address_key="100023456789",
        trigger_date=date(2025, 5, n),
    )
    return Alert.raise_from(candidate, at=T0 + timedelta(minutes=minutes))


async def test_an_alert_is_stored_once_and_handed_back_until_published(
    store: SqlAlertStore,
) -> None:
    first = await store.add_new([_alert(1)])
    before_publishing = await store.add_new([_alert(1, minutes=5), _alert(2)])
    await store.mark_published([a.alert_id for a in before_publishing], at=T0)
    after_publishing = await store.add_new([_alert(1, minutes=9), _alert(2, minutes=9)])

    assert first == [_alert(1)]
    assert sorted(a.person_id for a in before_publishing) == ["P-1", "P-2"]
    # The stored alert keeps when it was first raised.
    assert {a.raised_at for a in before_publishing} == {T0}
    assert after_publishing == []
    assert (await store.list(status=None, page=1, page_size=10)).total == 2


async def test_concurrent_writers_of_the_same_alert_store_it_once(store: SqlAlertStore) -> None:
    await asyncio.gather(*(store.add_new([_alert(3), _alert(4)]) for _ in range(5)))

    page = await store.list(status=None, page=1, page_size=10)

    assert sorted(a.person_id for a in page.items) == ["P-3", "P-4"]


async def test_alerts_are_listed_newest_first_a_page_at_a_time(store: SqlAlertStore) -> None:
    await store.add_new([_alert(n, minutes=n) for n in range(1, 6)])

    first = await store.list(status=None, page=1, page_size=2)
    third = await store.list(status=None, page=3, page_size=2)

    assert [a.person_id for a in first.items] == ["P-5", "P-4"]
    assert [a.person_id for a in third.items] == ["P-1"]
    assert (first.total, third.total) == (5, 5)
    assert first.items[0].raised_at == T0 + timedelta(minutes=5)


async def test_the_first_acknowledgement_stands_and_status_filters_the_list(
    store: SqlAlertStore,
) -> None:
    await store.add_new([_alert(1), _alert(2, minutes=1)])
    target = _alert(1).alert_id

    acked = await store.acknowledge(target, by="dm.one", at=T0 + timedelta(hours=1))
    again = await store.acknowledge(target, by="dm.two", at=T0 + timedelta(hours=2))
    still_open = await store.list(status=AlertStatus.OPEN, page=1, page_size=10)
    acknowledged = await store.list(status=AlertStatus.ACKNOWLEDGED, page=1, page_size=10)

    assert acked is not None and again is not None
    assert (acked.status, acked.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, "dm.one")
    assert (again.acknowledged_by, again.acknowledged_at) == ("dm.one", T0 + timedelta(hours=1))
    assert [a.person_id for a in still_open.items] == ["P-2"]
    assert [a.person_id for a in acknowledged.items] == ["P-1"]


async def test_assigning_and_unknown_alerts(store: SqlAlertStore) -> None:
    await store.add_new([_alert(1)])

    assigned = await store.assign(_alert(1).alert_id, to="sw.jones")
    fetched = await store.get(_alert(1).alert_id)

    assert assigned is not None and assigned.assigned_to == "sw.jones"
    assert fetched == assigned
    assert await store.assign("no-such-alert", to="sw.jones") is None
    assert await store.acknowledge("no-such-alert", by="dm.one", at=T0) is None
    assert await store.get("no-such-alert") is None
