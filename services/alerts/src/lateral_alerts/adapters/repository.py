"""Where alerts are kept: the `AlertStore` port and its SQL adapter (SQLite and PostgreSQL)."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from lateral_alerts.domain.model import Alert, AlertStatus

from .tables import alerts


@dataclass(frozen=True, slots=True)
class AlertPage:
    """One page of alerts, newest first."""

    items: list[Alert]
    total: int
    page: int
    page_size: int


class AlertStore(abc.ABC):
    """The alerts, stored once per alert ID."""

    @abc.abstractmethod
    async def add_new(self, new_alerts: Sequence[Alert]) -> list[Alert]:
        """Store the alerts whose IDs are not stored yet; durable on return. Returns the stored
        alerts among `new_alerts` that `alerts.raised` has not had yet (new ones, and any a crash
        left unpublished), as stored."""

    @abc.abstractmethod
    async def mark_published(self, alert_ids: Sequence[str], *, at: datetime) -> None:
        """Record that `alerts.raised` has these alerts."""

    @abc.abstractmethod
    async def get(self, alert_id: str) -> Alert | None: ...

    @abc.abstractmethod
    async def list(self, *, status: AlertStatus | None, page: int, page_size: int) -> AlertPage:
        """Alerts newest first (by when raised), optionally only those with `status`."""

    @abc.abstractmethod
    async def acknowledge(self, alert_id: str, *, by: str, at: datetime) -> Alert | None:
        """Acknowledge an open alert; an acknowledged one keeps its first acknowledgement.
        None if there is no such alert."""

    @abc.abstractmethod
    async def assign(self, alert_id: str, *, to: str) -> Alert | None:
        """Assign the alert to a member of staff. None if there is no such alert."""


class SqlAlertStore(AlertStore):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add_new(self, new_alerts: Sequence[Alert]) -> list[Alert]:
        if not new_alerts:
            return []
        ids = [a.alert_id for a in new_alerts]
        async with self._engine.begin() as conn:
            await conn.execute(_insert_ignoring_existing(conn), [_to_row(a) for a in new_alerts])
            query = select(alerts).where(
                alerts.c.alert_id.in_(ids), alerts.c.published_at.is_(None)
            )
            rows = (await conn.execute(query)).mappings().all()
        return [_to_alert(row) for row in rows]

    async def mark_published(self, alert_ids: Sequence[str], *, at: datetime) -> None:
        if not alert_ids:
            return
        async with self._engine.begin() as conn:
            await conn.execute(
                update(alerts).where(alerts.c.alert_id.in_(list(alert_ids))).values(published_at=at)
            )

    async def get(self, alert_id: str) -> Alert | None:
        async with self._engine.connect() as conn:
            return await _get(conn, alert_id)

    async def list(self, *, status: AlertStatus | None, page: int, page_size: int) -> AlertPage:
        where = [] if status is None else [alerts.c.status == status.value]
        query = (
            select(alerts)
            .where(*where)
            .order_by(alerts.c.raised_at.desc(), alerts.c.trigger_date.desc(), alerts.c.alert_id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
        async with self._engine.connect() as conn:
            total = await conn.execute(select(func.count()).select_from(alerts).where(*where))
            rows = (await conn.execute(query)).mappings().all()
            count = int(total.scalar_one())
        return AlertPage([_to_alert(r) for r in rows], count, page, page_size)

    async def acknowledge(self, alert_id: str, *, by: str, at: datetime) -> Alert | None:
        # One conditional UPDATE: two managers acknowledging at once cannot overwrite each other.
        async with self._engine.begin() as conn:
            await conn.execute(
                update(alerts)
                .where(alerts.c.alert_id == alert_id, alerts.c.status == AlertStatus.OPEN.value)
                .values(
                    status=AlertStatus.ACKNOWLEDGED.value, acknowledged_by=by, acknowledged_at=at
                )
            )
            return await _get(conn, alert_id)

    async def assign(self, alert_id: str, *, to: str) -> Alert | None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(alerts).where(alerts.c.alert_id == alert_id).values(assigned_to=to)
            )
            return await _get(conn, alert_id)


def _insert_ignoring_existing(conn: AsyncConnection) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(alerts).on_conflict_do_nothing(index_elements=[alerts.c.alert_id])


async def _get(conn: AsyncConnection, alert_id: str) -> Alert | None:
    row = (await conn.execute(select(alerts).where(alerts.c.alert_id == alert_id))).mappings()
    found = row.one_or_none()
    return None if found is None else _to_alert(found)


def _to_row(alert: Alert) -> dict[str, Any]:
    return {
        "alert_id": alert.alert_id,
        "rule": alert.rule,
        "severity": alert.severity,
        "person_id": alert.person_id,
        "trigger_record_key": alert.trigger_record_key,
        "address_key": alert.address_key,
        "trigger_date": alert.trigger_date,
        "raised_at": alert.raised_at,
        "status": alert.status.value,
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": alert.acknowledged_at,
        "assigned_to": alert.assigned_to,
    }


def _to_alert(row: RowMapping) -> Alert:
    return Alert(
        alert_id=row["alert_id"],
        rule=row["rule"],
        severity=row["severity"],
        person_id=row["person_id"],
        trigger_record_key=row["trigger_record_key"],
        address_key=row["address_key"],
        trigger_date=row["trigger_date"],
        raised_at=_utc(row["raised_at"]),
        status=AlertStatus(row["status"]),
        acknowledged_by=row["acknowledged_by"],
        acknowledged_at=None if row["acknowledged_at"] is None else _utc(row["acknowledged_at"]),
        assigned_to=row["assigned_to"],
    )


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time Lateral stores is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
